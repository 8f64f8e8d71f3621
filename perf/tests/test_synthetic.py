"""The synthetic generator's trusted bulk paths write history as the services do."""

import pytest

from perf import synthetic
from sahel.core.history import close_superseded_rows
from sahel.core.models import tracked_models

pytestmark = pytest.mark.django_db


def test_the_generator_closes_superseded_rows_as_the_stamping_does():
    """Every history row's `history_end` as written by the generator is what the rule of
    the stamping (`close_superseded_rows`, tested in tests/test_history_end.py) gives."""
    tiny = synthetic.Scale(
        actors=20, affiliations=30, events=20, sources=5, countries=1, regions=2, towns=3,
        months=(3,), first_year=2015,
    )  # fmt: skip
    synthetic.Generator(tiny).run()
    closed = 0
    for model in tracked_models():
        rows = model.history.model._default_manager
        written = dict(rows.values_list("history_id", "history_end"))
        closed += sum(end is not None for end in written.values())
        rows.update(history_end=None)
        close_superseded_rows(model.history.model)
        assert dict(rows.values_list("history_id", "history_end")) == written, model.__name__
    assert closed > 100, "the generator revises claims: their earlier rows are closed"
