"""The dataset loader and the curated dataset itself."""

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from actors.models import Actor, Name
from affiliations.models import Affiliation
from events.models import Event, Participation
from places.models import Place
from sahel.core import services
from sahel.core.models import ChangeSetLog, tracked_models
from sahel.dataset.loader import LOADER_USERNAME, DatasetError, DatasetLoader, loader_user
from sources.models import Citation, Source
from tests.curated import contents as curated_contents
from tests.curated import load_curated

pytestmark = pytest.mark.django_db

SEED_TEXT = (
    "Title line\n"
    "In 2017, a merger produced JNIM, which is led by ag Ghali with Abu al-Hammam as deputy.\n"
    "In September 2018, his men murdered Salim Ould M’Begui.\n"
)

FILES = {
    "seeds/doc.yaml": """
        slug: doc
        title: A document
        kind: article
        text_file: doc.txt
    """,
    "fixtures/vocabularies.yaml": """
        affiliation_types:
          - {slug: leader-of, label: leader of, inverse_label: led by}
          - {slug: allied-with, label: allied with, symmetric: true}
        event_types:
          - {slug: assassination, label: assassination,
             acled_event_type: Violence against civilians}
        participation_roles:
          - {slug: victim, label: victim}
    """,
    "fixtures/places.yaml": """
        - {slug: mali, name: Mali, kind: country}
        - {slug: timbuktu, name: Timbuktu, kind: city, parent: mali}
    """,
    "fixtures/actors.yaml": """
        - slug: jnim
          name: JNIM
          kind: organization
          subkind: coalition
          begin: "2017"
          names:
            - {name: JNIM, kind: acronym}
          citations:
            - {source: doc, locator: para. 2, quote: "a merger produced JNIM"}
        - slug: iyad-ag-ghali
          name: ag Ghali
          kind: person
          names: [{name: ag Ghali}]
          citations:
            - {source: doc, locator: para. 2, quote: "led by ag Ghali"}
        - slug: salim-ould-mbegui
          name: Salim Ould M’Begui
          kind: person
          names: [{name: Salim Ould M’Begui}]
          citations:
            - {source: doc, locator: para. 3, quote: "Salim Ould M’Begui"}
    """,
    "fixtures/affiliations.yaml": """
        - slug: ghali-leads-jnim
          subject: iyad-ag-ghali
          type: leader-of
          object: jnim
          start: "2017"
          citations:
            - {source: doc, locator: para. 2, quote: "which is led by ag Ghali"}
    """,
    "fixtures/events.yaml": """
        - slug: killing-of-mbegui
          title: Killing of Salim Ould M’Begui
          type: assassination
          date: 2018-09
          place: timbuktu
          citations:
            - {source: doc, locator: para. 3, quote: "In September 2018, his men murdered"}
          participants:
            - actor: salim-ould-mbegui
              role: victim
              citations:
                - {source: doc, locator: para. 3, quote: "murdered Salim Ould M’Begui"}
    """,
}


@pytest.fixture
def dataset(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "seeds" / "doc.txt").write_text(SEED_TEXT, encoding="utf-8")
    for name, content in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(content), encoding="utf-8")
    return tmp_path


def load(root: Path):
    return DatasetLoader(root / "seeds", root / "fixtures", base_dir=root).load()


def history_count() -> int:
    return sum(model.history.count() for model in tracked_models())


def test_loads_everything_with_history_naming_the_file(dataset):
    report = load(dataset)
    assert report.counts["Actor", "created"] == 3
    tie = Affiliation.objects.get(slug="ghali-leads-jnim")
    assert (tie.subject.slug, tie.type.slug, tie.object.slug, tie.start) == (
        "iyad-ag-ghali",
        "leader-of",
        "jnim",
        "2017",
    )
    assert tie.start_lower.isoformat() == "2017-01-01"
    event = Event.objects.get(slug="killing-of-mbegui")
    assert event.place.parent.slug == "mali"
    assert Participation.objects.get(event=event).role.slug == "victim"
    assert Source.objects.get(slug="doc").text == SEED_TEXT
    assert len(Source.objects.get(slug="doc").checksum) == 64
    rows = Actor.history.filter(slug="jnim")
    assert [r.history_change_reason for r in rows] == ["Load fixtures/actors.yaml"]
    assert rows[0].history_user.username == LOADER_USERNAME
    assert Citation.history.filter(history_change_reason="Load fixtures/events.yaml").count() == 2


def test_loader_is_idempotent(dataset):
    load(dataset)
    before = history_count()
    report = load(dataset)
    assert report.writes == 0
    assert history_count() == before


def test_a_changed_record_is_updated_with_one_history_row(dataset):
    load(dataset)
    path = dataset / "fixtures" / "affiliations.yaml"
    path.write_text(
        path.read_text()
        .replace('end: ""', "")
        .replace('start: "2017"', 'start: "2017"\n  end: "2018"')
    )
    before = history_count()
    report = load(dataset)
    assert report.counts["Affiliation", "updated"] == 1
    assert history_count() == before + 1
    assert Affiliation.objects.get(slug="ghali-leads-jnim").end == "2018"


def test_a_record_reason_goes_into_the_history_of_its_change(dataset):
    """A correction loaded over an older dataset says why: the record's `reason` is added
    to the file's change reason, for the record's own rows and its citations."""
    load(dataset)
    path = dataset / "fixtures" / "affiliations.yaml"
    path.write_text(
        path.read_text()
        .replace(
            "- slug: ghali-leads-jnim", "- slug: ghali-leads-jnim\n  reason: the source hedges it"
        )
        .replace("type: leader-of", "type: leader-of\n  certainty: probable")
        .replace(
            'quote: "which is led by ag Ghali"}',
            'quote: "which is led by ag Ghali", credibility: 3}',
        )
    )
    report = load(dataset)
    assert report.counts["Affiliation", "updated"] == 1
    assert report.counts["Citation", "updated"] == 1
    expected = "Load fixtures/affiliations.yaml: the source hedges it"
    tie = Affiliation.objects.get(slug="ghali-leads-jnim")
    assert tie.certainty == "probable"
    assert tie.history.latest().history_change_reason == expected
    assert Citation.history.filter(history_change_reason=expected).count() == 1
    assert ChangeSetLog.objects.order_by("seq").last().reason == expected
    # Unchanged records write nothing, with or without a reason.
    before = history_count()
    assert load(dataset).writes == 0
    assert history_count() == before


def test_withdrawal_and_parent_removal_are_loaded_with_their_reason(dataset):
    """How the files remove a record (`status: withdrawn`: the loader never deletes) and a
    parent (`parent: ""`)."""
    events = dataset / "fixtures" / "events.yaml"
    parent = textwrap.dedent("""\
        - slug: mbegui-aftermath
          title: Aftermath
          type: assassination
          citations:
            - {source: doc, locator: para. 3, quote: "his men murdered"}
    """)
    events.write_text(
        parent
        + events.read_text().replace(
            "  type: assassination\n  date: 2018-09",
            "  type: assassination\n  parent: mbegui-aftermath\n  date: 2018-09",
        )
    )
    load(dataset)
    assert Event.objects.get(slug="killing-of-mbegui").parent.slug == "mbegui-aftermath"
    events.write_text(
        events.read_text()
        .replace("  parent: mbegui-aftermath\n", '  parent: ""\n  reason: no parent in the text\n')
        .replace(
            "- slug: mbegui-aftermath\n",
            "- slug: mbegui-aftermath\n  status: withdrawn\n  reason: not in the text\n",
        )
    )
    load(dataset)
    child = Event.objects.get(slug="killing-of-mbegui")
    assert child.parent is None
    assert child.history.latest().history_change_reason == (
        "Load fixtures/events.yaml: no parent in the text"
    )
    withdrawn = Event.objects.get(slug="mbegui-aftermath")
    assert withdrawn.status == "withdrawn"
    assert withdrawn.history.latest().history_change_reason == (
        "Load fixtures/events.yaml: not in the text"
    )


def test_a_reason_must_be_text(dataset):
    path = dataset / "fixtures" / "actors.yaml"
    path.write_text(path.read_text().replace("- slug: jnim", "- slug: jnim\n  reason: [a, b]"))
    with pytest.raises(DatasetError, match=r"record 'jnim': reason must be a string"):
        load(dataset)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "fixtures/affiliations.yaml",
            "object: jnim",
            "object: jnin",
            "fixtures/affiliations.yaml: record 'ghali-leads-jnim': unknown object (actor) 'jnin'",
        ),
        (
            "fixtures/actors.yaml",
            'begin: "2017"',
            'begin: "2017-13"',
            "fixtures/actors.yaml: record 'jnim': begin: '2017-13' is not a valid EDTF date",
        ),
        (
            "fixtures/events.yaml",
            "In September 2018, his men murdered",
            "In September 2018, his men killed",
            "fixtures/events.yaml: record 'killing-of-mbegui': quote: The quote is not verbatim "
            "in 'doc'",
        ),
        (
            "fixtures/actors.yaml",
            'quote: "led by ag Ghali"',
            'quote: "Salim Ould M’Begui"',
            "fixtures/actors.yaml: record 'iyad-ag-ghali': locator: The quote is in 'doc' but not "
            "in paragraph 2",
        ),
        (
            "fixtures/events.yaml",
            "role: victim",
            "role: victm",
            "fixtures/events.yaml: record 'killing-of-mbegui': unknown participation role 'victm'",
        ),
        (
            "fixtures/actors.yaml",
            "subkind: coalition",
            "subkind: coalition\n  rank: 3",
            "fixtures/actors.yaml: record 'jnim': unknown field(s): rank",
        ),
        (
            "fixtures/affiliations.yaml",
            "citations:",
            "x_citations:",
            "fixtures/affiliations.yaml: record 'ghali-leads-jnim': unknown field(s): x_citations",
        ),
    ],
)
def test_a_corrupted_record_is_reported_by_file_and_record(dataset, file, old, new, message):
    path = dataset / file
    original = path.read_text(encoding="utf-8")
    assert original.count(old) == 1
    path.write_text(original.replace(old, new), encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load(dataset)
    assert message in str(caught.value), str(caught.value)
    # All or nothing: a bad record means nothing was written.
    assert not Actor.objects.exists()
    assert not Source.objects.exists()
    assert history_count() == 0


def test_every_problem_is_reported_at_once(dataset):
    path = dataset / "fixtures" / "affiliations.yaml"
    path.write_text(path.read_text().replace("leader-of", "leads"))
    events = dataset / "fixtures" / "events.yaml"
    events.write_text(events.read_text().replace("2018-09", "Sept 2018"))
    with pytest.raises(DatasetError) as caught:
        load(dataset)
    assert len(caught.value.problems) == 2


def test_management_command_reports_problems_as_command_error(dataset):
    (dataset / "fixtures" / "places.yaml").write_text("- {slug: mali, kind: country}\n")
    with pytest.raises(CommandError, match=r"places.yaml: record 'mali': missing required"):
        call_command(
            "load_dataset", seeds=dataset / "seeds", fixtures=dataset / "fixtures", verbosity=0
        )


# -- the curated dataset (loaded once for these tests: the root conftest's `curated`) --------


def test_curated_dataset_loads_idempotently(curated):
    before = history_count()
    call_command("load_dataset", verbosity=0)
    assert history_count() == before


def test_every_claim_has_a_citation(curated):
    for model in (Actor, Affiliation, Event, Participation):
        cited = set(
            Citation.objects.filter(content_type__model=model._meta.model_name).values_list(
                "object_id", flat=True
            )
        )
        uncited = [str(obj) for obj in model.objects.exclude(pk__in=cited)]
        assert not uncited, f"{model.__name__} without a citation: {uncited}"


def test_every_quote_is_verbatim_in_its_seed_file(curated):
    """Checked against the files on disk, independently of the loader's own check."""
    for citation in Citation.objects.select_related("source"):
        meta = yaml.safe_load(
            next(
                p
                for p in settings.SEEDS_DIR.glob("*.yaml")
                if yaml.safe_load(p.read_text())["slug"] == citation.source.slug
            ).read_text()
        )
        text = (settings.SEEDS_DIR / meta["text_file"]).read_text(encoding="utf-8")
        assert citation.quote, f"citation {citation.pk} has no quote"
        assert citation.quote in text, citation.quote
        match = re.fullmatch(r"para\. (\d+)", citation.locator)
        assert match, f"locator {citation.locator!r}"
        assert citation.quote in text.split("\n")[int(match.group(1)) - 1], citation.quote


def test_curated_dataset_meets_the_floor(curated):
    assert Actor.objects.count() > 30
    assert Affiliation.objects.count() > 35
    assert Event.objects.count() > 20
    # Variant spellings the source uses are recorded as names of one actor.
    droukdel = Name.objects.get(name="Abdelmalek Droukdel").actor
    assert droukdel.names.filter(name="Abdelmalik Droukdel").exists()
    jnim = Name.objects.get(name="Jama‘at Nusrat al-Islam wa-l-Muslimin").actor
    assert jnim.names.filter(
        name="The Group for Supporting Islam and Muslims", kind="translation"
    ).exists()


def test_the_curated_dataset_put_back_is_the_one_loaded():
    """tests/curated.py writes back what the first load wrote: every table then holds what a
    load through the services gives (rows, primary keys, history), and a new row gets a
    fresh id."""
    with transaction.atomic():
        load_curated()  # the rows of a load are known from here on
        transaction.set_rollback(True)
    with transaction.atomic():
        call_command("load_dataset", verbosity=0)
        loaded = curated_contents()
        transaction.set_rollback(True)
    with transaction.atomic():
        load_curated()
        put_back = curated_contents()
        assert put_back == loaded
        assert sum(len(table.rows) for table in put_back.values()) > 1500
        assert services.create(
            Place, user=loader_user(), reason="a new place", slug="new", name="New", kind="town"
        ).pk > max(Place.objects.values_list("pk", flat=True).exclude(slug="new"))
        transaction.set_rollback(True)


def test_a_new_actor_named_like_another_is_reported_as_a_possible_duplicate(dataset):
    """The loader's duplicate check is the search's matcher: a new actor whose name is another
    spelling of an existing actor's is loaded, with a warning naming both."""
    load(dataset)
    path = dataset / "fixtures" / "actors.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + textwrap.dedent(
            """
            - slug: ghali-again
              name: Ag Ghaly
              kind: person
              names:
                - {name: Ag Ghaly}
              citations:
                - {source: doc, locator: para. 2, quote: "led by ag Ghali"}
            """
        ),
        encoding="utf-8",
    )
    report = load(dataset)
    assert report.counts["Actor", "created"] == 1
    # (The module's curated dataset may be loaded too: other warnings may come with it.)
    [warning] = [w for w in report.warnings if "'ghali-again' may be 'iyad-ag-ghali'" in w]
    assert "'ag Ghali'" in warning
    assert not [w for w in load(dataset).warnings if "may be" in w]  # when it is new only
