"""Template helpers of the explorer's pages."""

from django import template

from sahel.explorer.timeline import describe

register = template.Library()


@register.simple_tag(takes_context=True)
def page(context, name: str, slug: str | None = None) -> str:
    """The address of an explorer page, at the instant the page reads (`as_of`)."""
    return context["links"](name, slug)


@register.filter
def fuzzy(date: dict | None) -> str:
    """A fuzzy date ({"edtf", "lower", "upper"}) in words."""
    return describe(date)


@register.filter
def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@register.filter
def words(value: str) -> str:
    """A vocabulary value in words: 'ethnic_group' -> 'ethnic group'."""
    return str(value or "").replace("_", " ")
