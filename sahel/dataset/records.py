"""What the dataset loader reports: its errors, its counts, and a record's own reason."""

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


class DatasetError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was loaded:\n" + "\n".join(problems))


class RecordError(Exception):
    """A problem with one record; the loader adds the file and record key."""


@dataclass
class LoadReport:
    counts: Counter = field(default_factory=Counter)  # (model, action) -> n
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        models_seen = sorted({m for m, _ in self.counts})
        return [
            f"{m}: {self.counts[m, 'created']} created, {self.counts[m, 'updated']} updated, "
            f"{self.counts[m, 'unchanged']} unchanged"
            for m in models_seen
        ]

    @property
    def writes(self) -> int:
        return sum(n for (_, action), n in self.counts.items() if action != "unchanged")


def reason(record) -> str:
    """The `reason:` a record gives for itself (its change set's reason), or \"\"."""
    reason = record.get("reason") if isinstance(record, dict) else None
    return reason.strip() if isinstance(reason, str) else ""


def without_reason(record):
    """The record without its `reason:` key."""
    if isinstance(record, dict) and "reason" in record:
        if not isinstance(record["reason"], str):
            raise RecordError("reason must be a string")
        return {k: v for k, v in record.items() if k != "reason"}
    return record


def describe(exc: Exception) -> str:
    """A validation error in a sentence: the fields and what is wrong with them."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                for name, messages in exc.message_dict.items()
            )
        return " ".join(exc.messages)
    return str(exc)
