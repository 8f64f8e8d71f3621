"""Load the curated dataset: seeds/*.yaml (source documents) and fixtures/*.yaml (claims).

Records are matched by natural keys (slugs; (actor, name) for names; (event, actor, role)
for participations; (source, locator, quote) for citations), created or updated through
`sahel.core.services`, one change set per file whose reason names the file ("Load
fixtures/actors.yaml"); a record with a `reason` gets a change set of its own whose reason
adds it ("Load fixtures/actors.yaml: <reason>"). Nothing changes → nothing is written, so a
second run writes no history. Every problem is reported as
`file: record: what is wrong`, and then nothing at all is written.

The format is documented in fixtures/README.md.
"""

from itertools import groupby
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation, AffiliationType
from events.models import Event, EventType, Participation, ParticipationRole
from places.models import Place
from sahel.core import services
from sahel.core.history import change_set, one_transaction
from sahel.dataset.records import (
    DatasetError,
    LoadReport,
    RecordError,
    describe,
    reason,
    without_reason,
)
from sahel.read.matcher import match
from sources.models import Citation, Source

LOADER_USERNAME = "dataset-loader"
DUPLICATE_SCORE = 0.9  # a new actor's name matching another's this well: a warning

CLAIM_DEFAULTS = {"certainty": "confirmed", "status": "published", "editorial_note": ""}
CITATION_KEYS = {"source", "locator", "quote", "stance", "credibility", "field", "note"}


# libyaml's safe loader when PyYAML has it (it does on the usual wheels): the same documents,
# parsed about ten times faster (1.8 s of a 15 s load in the pure-Python one).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def loader_user():
    user, created = get_user_model().objects.get_or_create(
        username=LOADER_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class DatasetLoader:
    def __init__(self, seeds_dir: Path, fixtures_dir: Path, *, user=None, base_dir=None):
        self.seeds_dir = Path(seeds_dir)
        self.fixtures_dir = Path(fixtures_dir)
        self.base_dir = Path(base_dir) if base_dir else self.fixtures_dir.parent
        self.user = user
        self.report = LoadReport()
        self.problems: list[str] = []

    # -- entry point ----------------------------------------------------------------------
    def load(self) -> LoadReport:
        self.user = self.user or loader_user()
        # (file, record loader, whether the file is one mapping rather than a list)
        steps = [(p, self._load_source, True) for p in sorted(self.seeds_dir.glob("*.yaml"))]
        steps += [
            (self.fixtures_dir / "vocabularies.yaml", self._load_vocabularies, True),
            (self.fixtures_dir / "places.yaml", self._load_place, False),
            (self.fixtures_dir / "actors.yaml", self._load_actor, False),
            (self.fixtures_dir / "affiliations.yaml", self._load_affiliation, False),
            (self.fixtures_dir / "events.yaml", self._load_event, False),
        ]
        with one_transaction():  # all files or none; each file its own change set
            for path, load_record, single in steps:
                self._load_file(path, load_record, single)
            if self.problems:
                transaction.set_rollback(True)
        if self.problems:
            raise DatasetError(self.problems)
        return self.report

    def _load_file(self, path: Path, load_record, single: bool) -> None:
        name = self._display(path)
        if not path.exists():
            self.problems.append(f"{name}: file not found")
            return
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        except yaml.YAMLError as exc:
            self.problems.append(f"{name}: not valid YAML: {exc}")
            return
        self.file = path
        if single:
            records = [(self._record_key(data, "slug"), data)]
        elif isinstance(data, list):
            records = [(self._record_key(r, "slug", i), r) for i, r in enumerate(data, 1)]
        else:
            self.problems.append(f"{name}: expected a list of records")
            return
        # A record's `reason` says why it reads as it does; its writes go into a change set
        # of their own, "Load <file>: <reason>". Consecutive records with the same reason
        # (or none) share one change set, in file order.
        for why, run in groupby(records, key=lambda item: reason(item[1])):
            with change_set(self.user, f"Load {name}: {why}" if why else f"Load {name}"):
                for key, record in run:
                    try:
                        with transaction.atomic():  # a failed record leaves nothing behind
                            load_record(without_reason(record))
                    except (RecordError, ValidationError) as exc:
                        self.problems.append(f"{name}: record {key}: {describe(exc)}")

    def _display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.base_dir.resolve()))
        except ValueError:
            return str(path)

    @staticmethod
    def _record_key(record, key: str, index: int | None = None) -> str:
        if isinstance(record, dict) and record.get(key):
            return repr(record[key])
        if isinstance(record, dict) and record.get("actor") and record.get("role"):
            return repr(f"{record['actor']}/{record['role']}")
        return f"#{index}" if index is not None else "(file)"

    # -- generic helpers ------------------------------------------------------------------
    def _upsert(self, model: type[models.Model], lookup: dict, fields: dict):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = services.create(model, user=self.user, reason="", **lookup, **fields)
            self.report.counts[model.__name__, "created"] += 1
        else:
            version = obj.version
            obj = services.update(
                obj, user=self.user, reason="", expected_version=version, **fields
            )
            action = "unchanged" if obj.version == version else "updated"
            self.report.counts[model.__name__, action] += 1
        return obj

    @staticmethod
    def _fields(record: dict, required: set[str], optional: dict) -> dict:
        if not isinstance(record, dict):
            raise RecordError(f"expected a mapping, got {type(record).__name__}")
        unknown = set(record) - required - set(optional)
        if unknown:
            raise RecordError(f"unknown field(s): {', '.join(sorted(unknown))}")
        missing = [k for k in sorted(required) if record.get(k) in (None, "")]
        if missing:
            raise RecordError(f"missing required field(s): {', '.join(missing)}")
        values = {**optional, **record}
        return {
            k: ("" if v is None and isinstance(optional.get(k), str) else v)
            for k, v in values.items()
        }

    @staticmethod
    def _ref(model: type[models.Model], slug, what: str, *, required: bool = True):
        if slug in (None, ""):
            if required:
                raise RecordError(f"{what} is required")
            return None
        obj = model.objects.filter(slug=slug).first()
        if obj is None:
            raise RecordError(f"unknown {what} {slug!r}")
        return obj

    def _sync_citations(self, target: models.Model, citations, *, required: bool) -> None:
        if citations in (None, []):
            if required:
                raise RecordError("at least one citation is required")
            return
        if not isinstance(citations, list):
            raise RecordError("citations must be a list")
        content_type = ContentType.objects.get_for_model(target)
        wanted = set()
        for item in citations:
            values = self._fields(
                item,
                {"source"},
                {
                    "locator": "",
                    "quote": "",
                    "stance": "supports",
                    "credibility": None,
                    "field": "",
                    "note": "",
                },
            )
            source = self._ref(Source, values["source"], "source")
            lookup = {
                "content_type": content_type,
                "object_id": target.pk,
                "source": source,
                "locator": values["locator"],
                "quote": values["quote"],
            }
            wanted.add((source.pk, values["locator"], values["quote"]))
            self._upsert(
                Citation,
                lookup,
                {
                    "stance": values["stance"],
                    "credibility": values["credibility"],
                    "field_name": values["field"],
                    "note": values["note"],
                },
            )
        extra = [
            c
            for c in Citation.objects.filter(content_type=content_type, object_id=target.pk)
            if (c.source_id, c.locator, c.quote) not in wanted
        ]
        if extra:
            self.report.warnings.append(
                f"{self._display(self.file)}: {type(target).__name__} {target}: "
                f"{len(extra)} citation(s) in the database are not in the file (kept)"
            )

    # -- record loaders -------------------------------------------------------------------
    def _load_source(self, record: dict) -> None:
        values = self._fields(
            record,
            {"slug", "title", "kind"},
            {
                "authors": [],
                "publisher": "",
                "publication_date": "",
                "language": "",
                "reliability": "F",
                "url": "",
                "text_file": "",
                "note": "",
            },
        )
        text = ""
        if values["text_file"]:
            text_path = self.seeds_dir / values["text_file"]
            if not text_path.is_file():
                raise RecordError(f"text_file {values['text_file']!r} not found in seeds/")
            text = text_path.read_text(encoding="utf-8")
        self._upsert(
            Source,
            {"slug": values["slug"]},
            {
                k: values[k]
                for k in (
                    "title",
                    "kind",
                    "authors",
                    "publisher",
                    "publication_date",
                    "language",
                    "reliability",
                    "url",
                    "note",
                )
            }
            | {"text": text},
        )

    def _load_vocabularies(self, record: dict) -> None:
        sections = self._fields(
            record, set(), {"affiliation_types": [], "event_types": [], "participation_roles": []}
        )
        specs = {
            "affiliation_types": (
                AffiliationType,
                {"label"},
                {"inverse_label": "", "symmetric": False, "description": ""},
            ),
            "event_types": (
                EventType,
                {"label"},
                {"description": "", "acled_event_type": "", "acled_sub_event_type": ""},
            ),
            "participation_roles": (ParticipationRole, {"label"}, {"description": ""}),
        }
        problems = []
        for section, (model, required, optional) in specs.items():
            for entry in sections[section] or []:
                slug = entry.get("slug") if isinstance(entry, dict) else None
                try:
                    with transaction.atomic():
                        values = self._fields(entry, {"slug", *required}, optional)
                        if model is AffiliationType and values["symmetric"]:
                            values["inverse_label"] = values["inverse_label"] or values["label"]
                        slug = values.pop("slug")
                        self._upsert(model, {"slug": slug}, values)
                except (RecordError, ValidationError) as exc:
                    problems.append(f"{section} {slug!r}: {describe(exc)}")
        if problems:
            raise RecordError("; ".join(problems))

    def _load_place(self, record: dict) -> None:
        values = self._fields(
            record,
            {"slug", "name", "kind"},
            {"parent": "", "latitude": None, "longitude": None, "precision": None, "citations": []},
        )
        place = self._upsert(
            Place,
            {"slug": values["slug"]},
            {
                "name": values["name"],
                "kind": values["kind"],
                "parent": self._ref(Place, values["parent"], "parent place", required=False),
                "latitude": values["latitude"],
                "longitude": values["longitude"],
                "precision": values["precision"],
            },
        )
        self._sync_citations(place, values["citations"], required=False)

    def _load_actor(self, record: dict) -> None:
        values = self._fields(
            record,
            {"slug", "name", "kind", "citations"},
            {
                "subkind": "",
                "description": "",
                "begin": "",
                "end": "",
                "area": "",
                "names": [],
                "identifiers": [],
                **CLAIM_DEFAULTS,
            },
        )
        if not Actor.objects.filter(slug=values["slug"]).exists():
            self._check_duplicate(values["slug"], values["name"])
        actor = self._upsert(
            Actor,
            {"slug": values["slug"]},
            {
                **{
                    k: values[k]
                    for k in (
                        "name",
                        "kind",
                        "subkind",
                        "description",
                        "begin",
                        "end",
                        *CLAIM_DEFAULTS,
                    )
                },
                "area": self._ref(Place, values["area"], "area (place)", required=False),
            },
        )
        self._sync_citations(actor, values["citations"], required=True)
        listed = set()
        for entry in values["names"] or []:
            name = self._fields(
                entry,
                {"name"},
                {
                    "kind": "official",
                    "language": "",
                    "script": "",
                    "citations": [],
                    **CLAIM_DEFAULTS,
                },
            )
            listed.add(name["name"])
            obj = self._upsert(
                Name,
                {"actor": actor, "name": name["name"]},
                {k: name[k] for k in ("kind", "language", "script", *CLAIM_DEFAULTS)},
            )
            self._sync_citations(obj, name["citations"], required=False)
        if actor.name not in listed:
            raise RecordError(f"the display name {actor.name!r} is not among its names")
        for entry in values["identifiers"] or []:
            ident = self._fields(
                entry, {"scheme", "value"}, {"confidence": "confirmed", "note": ""}
            )
            self._upsert(
                Identifier,
                {"actor": actor, "scheme": ident["scheme"], "value": ident["value"]},
                {"confidence": ident["confidence"], "note": ident["note"]},
            )

    def _check_duplicate(self, slug: str, name: str) -> None:
        """A new actor whose display name the matcher finds, nearly as it is, among the names
        of another actor (drafts too) may be that actor under another slug: a warning."""
        for hit in match(name, names=Name.objects.all(), limit=3):
            if hit.score < DUPLICATE_SCORE:
                break
            other = Actor.objects.filter(id=hit.actor_id).values_list("slug", flat=True).first()
            self.report.warnings.append(
                f"{self._display(self.file)}: actor {slug!r} may be {other!r}: its name "
                f"{name!r} matches {hit.name!r} ({hit.score:.2f})"
            )

    def _load_affiliation(self, record: dict) -> None:
        values = self._fields(
            record,
            {"slug", "subject", "type", "object", "citations"},
            {"role_title": "", "start": "", "end": "", **CLAIM_DEFAULTS},
        )
        affiliation = self._upsert(
            Affiliation,
            {"slug": values["slug"]},
            {
                "subject": self._ref(Actor, values["subject"], "subject (actor)"),
                "type": self._ref(AffiliationType, values["type"], "affiliation type"),
                "object": self._ref(Actor, values["object"], "object (actor)"),
                **{k: values[k] for k in ("role_title", "start", "end", *CLAIM_DEFAULTS)},
            },
        )
        self._sync_citations(affiliation, values["citations"], required=True)

    def _load_event(self, record: dict) -> None:
        values = self._fields(
            record,
            {"slug", "title", "type", "citations"},
            {
                "date": "",
                "place": "",
                "description": "",
                "parent": "",
                "fatalities": None,
                "participants": [],
                **CLAIM_DEFAULTS,
            },
        )
        event = self._upsert(
            Event,
            {"slug": values["slug"]},
            {
                "title": values["title"],
                "type": self._ref(EventType, values["type"], "event type"),
                "place": self._ref(Place, values["place"], "place", required=False),
                "parent": self._ref(Event, values["parent"], "parent event", required=False),
                **{k: values[k] for k in ("date", "description", "fatalities", *CLAIM_DEFAULTS)},
            },
        )
        self._sync_citations(event, values["citations"], required=True)
        for entry in values["participants"] or []:
            part = self._fields(
                entry, {"actor", "role", "citations"}, {"note": "", **CLAIM_DEFAULTS}
            )
            actor = self._ref(Actor, part["actor"], "participant (actor)")
            role = self._ref(ParticipationRole, part["role"], "participation role")
            try:
                participation = self._upsert(
                    Participation,
                    {"event": event, "actor": actor, "role": role},
                    {k: part[k] for k in ("note", *CLAIM_DEFAULTS)},
                )
                self._sync_citations(participation, part["citations"], required=True)
            except (RecordError, ValidationError) as exc:
                raise RecordError(
                    f"participant {part['actor']}/{part['role']}: {describe(exc)}"
                ) from exc
