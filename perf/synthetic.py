"""A synthetic dataset shaped like the real one, for benchmarks (`manage.py generate_synthetic`).

Actors of every kind, each with several names (an official name, a French or English
transliteration of it and a kunya, acronym or short name, so name search has spellings to
fold together), affiliations of the real types (`fixtures/vocabularies.yaml`), events with
places, types, parents and participants, several citations per claim to a few hundred
sources, and several revisions per claim (each round in its own change sets, as
`services.bulk_update` writes them), so that the history tables are several times larger
than the live ones. Some claims stay drafts and some are withdrawn in a later revision, so
the selectors have something to hide (names, ties and citations of a hidden actor included).

Deterministic: every phase draws from its own `random.Random(f"{seed}:{phase}")`; on an
empty database the same seed gives the same rows with the same ids.

Writes go through the history-aware bulk paths only, one change set per chunk of objects.
By default they use the *trusted* variants below, which are `history.bulk_create_with_history`
and `history.bulk_update_with_history` without the per-object `full_clean()`: on generated
data that is valid by construction, `full_clean()` costs more than everything else together
(one query per foreign key and per citation target, see docs/benchmarks.md), and it is the
only difference. History rows are written exactly as by the validated path (same change
set, user, reason, versions and derived fields; `tests/test_benchmark.py` compares the two).
`--validate` uses `services.bulk_create` / `services.bulk_update` instead.
"""

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from sahel.core import history, services, tracking

CHUNK = 5000  # objects per change set (and per transaction)
PREFIX = "syn-"  # slug prefix of every synthetic object


@dataclass(frozen=True)
class Scale:
    actors: int
    affiliations: int
    events: int
    sources: int
    countries: int
    regions: int
    towns: int
    # Distinct EDTF values cost ~30 ms each to parse once (pyparsing, then cached): small
    # draws from fewer months and years so that CI spends its seconds elsewhere.
    months: tuple[int, ...] = tuple(range(1, 11))
    first_year: int = 1990


SCALES = {
    "small": Scale(
        actors=200,
        affiliations=800,
        events=600,
        sources=30,
        countries=3,
        regions=8,
        towns=40,
        months=(3, 9),
        first_year=2010,
    ),
    "medium": Scale(
        actors=20_000,
        affiliations=100_000,
        events=100_000,
        sources=300,
        countries=6,
        regions=48,
        towns=600,
    ),
}
SCALES["large"] = Scale(
    **{name: value * 5 for name, value in vars(SCALES["medium"]).items()},
)
# A tenth of medium, with change sets as large as medium's (CHUNK objects): the change feed's
# pages meet the same shape in a database generated in a couple of minutes.
SCALES["tenth"] = Scale(
    **{
        name: value // 10 if name in ("actors", "affiliations", "events", "towns") else value
        for name, value in vars(SCALES["medium"]).items()
    },
)

# Per claim: how many citations (fractional: drawn), in the shape of the curated data.
CITATIONS_PER = {"actor": 3, "name": 1, "affiliation": 2, "event": 1.5, "participation": 0.3}
DRAFT_SHARE = 0.06  # claims created as drafts and never published
WITHDRAWN_SHARE = 0.02  # published claims withdrawn in the last revision round


# -- the trusted fast path ---------------------------------------------------------------


def trusted_bulk_update(model, objs, fields: list[str], *, batch_size: int = 1000) -> int:
    """`history.bulk_update_with_history` minus `full_clean()`, with the live rows written
    by one `UPDATE ... WHERE id IN (...)` per distinct set of new values instead of
    Django's `bulk_update()` (a CASE per field and object: ~1.4 ms an object, more than the
    rest together). Generated revisions draw from a few values, so there are few groups.
    Versions are still checked under a row lock and incremented, derived fields kept in
    step (written where they change), and the history rows written from the rows as
    stored."""
    current = tracking.require_change_set("bulk_update", model)
    objs = list(objs)
    locked = dict(
        model.objects.select_for_update()
        .filter(pk__in=[obj.pk for obj in objs])
        .values_list("pk", "version")
    )
    attnames = [model._meta.get_field(name).attname for name in sorted(set(fields))]
    derived = [n for n in model.derived_field_names() if n not in fields]
    groups: dict[tuple, list] = defaultdict(list)
    for obj in objs:
        if locked.get(obj.pk) != obj.version:
            raise history.StaleEditError(
                obj, expected_version=obj.version, attempted={n: getattr(obj, n) for n in fields}
            )
        before = [getattr(obj, name) for name in derived]
        obj.sync_derived_fields()
        # Derived fields are written when they change (as read, they are as stored).
        changed = tuple(
            (name, getattr(obj, name))
            for name, old in zip(derived, before, strict=True)
            if getattr(obj, name) != old
        )
        key = (obj.version, tuple(getattr(obj, name) for name in attnames), changed)
        groups[key].append(obj.pk)
        obj.version += 1
    with tracking._allow_bulk_writes():
        for (version, values, changed), pks in groups.items():
            for start in range(0, len(pks), batch_size):
                model.objects.filter(pk__in=pks[start : start + batch_size]).update(
                    version=version + 1, **dict(zip(attnames, values, strict=True)), **dict(changed)
                )
    stored = list(model.objects.filter(pk__in=[obj.pk for obj in objs]))
    current.history_models.add(model.history.model)
    model.history.bulk_history_create(
        stored,
        batch_size=batch_size,
        update=True,
        default_user=current.user,
        default_change_reason=current.reason,
        custom_historical_attrs={"change_set": current.id},
    )
    return len(objs)


# -- names -------------------------------------------------------------------------------

_GIVEN = [
    "Hammam", "Zayd", "Mokhtar", "Iyad", "Amadou", "Hamadou", "Yahya", "Talha", "Bilal",
    "Oumar", "Moussa", "Ibrahim", "Abdelmalek", "Djamel", "Sidi", "Khalid", "Hassan",
    "Mahmoud", "Souleymane", "Ousmane", "Boubacar", "Alghabass", "Ahmad", "Qasim", "Jafar",
    "Shaykh", "Mustafa", "Nasser", "Rachid", "Salah", "Tarek", "Younous", "Zakaria",
]  # fmt: skip
_FAMILY = [
    "Tinbukti", "Ansari", "Mauritani", "Jazairi", "Sahrawi", "Targui", "Fulani", "Kidali",
    "Gaoui", "Mopti", "Shinqiti", "Tilemsi", "Azawadi", "Hamdi", "Ghali", "Kouffa",
    "Belmokhtar", "Droukdal", "Qurashi", "Hasnaoui", "Intallah", "Ag Acherif", "Dicko",
]  # fmt: skip
_ORG_WORDS = [
    "Movement", "Front", "Brigade", "Battalion", "Katiba", "Council", "Coalition", "Group",
    "Union", "Alliance", "Platform", "Committee", "Militia", "Army", "Guard",
]  # fmt: skip
_ORG_QUALIFIERS = [
    "Unity", "Jihad", "Salvation", "Liberation", "Defence", "Azawad", "Macina", "Gourma",
    "Sahara", "Tawhid", "Ansar", "Nusrat", "Islam", "Justice", "Self-Defence", "Peace",
]  # fmt: skip


def french(text: str) -> str:
    """A French-style transliteration of an English-style one (u→ou, sh→ch, j→dj, al-→el-,
    doubled consonants simplified): the spelling variants name search must fold together."""
    out = text.replace("al-", "el-").replace("Al-", "El-")
    for old, new in (("sh", "ch"), ("Sh", "Ch"), ("j", "dj"), ("J", "Dj"), ("q", "k")):
        out = out.replace(old, new)
    out = out.replace("mm", "m").replace("dd", "d").replace("ss", "s")
    out = "".join(
        "ou" if c == "u" and (i == 0 or out[i - 1] != "o") else c for i, c in enumerate(out)
    )
    return out if out != text else text + "e"


def person_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    given, family, father = rng.choice(_GIVEN), rng.choice(_FAMILY), rng.choice(_GIVEN)
    official = f"{given} ag {father} al-{family} {n}"
    return [
        (official, "official"),
        (french(official), "transliteration"),
        (f"Abu {rng.choice(_GIVEN)} al-{family} {n}", "kunya"),
    ]


def organization_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    words = [rng.choice(_ORG_WORDS), rng.choice(_ORG_QUALIFIERS), rng.choice(_ORG_QUALIFIERS)]
    official = f"{words[0]} for {words[1]} and {words[2]} {n}"
    acronym = "".join(w[0] for w in words).upper() + f"-{n}"
    return [
        (official, "official"),
        (french(f"Jama'at {words[1]} al-{words[2]} {n}"), "transliteration"),
        (acronym, "acronym"),
    ]


# -- dates -------------------------------------------------------------------------------


def year_edtf(rng: random.Random, year: int, months=tuple(range(1, 11))) -> str:
    """A date as precise as a source would give it."""
    form = rng.random()
    month = rng.choice(months)
    if form < 0.35:
        return str(year)
    if form < 0.6:
        return f"{year}-{month:02d}"
    if form < 0.8:  # few distinct days: see Scale.months
        return f"{year}-{month:02d}-{rng.choice((1, 15)):02d}"
    if form < 0.9:
        return f"{year}~"
    return f"{year}-{month:02d}/{year}-{month + 2:02d}"


# -- the generator -----------------------------------------------------------------------


@dataclass
class Report:
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        total = sum(self.seconds.values())
        lines = [f"{name}: {count}" for name, count in self.counts.items()]
        lines += [f"{phase}: {sec:.1f} s" for phase, sec in self.seconds.items()]
        return [*lines, f"total: {total:.1f} s"]


class Generator:
    def __init__(self, scale: Scale, *, seed: int = 7, validate: bool = False, log=None):
        self.scale = scale
        self.seed = seed
        self.validate = validate
        self.log = log or (lambda message: None)
        self.report = Report()
        self.user, _ = get_user_model().objects.get_or_create(username="synthetic-generator")

    # -- plumbing ------------------------------------------------------------------------
    def rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}:{phase}")

    def create(self, model, objs: list, reason: str) -> list:
        created = []
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            if self.validate:
                created += services.bulk_create(model, chunk, user=self.user, reason=reason)
            else:
                with history.change_set(self.user, reason):
                    created += history.bulk_create_with_history(model, chunk, validate=False)
        self.report.counts[model.__name__] = self.report.counts.get(model.__name__, 0) + len(
            created
        )
        return created

    def update(self, model, objs: list, fields: list[str], reason: str) -> None:
        if not objs:
            return
        if self.validate:
            services.bulk_update(model, objs, fields, user=self.user, reason=reason)
        else:
            with history.change_set(self.user, reason):
                trusted_bulk_update(model, objs, fields)

    def chunks(self, model) -> Iterator[list]:
        """Synthetic rows of `model`, a chunk at a time (by id: flat memory)."""
        last = 0
        queryset = model.objects.filter(**_synthetic_filter(model)).order_by("id")
        while True:
            chunk = list(queryset.filter(id__gt=last)[:CHUNK])
            if not chunk:
                return
            yield chunk
            last = chunk[-1].id

    def phase(self, name: str, run: Callable[[], None]) -> None:
        began = time.perf_counter()
        run()
        self.report.seconds[name] = time.perf_counter() - began
        self.log(f"{name}: {self.report.seconds[name]:.1f} s")

    def date(self, rng: random.Random, year: int) -> str:
        return year_edtf(rng, max(year, self.scale.first_year), self.scale.months)

    def status(self, rng: random.Random) -> str:
        return "draft" if rng.random() < DRAFT_SHARE else "published"

    # -- phases --------------------------------------------------------------------------
    def run(self) -> Report:
        self.phase("vocabularies", self.vocabularies)
        self.phase("sources", self.sources)
        self.phase("places", self.places)
        self.phase("actors and names", self.actors)
        self.phase("affiliations", self.affiliations)
        self.phase("events and participants", self.events)
        self.phase("citations", self.citations)
        self.phase("revisions", self.revisions)
        self.phase("analyze", analyze)
        return self.report

    def vocabularies(self) -> None:
        from affiliations.models import AffiliationType
        from events.models import EventType, ParticipationRole

        data = yaml.safe_load(Path(settings.FIXTURES_DIR, "vocabularies.yaml").read_text())
        for model, key in (
            (AffiliationType, "affiliation_types"),
            (EventType, "event_types"),
            (ParticipationRole, "participation_roles"),
        ):
            existing = set(model.objects.values_list("slug", flat=True))
            missing = [model(**record) for record in data[key] if record["slug"] not in existing]
            if missing:
                self.create(model, missing, f"Synthetic data: {key} (fixtures/vocabularies.yaml)")
        self.affiliation_types = dict(AffiliationType.objects.values_list("slug", "id"))
        self.event_types = list(EventType.objects.order_by("id").values_list("id", flat=True))
        self.roles = dict(ParticipationRole.objects.values_list("slug", "id"))

    def sources(self) -> None:
        from sources.models import Source

        rng = self.rng("sources")
        kinds = ["article", "report", "official_list", "interview", "video", "dataset", "book"]
        publishers = ["Reuters", "RFI", "Jeune Afrique", "UN Panel of Experts", "ACLED", "HRW"]
        objs = [
            Source(
                slug=f"{PREFIX}source-{i}",
                title=f"Synthetic source {i}: report on the {rng.choice(_ORG_QUALIFIERS)} front",
                kind=rng.choice(kinds),
                authors=[f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"],
                publisher=rng.choice(publishers),
                publication_date=self.date(rng, rng.randint(2005, 2025)),
                url=f"https://example.org/synthetic/{i}",
                language=rng.choice(["en", "fr", "ar"]),
                reliability=rng.choice("ABBCCCDF"),
            )
            for i in range(self.scale.sources)
        ]
        self.source_ids = [s.id for s in self.create(Source, objs, "Synthetic data: sources")]

    def places(self) -> None:
        from places.models import Place

        rng = self.rng("places")

        def coordinates():
            return {
                "latitude": Decimal(f"{rng.uniform(10, 25):.5f}"),
                "longitude": Decimal(f"{rng.uniform(-12, 16):.5f}"),
                "precision": rng.choice([1, 2, 3]),
            }

        countries = self.create(
            Place,
            [
                Place(slug=f"{PREFIX}country-{i}", name=f"Country {i}", kind="country")
                for i in range(self.scale.countries)
            ],
            "Synthetic data: countries",
        )
        regions = self.create(
            Place,
            [
                Place(
                    slug=f"{PREFIX}region-{i}",
                    name=f"Region {i}",
                    kind="region",
                    parent_id=rng.choice(countries).id,
                )
                for i in range(self.scale.regions)
            ],
            "Synthetic data: regions",
        )
        towns = self.create(
            Place,
            [
                Place(
                    slug=f"{PREFIX}town-{i}",
                    name=f"Town {i}",
                    kind="town",
                    parent_id=rng.choice(regions).id,
                    **coordinates(),
                )
                for i in range(self.scale.towns)
            ],
            "Synthetic data: towns",
        )
        self.place_ids = [p.id for p in (*countries, *regions, *towns)]
        self.town_ids = [p.id for p in towns]

    def actors(self) -> None:
        from actors.models import SUBKINDS_BY_KIND, Actor, Name

        rng = self.rng("actors")
        kinds = [
            ("person", 0.6),
            ("organization", 0.25),
            ("ethnic_group", 0.08),
            ("armed_force", 0.05),
            ("state", 0.02),
        ]
        actors, names = [], []
        for i in range(self.scale.actors):
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            subkinds = sorted(SUBKINDS_BY_KIND[kind])
            spelled = person_names(rng, i) if kind == "person" else organization_names(rng, i)
            born = rng.randint(1940, 2015)
            end = ""
            if rng.random() < 0.2:
                end = self.date(rng, rng.randint(born + 1, 2025))
            actors.append(
                Actor(
                    slug=f"{PREFIX}actor-{i}",
                    name=spelled[0][0],
                    kind=kind,
                    subkind=rng.choice(subkinds) if subkinds else "",
                    description=f"Synthetic {kind} number {i}.",
                    begin=rng.choice([str(born), f"{born}~", f"{str(born)[:3]}X"])
                    if rng.random() < 0.8
                    else "",
                    end=end,
                    area_id=rng.choice(self.place_ids) if rng.random() < 0.7 else None,
                    certainty=rng.choice(["confirmed"] * 6 + ["probable", "possible"]),
                    status=self.status(rng),
                )
            )
            names.append(spelled)
        created = self.create(Actor, actors, "Synthetic data: actors")
        self.actor_ids = [a.id for a in created]
        self.organization_ids = [a.id for a in created if a.kind != "person"]
        self.person_ids = [a.id for a in created if a.kind == "person"]
        name_objs = [
            Name(
                actor_id=actor.id,
                name=text,
                kind=kind,
                language="ar-Latn" if kind == "transliteration" else "en",
                script="Latn",
                status=self.status(rng),
            )
            for actor, spelled in zip(created, names, strict=True)
            for text, kind in dict(spelled).items()
        ]
        self.create(Name, name_objs, "Synthetic data: names")

    def affiliations(self) -> None:
        from affiliations.models import Affiliation

        rng = self.rng("affiliations")
        person_types = ["member-of"] * 6 + ["commander-of", "leader-of", "official-for"]
        person_types += ["deputy-leader-of", "spokesperson-of", "founder-of", "belongs-to"]
        org_types = ["allied-with", "rival-of", "splinter-of", "subgroup-of", "backed-by"]
        org_types += ["targets", "fought-alongside", "merged-into", "in-contact-with"]
        # Preferential attachment: a few organizations have most of the ties, like JNIM.
        hubs = self.organization_ids[: max(1, len(self.organization_ids) // 20)]
        objs = []
        for i in range(self.scale.affiliations):
            if rng.random() < 0.7 and self.person_ids:
                subject = rng.choice(self.person_ids)
                type_slug = rng.choice(person_types)
            else:
                subject = rng.choice(self.organization_ids)
                type_slug = rng.choice(org_types)
            target = rng.choice(hubs if rng.random() < 0.4 else self.organization_ids)
            if target == subject:
                target = self.organization_ids[
                    (self.organization_ids.index(target) + 1) % len(self.organization_ids)
                ]
            year = max(rng.randint(1990, 2024), self.scale.first_year)
            end = self.date(rng, min(2025, year + rng.randint(1, 8))) if rng.random() < 0.5 else ""
            objs.append(
                Affiliation(
                    slug=f"{PREFIX}affiliation-{i}",
                    subject_id=subject,
                    object_id=target,
                    type_id=self.affiliation_types[type_slug],
                    role_title=rng.choice(["", "", "emir", "spokesman", "field commander"]),
                    start=self.date(rng, year) if rng.random() < 0.9 else "",
                    end=end,
                    certainty=rng.choice(["confirmed"] * 5 + ["probable", "possible", "disputed"]),
                    status=self.status(rng),
                )
            )
        self.create(Affiliation, objs, "Synthetic data: affiliations")

    def events(self) -> None:
        from events.models import Event, Participation

        rng = self.rng("events")

        def event(i, parent_id=None):
            year = rng.randint(2000, 2025)
            return Event(
                slug=f"{PREFIX}event-{i}",
                title=f"Synthetic event {i} near town {rng.randint(0, self.scale.towns)}",
                type_id=rng.choice(self.event_types),
                date=self.date(rng, year),
                place_id=rng.choice(self.town_ids) if rng.random() < 0.85 else None,
                description="" if rng.random() < 0.5 else f"Synthetic description of event {i}.",
                parent_id=parent_id,
                fatalities=rng.randint(0, 60) if rng.random() < 0.4 else None,
                certainty=rng.choice(["confirmed"] * 5 + ["probable", "possible"]),
                status=self.status(rng),
            )

        operations = max(1, self.scale.events // 50)
        parents = self.create(
            Event, [event(i) for i in range(operations)], "Synthetic data: operations"
        )
        parent_ids = [p.id for p in parents]
        rest = [
            event(i, rng.choice(parent_ids) if rng.random() < 0.1 else None)
            for i in range(operations, self.scale.events)
        ]
        created = parents + self.create(Event, rest, "Synthetic data: events")
        roles = list(self.roles.values())
        participations = []
        for ev in created:
            count = rng.choice([1, 1, 2, 2, 3])
            for actor_id in rng.sample(self.actor_ids, count):
                participations.append(
                    Participation(
                        event_id=ev.id,
                        actor_id=actor_id,
                        role_id=rng.choice(roles),
                        note="" if rng.random() < 0.8 else "his men",
                        status=self.status(rng),
                    )
                )
        self.create(Participation, participations, "Synthetic data: participants")

    def citations(self) -> None:
        from actors.models import Actor, Name
        from affiliations.models import Affiliation
        from events.models import Event, Participation
        from sources.models import Citation

        rng = self.rng("citations")
        # A few sources carry most citations, as in the real data.
        weights = [1 / (rank + 1) for rank in range(len(self.source_ids))]
        for model in (Actor, Name, Affiliation, Event, Participation):
            per = CITATIONS_PER[model._meta.model_name]
            content_type = ContentType.objects.get_for_model(model).id
            ids = model.objects.filter(**_synthetic_filter(model)).order_by("id")
            ids = list(ids.values_list("id", flat=True))
            for start in range(0, len(ids), CHUNK):
                objs = []
                for object_id in ids[start : start + CHUNK]:
                    count = int(per) + (rng.random() < per - int(per))
                    for source_id in rng.choices(self.source_ids, weights, k=count):
                        objs.append(
                            Citation(
                                source_id=source_id,
                                content_type_id=content_type,
                                object_id=object_id,
                                locator=f"p. {rng.randint(1, 300)}",
                                quote=f"Synthetic passage {rng.randint(0, 10**6)} on the claim.",
                                stance=rng.choice(["supports"] * 8 + ["disputes", "denies"]),
                                credibility=rng.choice([None, 1, 2, 2, 3, 3, 4, 6]),
                            )
                        )
                self.create(Citation, objs, f"Synthetic data: citations of {model.__name__}")

    def revisions(self) -> None:
        """Two rounds of edits on every claim (one on 40% of citations), each chunk its own
        change set; the last round withdraws a few published claims and publishes a few
        drafts back, so hidden objects have a published past."""
        from actors.models import Actor, Name
        from affiliations.models import Affiliation
        from events.models import Event, Participation
        from sources.models import Citation

        edits: dict = {
            Actor: ("description", lambda o, r: f"Synthetic {o.kind}, revised in round {r}."),
            Name: ("language", lambda o, r: ["en", "fr", "ar-Latn"][r % 3]),
            Affiliation: ("role_title", lambda o, r: ["", "emir", "commander"][r % 3]),
            Event: ("description", lambda o, r: f"Synthetic event, revised in round {r}."),
            Participation: ("note", lambda o, r: f"Revised note {r}."),
        }
        for round_ in (1, 2):
            rng = self.rng(f"revisions-{round_}")
            for model, (name, value) in edits.items():
                for chunk in self.chunks(model):
                    fields = [name]
                    for obj in chunk:
                        setattr(obj, name, value(obj, round_))
                    if round_ == 2:
                        fields += ["certainty", "status"]
                        for obj in chunk:
                            if rng.random() < 0.1:
                                obj.certainty = rng.choice(["probable", "possible", "disputed"])
                            if obj.status == "published" and rng.random() < WITHDRAWN_SHARE:
                                obj.status = "withdrawn"
                    self.update(
                        model,
                        chunk,
                        fields,
                        f"Synthetic data: revision {round_} of {model._meta.verbose_name_plural}",
                    )
                    self.report.counts[f"{model.__name__} revisions"] = self.report.counts.get(
                        f"{model.__name__} revisions", 0
                    ) + len(chunk)
        rng = self.rng("revisions-citations")
        for chunk in self.chunks(Citation):
            picked = [obj for obj in chunk if rng.random() < 0.4]
            for obj in picked:
                obj.locator = f"p. {rng.randint(1, 300)}"
            self.update(Citation, picked, ["locator"], "Synthetic data: citation locators")
            self.report.counts["Citation revisions"] = self.report.counts.get(
                "Citation revisions", 0
            ) + len(picked)


def analyze() -> None:
    """Refresh the planner's statistics: after a bulk load they describe empty tables, and
    a server without autovacuum (or before it wakes) plans nested loops over millions of
    rows (a citations query of a page of actors took 48 s at `medium` before, 10 ms after).
    On PostgreSQL, outside a transaction, VACUUM too: back-dating the revisions rewrote every
    history row, and half of each history table is dead tuples that every scan reads
    (60k live + 60k dead actor history rows at `medium`) until something vacuums it."""
    from django.db import connection

    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def _synthetic_filter(model) -> dict:
    """Rows generated here: by slug where the model has one, else by what they point to."""
    names = {f.name for f in model._meta.concrete_fields}
    if "slug" in names:
        return {"slug__startswith": PREFIX}
    if model._meta.model_name in ("name", "participation"):
        return {"actor__slug__startswith": PREFIX}
    return {"source__slug__startswith": PREFIX}  # citations


def already_generated() -> bool:
    from actors.models import Actor

    return Actor.objects.filter(slug__startswith=PREFIX).exists()


def generate(scale: str, *, seed: int = 7, validate: bool = False, log=None) -> Report:
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: use one of {', '.join(SCALES)}.")
    began = datetime.datetime.now(datetime.UTC)
    report = Generator(SCALES[scale], seed=seed, validate=validate, log=log).run()
    report.counts["started"] = began.isoformat()
    return report
