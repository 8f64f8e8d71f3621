"""The workbench's actor search: the public search's matcher (sahel.read.matcher), over
drafts too."""

from django.db.models import F, Q

from sahel.read.search import search_hits


def actors_named(text: str) -> list[int]:
    """Ids of actors with a name matching `text`, drafts included, by the public search's
    matcher."""
    from actors.models import Name

    return [hit.actor_id for hit in search_hits(text, names=Name.objects.all())]


def ordered_by_name_match(queryset, search_term):
    """Actors matching `search_term` by any of their names (drafts included) or by display
    name or slug, best name match first: the admin's search and autocomplete."""
    from django.db.models import Case, IntegerField, Value, When

    from actors.models import Name

    hits = search_hits(search_term, names=Name.objects.all())
    rank = Case(
        *(When(id=hit.actor_id, then=Value(i)) for i, hit in enumerate(hits)),
        default=None,
        output_field=IntegerField(),
    )
    term = search_term.strip()
    return (
        queryset.annotate(search_rank=rank)
        .filter(
            Q(id__in=[hit.actor_id for hit in hits])
            | Q(name__icontains=term)
            | Q(slug__icontains=term)
        )
        .order_by(F("search_rank").asc(nulls_last=True), "name", "id")
    )
