"""Links from a change form to the explorer's page of the object (its network, timeline
and map), by URL name: the admin imports nothing of the explorer.

The explorer shows what the public sees. For an object the public does not see (a draft,
a withdrawn claim, a published actor's name hidden with it) the form says so and where
its page will be once published, and links instead to the explorer pages of the public
actors it is tied to: its surroundings as the public sees them now. Nothing hidden is
shown on a public page to make this work.
"""

from django.db.models import Q
from django.urls import reverse

from sahel.core import selectors
from sahel.read.parts import parts_of

MAX_NEIGHBOURS = 12


def explorer_links(model_admin, obj) -> dict:
    """{public, page, sections: [(title, url)], neighbours: [(name, url)]} for the change
    form of `obj` (two queries; three for a hidden actor)."""
    model = type(obj)
    page = reverse(f"explorer:{model_admin.explorer_page}", args=[obj.slug])
    public = selectors.public(model).filter(pk=obj.pk).exists()
    links = {
        "public": public,
        "page": page,
        "status": getattr(obj, "status", ""),
        "sections": [
            (title, f"{page}#{anchor}") for title, anchor in model_admin.explorer_sections
        ],
        "neighbours": [],
    }
    if not public:
        links["neighbours"] = _public_neighbours(model_admin, obj)
    return links


def _public_neighbours(model_admin, obj) -> list[tuple[str, str]]:
    """The public objects of the same kind tied to `obj` by the claims that depend on it
    (an actor's ties, public or not: the editor is looking at their own work), with their
    explorer pages; one query a kind of tie, and one for them."""
    model = type(obj)
    tied = set()
    for part in parts_of(model):
        if part.owned or len(part.fks) < 2:
            continue
        condition = Q(pk__in=[])
        for fk in part.fks:
            condition |= Q(**{fk: obj.pk})
        for row in part.model.objects.filter(condition).values_list(
            *(f"{fk}_id" for fk in part.fks)
        ):
            tied.update(row)
    tied.discard(obj.pk)
    if not tied:
        return []
    found = selectors.public(model).filter(pk__in=tied).order_by("name")[:MAX_NEIGHBOURS]
    page = model_admin.explorer_page
    return [(str(o), reverse(f"explorer:{page}", args=[o.slug])) for o in found]
