"""Shared test fixtures. Test data is written through sahel.core.services, like everything else."""

import itertools

import pytest
from django.contrib.auth import get_user_model

from sahel.core import services

_counter = itertools.count(1)


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", "editor@example.org", "pw-editor-1")


@pytest.fixture
def reviewer(db):
    return get_user_model().objects.create_user("reviewer", "reviewer@example.org", "pw-rev-1")


class Make:
    """Factories: `make.actor(name="AQIM", status="published")` etc."""

    def __init__(self, user):
        self.user = user

    def _create(self, model, reason="test data", **fields):
        return services.create(model, user=self.user, reason=reason, **fields)

    def source(self, **fields):
        from sources.models import Source

        n = next(_counter)
        fields = {"slug": f"source-{n}", "title": f"Source {n}", "kind": "article", **fields}
        return self._create(Source, **fields)

    def place(self, **fields):
        from places.models import Place

        n = next(_counter)
        return self._create(
            Place, **{"slug": f"place-{n}", "name": f"Place {n}", "kind": "city", **fields}
        )

    def actor(self, **fields):
        from actors.models import Actor

        n = next(_counter)
        name = fields.pop("name", f"Actor {n}")
        return self._create(
            Actor, **{"slug": f"actor-{n}", "name": name, "kind": "organization", **fields}
        )

    def name(self, actor, name, **fields):
        from actors.models import Name

        return self._create(Name, actor=actor, name=name, **fields)

    def affiliation_type(self, **fields):
        from affiliations.models import AffiliationType

        n = next(_counter)
        return self._create(
            AffiliationType,
            **{"slug": f"type-{n}", "label": "leader of", "inverse_label": "led by", **fields},
        )

    def affiliation(self, subject, object, type=None, **fields):
        from affiliations.models import Affiliation

        n = next(_counter)
        type = type or self.affiliation_type()
        return self._create(
            Affiliation,
            **{
                "slug": f"affiliation-{n}",
                "subject": subject,
                "object": object,
                "type": type,
                **fields,
            },
        )

    def event_type(self, **fields):
        from events.models import EventType

        n = next(_counter)
        return self._create(EventType, **{"slug": f"event-type-{n}", "label": "attack", **fields})

    def event(self, **fields):
        from events.models import Event

        n = next(_counter)
        fields.setdefault("type", self.event_type())
        return self._create(Event, **{"slug": f"event-{n}", "title": f"Event {n}", **fields})

    def role(self, **fields):
        from events.models import ParticipationRole

        n = next(_counter)
        return self._create(
            ParticipationRole, **{"slug": f"role-{n}", "label": "perpetrator", **fields}
        )

    def participation(self, event, actor, role=None, **fields):
        from events.models import Participation

        return self._create(
            Participation, event=event, actor=actor, role=role or self.role(), **fields
        )

    def citation(self, target, source=None, **fields):
        from django.contrib.contenttypes.models import ContentType

        from sources.models import Citation

        return self._create(
            Citation,
            source=source or self.source(),
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            **fields,
        )


@pytest.fixture
def make(editor):
    return Make(editor)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
