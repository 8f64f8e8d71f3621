"""The conventions of fixtures/README.md that can be checked mechanically, on the files.

These read the YAML files as written (no database), so they judge what the curators wrote
rather than what the loader made of it. Withdrawn records are not claims any more and are
left out. What cannot be checked by a program (that a date is no more precise than the
text, that a place is the one the text gives) is in docs/dataset-audit.md.

Where a check needs to know what the seed says (which passages report someone else's
claim, which events the text makes part of others), that knowledge is written down here as
data, each entry with the words of the seed that justify it; a test checks those words are
verbatim in the paragraph named, so the table cannot drift from the text.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from actors.models import SUBKINDS_BY_KIND
from sahel.dataset.loader import SAFE_LOADER

SEED = "timbuktu-shadow-politics-2019"


# -- reading the files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    what: str  # actor, name, affiliation, event, participation
    key: str
    certainty: str
    note: str  # the claim's own note (participations); "" otherwise
    citations: tuple[dict, ...]
    actors: tuple[str, ...]  # the actors the claim is about
    event_type: str = ""  # for events and their participations
    record: dict | None = None

    def plain_citations(self) -> list[dict]:
        """Citations of the claim as a whole (not of one of its fields)."""
        return [c for c in self.citations if not c.get("field")]


def _read(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


@pytest.fixture(scope="module")
def files() -> dict:
    root = Path(settings.FIXTURES_DIR)
    return {
        name: _read(root / f"{name}.yaml")
        for name in ("vocabularies", "places", "actors", "affiliations", "events")
    }


@pytest.fixture(scope="module")
def seed_lines() -> dict[str, list[str]]:
    """Source slug -> its lines (paragraphs), as the locators count them."""
    lines = {}
    for meta_path in sorted(Path(settings.SEEDS_DIR).glob("*.yaml")):
        meta = _read(meta_path)
        text = (meta_path.parent / meta["text_file"]).read_text(encoding="utf-8")
        lines[meta["slug"]] = text.split("\n")
    return lines


def _published(record: dict) -> bool:
    return record.get("status", "published") != "withdrawn"


def actors(files) -> list[dict]:
    return [a for a in files["actors"] if _published(a)]


def affiliations(files) -> list[dict]:
    live = {a["slug"] for a in actors(files)}
    return [
        t
        for t in files["affiliations"]
        if _published(t) and t["subject"] in live and t["object"] in live
    ]


def events(files) -> list[dict]:
    return [e for e in files["events"] if _published(e)]


def claims(files) -> Iterator[Claim]:
    for actor in actors(files):
        yield Claim(
            "actor",
            actor["slug"],
            actor.get("certainty", "confirmed"),
            "",
            tuple(actor.get("citations") or ()),
            (actor["slug"],),
            record=actor,
        )
        for name in actor.get("names") or ():
            if _published(name):
                yield Claim(
                    "name",
                    f"{actor['slug']}/{name['name']}",
                    name.get("certainty", "confirmed"),
                    "",
                    tuple(name.get("citations") or ()),
                    (actor["slug"],),
                    record=name,
                )
    for tie in affiliations(files):
        yield Claim(
            "affiliation",
            tie["slug"],
            tie.get("certainty", "confirmed"),
            "",
            tuple(tie.get("citations") or ()),
            (tie["subject"], tie["object"]),
            record=tie,
        )
    live = {a["slug"] for a in actors(files)}
    for event in events(files):
        yield Claim(
            "event",
            event["slug"],
            event.get("certainty", "confirmed"),
            "",
            tuple(event.get("citations") or ()),
            (),
            event["type"],
            record=event,
        )
        for part in event.get("participants") or ():
            if _published(part) and part["actor"] in live:
                yield Claim(
                    "participation",
                    f"{event['slug']}/{part['actor']}/{part['role']}",
                    part.get("certainty", "confirmed"),
                    part.get("note") or "",
                    tuple(part.get("citations") or ()),
                    (part["actor"],),
                    event["type"],
                    record=part,
                )


# -- what the seed says, as data ---------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """A passage in which the seed gives someone else's claim, or hedges its own."""

    para: int
    marker: str  # the words that attribute or hedge it
    passage: str  # the words of the claim itself
    reporters: tuple[str, ...] = ()  # actors whose own report it is (their record is exempt)
    hedged: bool = True  # the wording hedges the claim (certainty at most `possible`)


# Every passage of seed 000 that reports or hedges a claim (README, "Credibility" and
# "Certainty follows the source's own hedging"). `likely` (probable) is not here: the seed
# uses it inside sentences whose other claims are plain ("The leader likely helped bring
# Belmokhtar back into the fold after the latter freelanced ...").
REPORTED = [
    Reported(
        7,
        "may have begun",
        "may have begun cultivating ties with smugglers in the Timbuktu region as early as 1994",
    ),
    Reported(
        11,
        "Some accounts say",
        "as Abu Zayd’s deputy, Abu al-Hammam was central to the kidnapping economy",
    ),
    Reported(15, "Rumors of", "Rumors of competition between the two men"),
    Reported(21, "as is widely rumored", "Are there contacts, as is widely rumored"),
    Reported(
        24,
        "report raised the possibility",
        "had political ties to AQIM/JNIM",
        reporters=("un-panel-of-experts",),
    ),
    Reported(
        24,
        "are probing",
        "The potential link the U.N. experts are probing is",
        reporters=("un-panel-of-experts",),
    ),
    # Asserted without a hedge: credibility 3 (reported second-hand), certainty from the
    # wording (the attacks are `confirmed`; the military chief's part is disputed).
    Reported(
        24,
        "the U.N. panel asserted",
        "participated in AQIM attacks on Malian forces in the Timbuktu region in 2017",
        reporters=("un-panel-of-experts",),
        hedged=False,
    ),
    Reported(24, "allegations", "(allegations the CPA denies)", reporters=("cpa",), hedged=False),
    Reported(
        25,
        "simplistically",
        "widely (albeit simplistically) seen as heavily tied to the Peul ethnic group",
    ),
]

# Words by which a text attributes or hedges a claim. Every occurrence in the seeds must be
# one of the REPORTED markers, so that a new source (or a missed passage) is declared.
ATTRIBUTION = re.compile(
    r"[Ss]ome accounts say|[Rr]umou?rs? of|widely rumou?red|raised the possibility|are probing"
    r"|\basserted\b|allegations?|reportedly|according to|may have|simplistically"
)

# Events the seed makes part of a larger one, with the words that say so (README, Events:
# "`parent` is set only when the source makes the event part of a larger one").
PARENTS = {
    "destruction-of-sufi-shrines-timbuktu-2012": (
        "jihadist-rule-in-timbuktu-2012",
        12,
        "imposed their version of Islamic order, targeting Western-friendly businesses, "
        "enforcing a dress code, destroying Sufi shrines",
    ),
    "serval-kills-aqim-field-commanders-2013": (
        "operation-serval-intervention-2013",
        3,
        "Serval killed key AQIM field commanders",
    ),
    "polling-shutdown-southern-timbuktu-2018": (
        "mali-presidential-election-2018",
        16,
        "This dynamic was visible in Mali’s 2018 presidential election, when jihadists largely "
        "refrained from disrupting the vote in the far north, but dedicated substantial energy "
        "to shutting down polling places in the southern Timbuktu region",
    ),
    "polling-shutdown-mopti-region-2018": (
        "mali-presidential-election-2018",
        16,
        "dedicated substantial energy to shutting down polling places in the southern Timbuktu "
        "region and the adjacent Mopti region",
    ),
}

# Official or display names in which a rank is part of the name as the source spells it.
# None so far: "Col. Abass ag Mohamed Ahmed" (para. 20) is a rank before a name.
RANKS_SPELLED_AS_NAMES: set[str] = set()

RANK = re.compile(r"\b(Col|Gen|Lt|Maj|Capt|Cpt|Sgt|Cpl|Brig|Adm|Cmdr|Cdr)\.(?=\s)")
RANK_WORD = re.compile(r"\b(Colonel|General|Lieutenant|Major|Captain|Sergeant|Corporal)\b")

# A note saying that the claim is read from context rather than stated (README: "we infer
# it from context that does not state it outright (the note says so)" -> probable).
INFERENCE = re.compile(
    r"\binfer(s|red|ence)?\b|\bimpl(y|ies|ied|icit|icitly)\b|in so many words"
    r"|does not say outright|does not name|not stated",
    re.IGNORECASE,
)

PAIR = re.compile(r"AQIM/JNIM|JNIM/AQIM")
NUMBER_WORDS = dict(
    enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        )
    )
)
WEAKER_THAN_PROBABLE = {"possible", "doubtful", "disputed"}


def _span(line: str, text: str) -> range | None:
    start = line.find(text)
    return None if start < 0 else range(start, start + len(text))


def _overlap(a: range, b: range) -> int:
    return max(0, min(a.stop, b.stop) - max(a.start, b.start))


def _para(citation: dict) -> int | None:
    match = re.fullmatch(r"para\. (\d+)", citation.get("locator", ""))
    return int(match.group(1)) if match else None


def is_question(citation: dict) -> bool:
    """A question asserts nothing ("Are there contacts, as is widely rumored, …?")."""
    return citation.get("quote", "").rstrip().endswith("?")


def reported_passages(citation: dict, lines: dict[str, list[str]]) -> list[Reported]:
    """The REPORTED passages this citation's quote draws on: it overlaps the claim's words,
    or it quotes the words that attribute them."""
    if citation.get("source") != SEED or (para := _para(citation)) is None:
        return []
    line = lines[SEED][para - 1]
    quote = _span(line, citation.get("quote", ""))
    found = []
    for item in REPORTED:
        if item.para != para or quote is None:
            continue
        passage = _span(line, item.passage)
        if _overlap(quote, passage) >= 10 or item.marker in citation["quote"]:
            found.append(item)
    return found


def exempt_from_reporting(claim: Claim, item: Reported) -> bool:
    """Claims about the report itself: a name as spelled, a report event and its
    participants (the analyst states plainly what the report says), and the reporter's own
    records (the panel, its probes)."""
    return (
        claim.what == "name"
        or claim.event_type == "report"
        or bool(set(claim.actors) & set(item.reporters))
    )


# -- the tables of this module are the seed's words -------------------------------------------


def test_the_tables_quote_the_seed(seed_lines):
    lines = seed_lines[SEED]
    for item in REPORTED:
        assert item.marker in lines[item.para - 1], item
        assert item.passage in lines[item.para - 1], item
    for child, (parent, para, quote) in PARENTS.items():
        assert quote in lines[para - 1], (child, parent)


def test_every_attributed_or_hedged_passage_of_the_seeds_is_declared(seed_lines):
    """A new source, or a passage missed here, is declared in REPORTED before it is cited."""
    for source, lines in seed_lines.items():
        for number, line in enumerate(lines, 1):
            declared = [
                span
                for item in REPORTED
                if source == SEED and item.para == number
                for span in (_span(line, item.marker), _span(line, item.passage))
                if span
            ]
            for match in ATTRIBUTION.finditer(line):
                assert any(s.start <= match.start() and match.end() <= s.stop for s in declared), (
                    f"{source} para. {number}: {match.group()!r} is not in REPORTED"
                )


# -- certainty and credibility ----------------------------------------------------------------


def test_inferred_claims_are_not_confirmed(files):
    """A claim whose note, or the note of a citation of the claim as a whole, says it is
    inferred or implied is `probable` at most. (A citation of one field, e.g. a date, may
    infer that field: an approximate date does not lower certainty.)"""
    wrong = [
        f"{claim.what} {claim.key}"
        for claim in claims(files)
        if claim.certainty == "confirmed"
        and any(
            INFERENCE.search(text)
            for text in [claim.note, *(c.get("note") or "" for c in claim.plain_citations())]
        )
    ]
    assert not wrong, f"confirmed, though a note says it is inferred: {wrong}"


def test_reported_and_hedged_passages_are_graded_3_or_lower(files, seed_lines):
    """README, Credibility: `3` for what the source hedges or reports second-hand (a U.N.
    panel's assertion, "some accounts say"); `2` only for what the analyst states plainly."""
    wrong = []
    for claim in claims(files):
        for citation in claim.citations:
            reported = any(
                not exempt_from_reporting(claim, item)
                for item in reported_passages(citation, seed_lines)
            )
            asked = is_question(citation) and claim.what != "name"
            if (reported or asked) and citation["credibility"] < 3:
                wrong.append(f"{claim.what} {claim.key}: {citation['quote']!r}")
    assert not wrong, "graded 2, but the passage is reported or hedged:\n" + "\n".join(wrong)


def test_hedged_wording_gives_at_most_possible(files, seed_lines):
    """README, Certainty: "may have", "some accounts say", "raised the possibility",
    "potential link", "are probing", "rumors of", "as is widely rumored", a perception the
    source calls simplistic, a question -> `possible` (or weaker). Applies to ties, events
    and participations all of whose citations (of the whole claim) draw on such passages."""
    wrong = []
    for claim in claims(files):
        if claim.what not in {"affiliation", "event", "participation"}:
            continue
        plain = claim.plain_citations()
        hedged = [
            c
            for c in plain
            if is_question(c)
            or any(
                item.hedged and not exempt_from_reporting(claim, item)
                for item in reported_passages(c, seed_lines)
            )
        ]
        if plain and len(hedged) == len(plain) and claim.certainty not in WEAKER_THAN_PROBABLE:
            wrong.append(f"{claim.what} {claim.key} is {claim.certainty}")
    assert not wrong, "the source hedges these:\n" + "\n".join(wrong)


def test_uncertain_claims_have_an_uncertain_grade(files):
    """A claim that is not `confirmed` rests on a hedge, a report or an inference, which the
    README grades 3 (or 6 for a denial): at least one citation of the whole claim says so."""
    wrong = [
        f"{claim.what} {claim.key} ({claim.certainty})"
        for claim in claims(files)
        if claim.certainty != "confirmed"
        and not any(c["credibility"] >= 3 for c in claim.plain_citations())
    ]
    assert not wrong, f"uncertain, yet every citation is graded 2: {wrong}"


def test_denials_and_disputes(files):
    """`denies` is graded 6 (a denial the source reports without assessing it); a disputed
    claim has a `supports` citation and a `denies` or `disputes` one."""
    for claim in claims(files):
        stances = {c.get("stance", "supports") for c in claim.citations}
        for citation in claim.citations:
            if citation.get("stance") == "denies":
                assert citation["credibility"] == 6, (claim.key, citation["quote"])
        if claim.certainty == "disputed":
            assert "supports" in stances, claim.key
            assert stances & {"denies", "disputes"}, claim.key
        if stances & {"denies", "disputes"}:
            assert claim.certainty in {"disputed", "doubtful"}, claim.key


def test_grade_1_needs_a_second_source(files):
    """Grade 1 ("confirmed by other sources") needs citations of two sources."""
    for claim in claims(files):
        if any(c["credibility"] == 1 for c in claim.citations):
            assert len({c["source"] for c in claim.citations}) >= 2, claim.key


# -- AQIM/JNIM --------------------------------------------------------------------------------


def test_aqim_jnim_is_recorded_for_both_with_a_note(files):
    """README: when the source names the pair, the tie or participation is recorded for both
    organizations, each with a note "The source writes “AQIM/JNIM”" (as the pair is
    written: para. 19 has “JNIM/AQIM”)."""
    ties = {(t["subject"], t["type"], t["object"]) for t in affiliations(files)}
    parts = {
        (e["slug"], p["actor"], p["role"])
        for e in events(files)
        for p in e.get("participants") or ()
    }
    other = {"aqim": "jnim", "jnim": "aqim"}

    def swap(slug):
        return other.get(slug, slug)

    wrong = []
    for claim in claims(files):
        if claim.what not in {"affiliation", "participation"} or not set(claim.actors) & {
            "aqim",
            "jnim",
        }:
            continue
        for citation in claim.citations:
            match = PAIR.search(citation.get("quote", ""))
            if not match:
                continue
            if f"“{match.group()}”" not in f"{citation.get('note') or ''} {claim.note}":
                wrong.append(f"{claim.key}: no note “{match.group()}”")
            if claim.what == "affiliation":
                rec = claim.record
                if (swap(rec["subject"]), rec["type"], swap(rec["object"])) not in ties:
                    wrong.append(f"{claim.key}: not recorded for the other organization")
            else:
                event, actor, role = claim.key.split("/")
                if (event, swap(actor), role) not in parts:
                    wrong.append(f"{claim.key}: not recorded for the other organization")
    assert not wrong, "\n".join(wrong)


# -- actors, names, kinds ---------------------------------------------------------------------


def readme_subkinds() -> dict[str, set[str]]:
    """The kind/subkind table of fixtures/README.md."""
    text = (Path(settings.FIXTURES_DIR) / "README.md").read_text(encoding="utf-8")
    table = text.split("Kind/subkind pairs:", 1)[1]
    kinds = {}
    for row in re.findall(r"^\s*\|([^|\n]+)\|([^|\n]+)\|\s*$", table, re.M):
        names, subkinds = (cell.strip() for cell in row)
        if names in {"kind", "---"} or set(names) <= {"-", " "}:
            continue
        allowed = set() if "only" in subkinds else {s.strip() for s in subkinds.split(",")}
        for kind in names.split(","):
            kinds[kind.strip()] = allowed
    return kinds


def test_readme_kind_table_is_the_model_one():
    assert readme_subkinds() == {str(k): {str(s) for s in v} for k, v in SUBKINDS_BY_KIND.items()}


def test_kinds_and_subkinds_follow_the_table(files):
    table = readme_subkinds()
    wrong = []
    for actor in actors(files):
        kind, subkind = actor["kind"], actor.get("subkind") or ""
        allowed = table.get(kind)
        if allowed is None or (subkind not in allowed if allowed else subkind != ""):
            wrong.append(f"{actor['slug']}: {kind}/{subkind or '(empty)'}")
    assert not wrong, f"kind/subkind outside the README table: {wrong}"


def test_display_names_are_names_without_a_rank(files):
    for actor in actors(files):
        names = {n["name"]: n for n in actor.get("names") or () if _published(n)}
        assert actor["name"] in names, f"{actor['slug']}: display name not among its names"
        official = [n for n in names if names[n].get("kind", "official") == "official"]
        for name in {actor["name"], *official} - RANKS_SPELLED_AS_NAMES:
            assert not RANK.search(name), f"{actor['slug']}: rank in {name!r}"
            if actor["kind"] == "person":
                assert not RANK_WORD.search(name), f"{actor['slug']}: rank in {name!r}"


def test_name_kinds_fit_the_names(files):
    """README, Name kinds: acronyms are capitals, a kunya is "Abu X" and a nisba "al-X"
    (romanized Arabic, `ar-Latn`), an unnamed actor's bracketed name is `descriptive`."""
    for actor in actors(files):
        for entry in actor.get("names") or ():
            name, kind = entry["name"], entry.get("kind", "official")
            where = f"{actor['slug']}: {name!r} ({kind})"
            assert (kind == "acronym") == bool(re.fullmatch(r"[A-Z]{2,}", name)), where
            if kind == "kunya":
                assert name.startswith("Abu "), where
                assert entry["language"] == "ar-Latn", where
            if kind == "nisba":
                assert name.startswith("al-"), where
                assert entry["language"] == "ar-Latn", where
            if name.startswith("["):
                assert kind == "descriptive", where


def test_actor_dates_are_cited_and_confirmed(files):
    """README: `begin`/`end` only when the source gives it and the claim is confirmed; a
    citation names the field it supports."""
    for actor in actors(files):
        for field in ("begin", "end"):
            if actor.get(field):
                assert actor.get("certainty", "confirmed") == "confirmed", actor["slug"]
                cited = {c.get("field") for c in actor["citations"]}
                assert field in cited, f"{actor['slug']}: {field} without a citation of it"


def test_nothing_from_outside_the_seed(files):
    """README: no identifiers, no coordinates; fatalities only where the source gives the
    number."""
    for actor in actors(files):
        assert not actor.get("identifiers"), actor["slug"]
    for place in files["places"]:
        assert place.get("latitude") is None, place["slug"]
        assert place.get("longitude") is None, place["slug"]
    for event in events(files):
        if (number := event.get("fatalities")) is not None:
            words = {str(number), NUMBER_WORDS.get(number, str(number))}
            assert any(
                re.search(rf"\b({'|'.join(words)})\b", c["quote"], re.IGNORECASE)
                for c in event["citations"]
            ), f"{event['slug']}: no citation gives {number}"


# -- affiliations and events ------------------------------------------------------------------


def test_affiliation_slugs_read_subject_type_object(files):
    for tie in files["affiliations"]:
        stem = f"{tie['subject']}--{tie['type']}--{tie['object']}"
        assert tie["slug"] == stem or tie["slug"].startswith(stem + "--"), tie["slug"]


def test_event_parents_are_those_the_seed_states(files):
    parents = {e["slug"]: e["parent"] for e in events(files) if e.get("parent")}
    allowed = {child: parent for child, (parent, _, _) in PARENTS.items()}
    assert parents == allowed
