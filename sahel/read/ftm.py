"""The FollowTheMoney export: the public items of the JSON Lines export as FtM entities.

Entities are built with the `followthemoney` library (its schemas and its value cleaning),
from the items `sahel.read.export.items` reads — the same public rows, in the same
snapshot. The library drops a value it cannot clean without a word (`2000~` in a date
becomes `2000`, a language it does not know disappears): every value goes through
`Strict.add`, which refuses a value the cleaning would drop or change, so what comes out
is what the database says or the export fails. What FtM cannot hold is said in words
(`summary`: the exact EDTF dates, the certainty) rather than rounded into its types.

The mapping (docs/exports.md):

- actors: a person is a Person; a state, a national army or a government body a
  PublicBody; any other actor (armed groups, militias, coalitions, ethnic groups, tribes,
  foreign forces) an Organization, its kind and subkind in `classification`;
- ties: by type (`MEMBERSHIP`, `FAMILY`, `ASSOCIATE`, `SUCCESSION` below) when the two
  actors fit the FtM schema, else UnknownLink (subject, object, role = the type's label);
- events: Event, its participants `involved` (and `organizer` for that role);
- sources: Document. Every cited entity names its sources as `proof`; each citation of an
  actor or an event (or of its names and participants) is also a Documentation linking the
  source to it, with the quote, locator, stance and credibility (FtM documents things,
  not links: a tie's citations are its `proof` only).
- places are not entities of their own: an event's place is its `location`.

Ids are stable: `sahel-<resource>-<id>` (`sahel-actors-12`), `sahel-citation-<id>`.
"""

import datetime
from collections.abc import Iterator

import orjson
from followthemoney import model
from followthemoney.types import registry

from sahel.core.fuzzy_dates import iso_prefix
from sahel.read import export

MEMBERSHIP = {
    "member-of",
    "leader-of",
    "deputy-leader-of",
    "commander-of",
    "founder-of",
    "spokesperson-of",
    "official-for",
    "subordinate-of",
    "participates-in",
    "belongs-to",
    "subgroup-of",
}  # subject member of the object organization (which is not a person)
FAMILY = {"kin-of", "married-into"}  # between two persons
ASSOCIATE = {
    "deputy-of",
    "allied-with",
    "in-contact-with",
    "cultivates-ties-with",
    "fought-alongside",
    "rival-of",
}  # between two persons
SUCCESSION = {  # the subject's and the object's properties
    "successor-of": ("successor", "predecessor"),
    "merged-into": ("predecessor", "successor"),
}
PUBLIC_BODIES = {"state", "national_army", "government_body"}  # kinds and subkinds
NAME_PROPERTIES = {"acronym": "abbreviation", "short_name": "abbreviation"}  # else alias


class ValueLost(ValueError):
    """A value the FtM library would drop or change while cleaning it."""


class Strict:
    """An FtM entity that refuses to lose a value: `add` fails when the library's cleaning
    drops the value (None) or, for dates, numbers and identifiers, changes it (a date cut
    to its year). Text is cleaned as the library cleans it (whitespace squeezed)."""

    EXACT = {registry.date, registry.number, registry.identifier, registry.entity}

    def __init__(self, schema: str, entity_id: str):
        self.proxy = model.make_entity(schema)
        self.proxy.id = entity_id

    def add(self, prop: str, value) -> None:
        if value is None or value == "":
            return  # nothing given
        value = str(value)
        spec = self.proxy.schema.get(prop)
        if spec is None:
            raise ValueLost(f"{self.proxy.schema.name} has no property {prop!r}.")
        cleaned = spec.type.clean(value, proxy=self.proxy)
        if cleaned is None or (spec.type in self.EXACT and cleaned != value):
            raise ValueLost(
                f"{self.proxy.id}: {prop} {value!r} does not survive FtM's cleaning ({cleaned!r})."
            )
        self.proxy.add(prop, cleaned, cleaned=True)
        if cleaned not in self.proxy.get(prop):
            raise ValueLost(f"{self.proxy.id}: {prop} {value!r} was not kept.")

    def to_dict(self) -> dict:
        return self.proxy.to_dict()


def entity_id(resource: str, pk: int) -> str:
    return f"sahel-{resource}-{pk}"


def date_prefix(date: dict | None) -> str | None:
    """The ISO prefix FtM can hold of a fuzzy date (`iso_prefix`), or None."""
    if not date or not date["lower"] or not date["upper"]:
        return None
    lower, upper = date["lower"], date["upper"]
    return iso_prefix(datetime.date.fromisoformat(lower), datetime.date.fromisoformat(upper))


def _dates(entity: Strict, item: dict, props: dict[str, str], facts: list[str]) -> None:
    """Each of the item's dates in its FtM property when an ISO prefix is true of it, and
    always as the exact EDTF in the summary."""
    for name, prop in props.items():
        if date := item.get(name):
            entity.add(prop, date_prefix(date))
            facts.append(f"{name} (EDTF): {date['edtf']}")


def _summary(entity: Strict, facts: list[str]) -> None:
    entity.add("summary", "; ".join(facts))


def actor_schema(kind: str | None, subkind: str | None = None) -> str:
    if kind == "person":
        return "Person"
    if kind in PUBLIC_BODIES or subkind in PUBLIC_BODIES:
        return "PublicBody"
    return "Organization"


def actor(item: dict) -> Iterator[Strict]:
    person = item["kind"] == "person"
    entity = Strict(actor_schema(item["kind"], item["subkind"]), entity_id("actors", item["id"]))
    entity.add("name", item["name"])
    for name in item["names"]:
        if name["name"] != item["name"]:
            entity.add(NAME_PROPERTIES.get(name["kind"], "alias"), name["name"])
    entity.add("description", item["description"])
    if not person:
        entity.add("classification", " / ".join(filter(None, [item["kind"], item["subkind"]])))
    for identifier in item["identifiers"]:
        if identifier["scheme"] == "wikidata":
            entity.add("wikidataId", identifier["value"])
    facts = [f"certainty: {item['certainty']}"]
    if person:
        _dates(entity, item, {"begin": "birthDate", "end": "deathDate"}, facts)
    else:
        _dates(entity, item, {"begin": "incorporationDate", "end": "dissolutionDate"}, facts)
    if item["area"]:
        facts.append(f"area: {item['area']['name']}")
    _summary(entity, facts)
    citations = [*item["citations"], *(c for name in item["names"] for c in name["citations"])]
    _proofs(entity, citations)
    yield entity
    yield from _documentation(entity.proxy.id, citations)


def tie_schema(type_slug: str, subject_kind: str, object_kind: str) -> tuple[str, str, str]:
    """(schema, the subject's property, the object's property) for a tie."""
    persons = subject_kind == "person" and object_kind == "person"
    if type_slug in MEMBERSHIP and object_kind != "person":
        return "Membership", "member", "organization"
    if type_slug in FAMILY and persons:
        return "Family", "person", "relative"
    if type_slug in ASSOCIATE and persons:
        return "Associate", "person", "associate"
    if type_slug in SUCCESSION:
        return "Succession", *SUCCESSION[type_slug]
    return "UnknownLink", "subject", "object"


def tie(item: dict) -> Iterator[Strict]:
    subject, kind, obj = item["subject"], item["type"], item["object"]
    schema, subject_prop, object_prop = tie_schema(kind["slug"], subject["kind"], obj["kind"])
    entity = Strict(schema, entity_id("affiliations", item["id"]))
    entity.add(subject_prop, entity_id("actors", subject["id"]))
    entity.add(object_prop, entity_id("actors", obj["id"]))
    entity.add(
        "role" if "role" in entity.proxy.schema.properties else "relationship", kind["label"]
    )
    entity.add("description", f"{subject['name']} {kind['label']} {obj['name']}")
    facts = [f"type: {kind['slug']}", f"certainty: {item['certainty']}"]
    if item["role_title"]:
        facts.append(f"role title: {item['role_title']}")
    _dates(entity, item, {"start": "startDate", "end": "endDate"}, facts)
    _summary(entity, facts)
    _proofs(entity, item["citations"])  # an edge: FtM documents only things (no Documentation)
    yield entity


def event(item: dict) -> Iterator[Strict]:
    entity = Strict("Event", entity_id("events", item["id"]))
    entity.add("name", item["title"])
    entity.add("description", item["description"])
    facts = [f"type: {item['type']['label']}", f"certainty: {item['certainty']}"]
    _dates(entity, item, {"date": "date"}, facts)
    if item["place"]:
        entity.add("location", item["place"]["name"])
    if item["fatalities"] is not None:
        facts.append(f"fatalities: {item['fatalities']}")
    for participant in item["participants"]:
        if participant["actor"] is None:
            continue
        actor_id = entity_id("actors", participant["actor"]["id"])
        entity.add("involved", actor_id)
        if participant["role"] and participant["role"]["slug"] == "organizer":
            entity.add("organizer", actor_id)
        role = participant["role"]["label"] if participant["role"] else "participant"
        facts.append(f"{role}: {participant['actor']['name']} ({participant['certainty']})")
    _summary(entity, facts)
    citations = [
        *item["citations"],
        *(c for participant in item["participants"] for c in participant["citations"]),
    ]
    _proofs(entity, citations)
    yield entity
    yield from _documentation(entity.proxy.id, citations)


def document(item: dict) -> Iterator[Strict]:
    entity = Strict("Document", entity_id("sources", item["id"]))
    entity.add("title", item["title"])
    entity.add("name", item["title"])
    for author in item["authors"] or ():
        entity.add("author", author)
    entity.add("publisher", item["publisher"])
    entity.add("sourceUrl", item["url"])
    facts = [f"kind: {item['kind']}", f"reliability: {item['reliability']}"]
    _dates(entity, item, {"publication_date": "publishedAt"}, facts)
    language = (item["language"] or "").split("-")[0]
    if language and registry.language.clean(language) is not None:
        entity.add("language", registry.language.clean(language))
    elif item["language"]:
        facts.append(f"language: {item['language']}")  # one FtM does not know
    entity.add("notes", item["note"])
    _summary(entity, facts)
    yield entity


def _proofs(entity: Strict, citations: list[dict]) -> None:
    for citation in citations:
        if citation["source"] is not None:
            entity.add("proof", entity_id("sources", citation["source"]["id"]))


def _documentation(target: str, citations: list[dict]) -> Iterator[Strict]:
    for citation in citations:
        if citation["source"] is None:
            continue
        entity = Strict("Documentation", f"sahel-citation-{citation['id']}")
        entity.add("document", entity_id("sources", citation["source"]["id"]))
        entity.add("entity", target)
        entity.add("role", citation["stance"])
        entity.add("description", citation["quote"])
        entity.add(
            "summary",
            "; ".join(
                filter(
                    None,
                    [
                        citation["locator"] and f"locator: {citation['locator']}",
                        citation["field"] and f"about: {citation['field']}",
                        citation["credibility"] and f"credibility: {citation['credibility']}",
                        citation["note"],
                    ],
                )
            ),
        )
        yield entity


BUILDERS = {"actors": actor, "affiliations": tie, "events": event, "sources": document}


def entities(projections: dict, as_of=None) -> Iterator[dict]:
    """Every public object of `projections` (name -> projection) that FtM has a schema
    for, as FtM entity dicts, in one snapshot (`export.snapshot_at`)."""
    with export.snapshot_at(as_of) as (read_as_of, _):
        for name, projection in projections.items():
            build = BUILDERS.get(name)
            if build is None:
                continue
            for item in export.items(name, projection, read_as_of):
                for entity in build(item):
                    yield entity.to_dict()


def lines(projections: dict, as_of=None) -> Iterator[bytes]:
    """`entities` as JSON Lines (what `ftm` and Aleph read)."""
    for entity in entities(projections, as_of):
        yield orjson.dumps(entity, option=export.LINE)
