"""What one GraphQL request may build, and letting go of it once its answer is built."""

from dataclasses import dataclass, field

from sahel.graphql.arguments import PublicError

MAX_OBJECTS = 20_000  # objects one query may build, nested lists included


MAX_HISTORIES = 25  # objects one query may ask the history of (each costs a walk)


@dataclass
class Budget:
    """What one GraphQL request may still build (kept on the request context)."""

    objects: int = MAX_OBJECTS
    histories: int = MAX_HISTORIES
    batches: list = field(default_factory=list)  # every batch read, released at the end

    def spend_objects(self, count: int) -> None:
        self.objects -= count
        if self.objects < 0:
            raise PublicError(
                f"The query asks for more than {MAX_OBJECTS} objects: ask for fewer "
                "(a smaller `first`, fewer nested lists).",
                code="QUERY_TOO_LARGE",
            )

    def spend_history(self, batch) -> None:
        """Spend, at the first history asked of `batch`, one history for each of its
        objects: a selection is asked of every object of its list, so a query asking more
        than the limit fails before the first walk, not after the 25th."""
        if batch.histories_spent:
            return
        batch.histories_spent = True
        self.histories -= len(batch.records)
        if self.histories < 0:
            raise PublicError(
                f"`history` may be asked of at most {MAX_HISTORIES} objects a query; use "
                "`changes` to follow all changes.",
                code="QUERY_TOO_LARGE",
            )


def release(context) -> None:
    """Let go of the request's batches once its answer is built. A batch and its records
    point at each other, so without this they wait for Python's cycle collector: thousands
    of records a nested query, promoted to the old generation and traversed again by every
    full collection (a 100-200 ms pause every few requests at `medium`). Cleared, they are
    freed at once."""
    found = getattr(context, "sahel_budget", None)
    if found is None:
        return
    for batch in found.batches:
        batch.records = []
        batch._loaded = {}
    found.batches.clear()


def budget(info) -> Budget:
    context = info.context
    found = getattr(context, "sahel_budget", None)
    if found is None:
        found = Budget()
        context.sahel_budget = found
    return found
