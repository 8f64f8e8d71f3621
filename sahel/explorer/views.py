"""The explorer's pages: server-rendered HTML, each read in one snapshot at the instant
asked for (`?as_of=`), with the data its scripts draw embedded as JSON (no inline
script). A bad parameter is a 400 page naming it; a hidden object is a 404 page worded as
for one that never existed."""

import functools

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from sahel.explorer import pages, reading
from sahel.read.snapshot import read_snapshot


def explorer_page(template: str):
    """A page built by `build(request, *args, as_of=...)` into `template`."""

    def decorator(build):
        @require_safe
        @functools.wraps(build)
        def view(request, *args, **kwargs):
            with read_snapshot():
                try:
                    as_of = reading.as_of_param(request.GET)
                    context = build(request, *args, as_of=as_of, **kwargs)
                except ValidationError as exc:
                    return _error(request, 400, _problems(exc))
                except pages.NotPublic as exc:
                    return _error(request, 404, [str(exc)])
                context.update(_common(as_of))
                return render(request, template, context)

        return view

    return decorator


def _common(as_of) -> dict:
    return {
        "as_of": as_of,
        "as_of_text": pages.instant_text(as_of),
        "links": pages.Links(as_of),
    }


def _problems(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
    return exc.messages


def _error(request, status: int, problems: list[str]):
    context = {"status": status, "problems": problems, **_common(None)}
    return render(request, "explorer/error.html", context, status=status)


home = explorer_page("explorer/home.html")(pages.home)
search = explorer_page("explorer/search.html")(pages.search)
actor = explorer_page("explorer/actor.html")(pages.actor)
event = explorer_page("explorer/event.html")(pages.event)
place = explorer_page("explorer/place.html")(pages.place)


def for_people(json_view):
    """`/`: the explorer's home page for a browser (Accept: text/html preferred), the
    JSON document `json_view` answers for everyone else (an API client, curl's */*)."""

    @functools.wraps(json_view)
    def view(request, *args, **kwargs):
        wanted = request.get_preferred_type(["application/json", "text/html"])
        browser = wanted == "text/html"
        response = home(request) if browser else json_view(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    return view
