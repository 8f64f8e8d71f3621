"""The workbench's actor search: the same transliteration-insensitive matching as the
public search, over drafts too."""

from django.db.models import F, OuterRef, Q, Subquery

from sahel.read.search import matching_names


def actors_named(text: str):
    """Ids of actors with a name matching `text`, drafts included, by the same
    transliteration-insensitive matching as the public search (sahel.core.selectors)."""
    from actors.models import Name

    return matching_names(text, names=Name.objects.all()).values("actor_id")


def ordered_by_name_match(queryset, search_term):
    """Actors matching `search_term` by any of their names (drafts included) or by display
    name or slug, best name match first: the admin's search and autocomplete."""
    from actors.models import Name

    best = (
        matching_names(search_term, names=Name.objects.all())
        .filter(actor_id=OuterRef("id"))
        .order_by("rank")
        .values("rank")[:1]
    )
    return (
        queryset.annotate(search_rank=Subquery(best))
        .filter(
            Q(search_rank__isnull=False)
            | Q(name__icontains=search_term.strip())
            | Q(slug__icontains=search_term.strip())
        )
        .order_by(F("search_rank").asc(nulls_last=True), "name", "id")
    )
