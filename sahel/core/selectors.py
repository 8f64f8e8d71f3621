"""The read side, in one place: what the public may see, as of when, valid when.

REST and GraphQL read through these functions, so visibility, transaction time (`as_of`)
and valid time (`valid_at`) are decided here and cannot drift between the two APIs.

- `public(Model)` — rows the public may see: published claims whose required relations
  (`Model.visibility_requires`) are public too, recursively. Places, sources and
  vocabularies are reference data and always public. A citation is public when what it
  cites is public.
- `public(Model, as_of=T)` — the same question asked of the database as it stood at
  instant T, answered from the history tables, except that a claim withdrawn (or sent
  back to draft) since is hidden from the past too. It returns *historical rows* (same field
  names as the live model, plus history_date etc.); follow relations by id through
  `public(..., as_of=T)` again, never through attribute access, which reads live rows.
- `valid_at(queryset, Model, day)` — claims that may have held on `day`, by the fuzzy
  bounds of `Model.valid_time_fields`. Bounds are inclusive and widened by the source's
  hedging; an open or unknown end of a tie does not exclude it.
"""

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.manager import BaseManager

from sahel.core.history import later_rows
from sahel.core.models import (
    CitableModel,
    ClaimModel,
    PublicationStatus,
    TrackedModel,
    citable_models,
)


class CurrentAt(Func):
    """A history row is the object's state at `instant`: history_date <= T < history_end
    (an open end: still current). On PostgreSQL the same condition as one range
    containment, which the GiST index of every history table serves
    (`sahel/migrations/0003_history_range_indexes.py`): a B-tree on either column alone
    cannot, since most rows pass one bound or the other."""

    output_field = BooleanField()

    def __init__(self, instant: datetime.datetime):
        super().__init__(
            F("history_date"), F("history_end"), Value(instant, output_field=DateTimeField())
        )

    def _parts(self, compiler):
        return [compiler.compile(part) for part in self.get_source_expressions()]

    def as_sql(self, compiler, connection, **extra):
        (start, start_params), (end, end_params), (at, at_params) = self._parts(compiler)
        return (
            f"({start} <= {at} AND ({end} > {at} OR {end} IS NULL))",
            [*start_params, *at_params, *end_params, *at_params, *end_params],
        )

    def as_postgresql(self, compiler, connection, **extra):
        (start, start_params), (end, end_params), (at, at_params) = self._parts(compiler)
        return (
            f"tstzrange({start}, {end}, '[)') @> ({at})::timestamptz",
            [*start_params, *end_params, *at_params],
        )


def rows_as_of(model: type[TrackedModel], instant: datetime.datetime) -> QuerySet:
    """Historical rows: the latest state of every object that existed at `instant`
    (objects deleted since are included; objects created after or deleted before are not).
    A row holds from its history_date until the next row's (`history_end`, kept by
    `sahel.core.history` when change sets are stamped): a range condition on each row
    (`CurrentAt`), not an anti-join over the history. Rows of one change set share a
    timestamp; ties go to the later row. Ends are set when a change set is stamped, at its
    commit: read the past outside the change set that is writing it."""
    return model.history.model._default_manager.filter(CurrentAt(instant)).exclude(history_type="-")


def _hidden_now(model: type[ClaimModel]) -> Q:
    """Claims whose latest state is not published: a claim withdrawn or sent back to draft
    is hidden from every public view of the past too. The latest state is the live row or,
    for an object deleted since, its state at its last deletion. Read from the live table
    (indexed by status) and the few deletion rows, not by finding every object's latest
    history row (an anti-join over the whole history table, per query)."""
    history = model.history.model
    live = model._base_manager.all()
    later_deletion = later_rows(history).filter(history_type="-")
    deleted_hidden = (
        history._default_manager.filter(history_type="-")
        .exclude(status=PublicationStatus.PUBLISHED)
        .filter(~Exists(later_deletion))
        .exclude(id__in=live.values("id"))
    )
    return Q(id__in=live.exclude(status=PublicationStatus.PUBLISHED).values("id")) | Q(
        id__in=deleted_hidden.values("id")
    )


def public(
    model: type[TrackedModel],
    *,
    as_of: datetime.datetime | None = None,
    ignore_later_withdrawals: bool = False,
    generic_targets: tuple | None = None,
    known: tuple[str, ...] = (),
) -> QuerySet:
    """`ignore_later_withdrawals` answers "was it public then?" for claims withdrawn
    since: only to decide that a removal happened, never to show content.
    `generic_targets`: the only models a generic relation may point to (the citations of
    one model need not be checked against every citable model: one branch, not an OR).
    `known`: relations whose targets the caller has already read as public at the same
    instant and filters the rows by (the children and citations of a page of public
    objects, REST and GraphQL alike): not checked again."""
    queryset = model.objects.all() if as_of is None else rows_as_of(model, as_of)
    if issubclass(model, ClaimModel):
        queryset = queryset.filter(status=PublicationStatus.PUBLISHED)
        if as_of is not None and not ignore_later_withdrawals:
            queryset = queryset.exclude(_hidden_now(model))
    for name in model.visibility_requires:
        if name in known:
            continue
        queryset = queryset.filter(
            _public_relation(model, name, as_of, ignore_later_withdrawals, generic_targets)
        )
    return queryset


def _public_relation(
    model, name: str, as_of, ignore_later_withdrawals=False, generic_targets=None
) -> Q:
    def targets(related_model) -> QuerySet:
        related = public(
            related_model, as_of=as_of, ignore_later_withdrawals=ignore_later_withdrawals
        )
        return related.values("id")

    field = model._meta.get_field(name)
    if isinstance(field, GenericForeignKey):
        condition = Q(pk__in=[])
        for target in generic_targets or citable_models():
            content_type = ContentType.objects.get_for_model(target)
            condition |= Q(
                **{
                    field.ct_field + "_id": content_type.pk,
                    f"{field.fk_field}__in": targets(target),
                }
            )
        return condition
    if as_of is None and _public_is_published(field):
        # Live, every target exists (a foreign key, not null) and is public exactly when it
        # is published: "not among the unpublished", the few rows of a partial index
        # (sahel/0002), instead of hashing every public target (18,400 actors at medium).
        hidden = field.related_model._base_manager.exclude(status=PublicationStatus.PUBLISHED)
        return ~Q(**{f"{field.attname}__in": hidden.values("id")})
    return Q(**{f"{field.attname}__in": targets(field.related_model)})


def _public_is_published(field) -> bool:
    """Whether the live public targets of foreign key `field` are exactly the published
    rows of its model, and every row has one (not null, enforced by the database)."""
    target = field.related_model
    return (
        not field.null
        and field.db_constraint
        and field.target_field.name == "id"
        and issubclass(target, ClaimModel)
        and not target.visibility_requires
        and _filters_nothing(target._default_manager)
    )


def _filters_nothing(manager) -> bool:
    """Whether the manager answers every row of its table: it keeps the base manager's
    `get_queryset` and its query set class (TrackedQuerySet) does not narrow `all()`."""
    return (
        type(manager).get_queryset is BaseManager.get_queryset
        and type(manager.get_queryset()).all is QuerySet.all
    )


def history_rows_maybe_public(model: type[TrackedModel]) -> QuerySet:
    """History rows of `model` that may have been public just before or just after the
    change set that wrote them. Any other row (a draft edited or deleted, a citation of an
    object never published) changed nothing the public could see, so the history and the
    change feed skip its change set in SQL, at no cost: their work does not grow with, and
    cannot time, hidden editing.

    A claim row qualifies when it or the row it follows (the object's state before) is
    published; a row that needs other objects public (`visibility_requires`) qualifies
    only when they were published at some time. Over-inclusive, never under-inclusive: the
    rows kept are then compared as the public sees them."""
    history = model.history.model
    rows = history._default_manager.all()
    if issubclass(model, ClaimModel):
        previous = history._default_manager.filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
            id=OuterRef("id"),
        ).order_by("-history_date", "-history_id")
        rows = rows.alias(previous_status=Subquery(previous.values("status")[:1])).filter(
            Q(status=PublicationStatus.PUBLISHED) | Q(previous_status=PublicationStatus.PUBLISHED)
        )
    for name in model.visibility_requires:
        rows = rows.filter(_ever_public_relation(model, name))
    return rows


def _ever_published_ids(model: type[TrackedModel]) -> QuerySet | None:
    """Ids of objects of `model` that were public at some time (a superset); None when
    every object is (reference data)."""
    if not issubclass(model, ClaimModel) and not model.visibility_requires:
        return None
    rows = model.history.model._default_manager.all()
    if issubclass(model, ClaimModel):
        rows = rows.filter(status=PublicationStatus.PUBLISHED)
    for name in model.visibility_requires:
        rows = rows.filter(_ever_public_relation(model, name))
    return rows.values("id")


def _ever_public_relation(model, name: str) -> Q:
    field = model._meta.get_field(name)
    if isinstance(field, GenericForeignKey):
        condition = Q(pk__in=[])
        for target in citable_models():
            content_type = Q(
                **{field.ct_field + "_id": ContentType.objects.get_for_model(target).pk}
            )
            ids = _ever_published_ids(target)
            condition |= (
                content_type if ids is None else content_type & Q(**{f"{field.fk_field}__in": ids})
            )
        return condition
    ids = _ever_published_ids(field.related_model)
    return Q() if ids is None else Q(**{f"{field.attname}__in": ids})


def public_citations(
    model: type[CitableModel], ids, *, as_of: datetime.datetime | None = None
) -> QuerySet:
    """The citations of the given objects of `model`, which the caller read as public at
    `as_of` (a citation is public when its target is: they need no check of their own)."""
    from sources.models import Citation

    return public(Citation, as_of=as_of, known=("target",)).filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in_ids=ids
    )


def valid_at(queryset: QuerySet, model: type[TrackedModel], day: datetime.date) -> QuerySet:
    return valid_during(queryset, model, day, day)


def valid_during(
    queryset: QuerySet,
    model: type[TrackedModel],
    lower: datetime.date | None,
    upper: datetime.date | None,
) -> QuerySet:
    """Claims whose fuzzy valid time overlaps [lower, upper] (None: unbounded)."""
    if model.valid_time_fields is None:
        raise TypeError(f"{model.__name__} has no valid time.")
    start, end = model.valid_time_fields
    if upper is not None:
        queryset = queryset.filter(
            Q(**{f"{start}_lower__lte": upper}) | Q(**{f"{start}_lower__isnull": True})
        )
    if lower is not None:
        queryset = queryset.filter(
            Q(**{f"{end}_upper__gte": lower}) | Q(**{f"{end}_upper__isnull": True})
        )
    if start == end:
        # A single date (an event) must be known to place the claim in time at all.
        queryset = queryset.exclude(**{start: ""})
    return queryset


def place_with_descendants(place_ids: int | list[int], *, as_of=None) -> list[int]:
    """The place(s) and every place inside them, at any depth (one query)."""
    from places.models import Place

    children = {}
    for pk, parent_id in public(Place, as_of=as_of).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found = []
    pending = list(place_ids) if isinstance(place_ids, list | tuple) else [place_ids]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.append(current)
        pending += children.get(current, [])
    return found
