"""The soak's editor: writes through the services, as the admin does, while readers read.

It plants canary drafts — a draft actor, and a draft name on a published actor — whose
text carries a secret token: the readers (perf/soak.py) count every public response that
holds that token as a leak. Each tick, in one change set, it moves three objects to the
same tick number (the canary actor's description, the hidden name, the public "pulse"
actor's description) and flips a second public actor between published and withdrawn. A
tick interrupted by a database outage must be all there or not at all: `consistent` in
the report checks that the three carry one number, and the editor goes on after the
outage through a new connection.
"""

import time

from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError, connection

from actors.models import Actor, Name
from sahel.core import services
from sahel.core.history import change_set
from sahel.core.models import PublicationStatus

CANARY_PREFIX = "Zzyzx Canary"  # what readers search for; the token after it is secret


def plant(token: str, public: str):
    user, _ = get_user_model().objects.get_or_create(
        username="soak-editor", defaults={"is_staff": True}
    )
    with change_set(user, "Soak: plant canary drafts"):
        pulse = services.create(
            Actor,
            user=user,
            reason="Soak: a public actor",
            slug=f"soak-pulse-{public}",
            name=f"Soak pulse {public}",
            kind="organization",
            description="Pulse tick 0",
            status=PublicationStatus.PUBLISHED,
        )
        blinker = services.create(
            Actor,
            user=user,
            reason="Soak: an actor published and withdrawn in turn",
            slug=f"soak-blinker-{public}",
            name=f"Soak blinker {public}",
            kind="organization",
            status=PublicationStatus.PUBLISHED,
        )
        canary = services.create(
            Actor,
            user=user,
            reason="Soak: a canary draft",
            slug=f"zzyzx-{token}",
            name=f"{CANARY_PREFIX} {token}",
            kind="organization",
            description=f"Tick 0 {token}",
        )
        hidden_name = services.create(
            Name,
            user=user,
            reason="Soak: a draft name",
            actor=pulse,
            name=f"{CANARY_PREFIX} {token} 0",
        )
    return user, pulse, blinker, canary, hidden_name


def _tick(user, number, token, pulse, blinker, canary, hidden_name):
    with change_set(user, f"Soak tick {number}"):
        services.update(
            canary,
            user=user,
            reason="tick",
            expected_version=None,
            description=f"Tick {number} {token}",
        )
        services.update(
            hidden_name,
            user=user,
            reason="tick",
            expected_version=None,
            name=f"{CANARY_PREFIX} {token} {number}",
        )
        services.update(
            pulse,
            user=user,
            reason="tick",
            expected_version=None,
            description=f"Pulse tick {number}",
        )
        status = PublicationStatus.WITHDRAWN if number % 2 else PublicationStatus.PUBLISHED
        services.update(blinker, user=user, reason="tick", expected_version=None, status=status)


def check(token, pulse, canary, hidden_name) -> dict:
    numbers = {
        "canary": Actor.objects.get(pk=canary.pk).description.split()[1],
        "hidden_name": Name.objects.get(pk=hidden_name.pk).name.split()[-1],
        "pulse": Actor.objects.get(pk=pulse.pk).description.split()[-1],
    }
    return {"consistent": len(set(numbers.values())) == 1, "tick_in_database": numbers}


def run(
    *, duration: float, interval: float, token: str, public: str, ready=None, stopped=None
) -> dict:
    """Tick every `interval` seconds for `duration` seconds at most, until `stopped()`;
    returns the report."""
    user, pulse, blinker, canary, hidden_name = plant(token, public)
    if ready is not None:
        ready()
    report = {
        "ticks": 0,
        "errors": 0,
        "error_kinds": {},
        "ticks_after_errors": 0,
        "last_committed": 0,
        "attempted": 0,
    }
    deadline = time.monotonic() + duration
    number = 0
    while time.monotonic() < deadline and not (stopped and stopped()):
        number += 1
        report["attempted"] = number
        try:
            _tick(user, number, token, pulse, blinker, canary, hidden_name)
        except (OperationalError, InterfaceError) as exc:
            # The database went away: this tick is rolled back whole; the next one opens
            # a new connection.
            report["errors"] += 1
            kind = type(exc).__name__
            report["error_kinds"][kind] = report["error_kinds"].get(kind, 0) + 1
            connection.close()
        else:
            report["ticks"] += 1
            report["last_committed"] = number
            if report["errors"]:
                report["ticks_after_errors"] += 1
        time.sleep(interval)
    for _attempt in range(50):
        try:
            report.update(check(token, pulse, canary, hidden_name))
            break
        except (OperationalError, InterfaceError):
            connection.close()
            time.sleep(0.2)
    return report
