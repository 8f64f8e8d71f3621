"""What a server process does once the project is loaded, before it serves requests."""

import gc


def settle() -> None:
    """Load what every request needs (the URLconf, and through it the API's views and the
    GraphQL schema), then take everything loaded so far out of the cycle collector's reach
    (`gc.freeze()`).

    A loaded process holds ~150,000 long-lived objects (Django, DRF, strawberry, the
    schema), and every full collection traversed them all. A nested GraphQL query keeps
    enough objects alive while it runs to set one off every few requests: pauses of
    100-140 ms, one request in five, at `medium` (docs/benchmarks.md). Frozen, a full
    collection reads only what requests allocated (~6 ms). What is loaded here lives as long
    as the process anyway, so freezing it keeps nothing that would have been freed."""
    from django.urls import get_resolver

    from sahel.read import compiled

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and what it names
    compiled.enabled()  # warns now, not at the first request, when it cannot be used
    gc.collect()
    gc.freeze()
