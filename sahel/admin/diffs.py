"""History as editors read it: the fields that matter, their values in words, what changed
between two revisions, and what others changed since an editor read an object."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import capfirst


def noise_fields(model) -> list[str]:
    """Fields kept by the system (version, date bounds, search keys): not shown in diffs."""
    return ["version", *model.derived_field_names()]


def shown_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in noise_fields(model)
    ]


def display_value(record, field) -> str:
    """A field of a live or historical row, as an editor reads it."""
    if field.choices:
        value = getattr(record, field.attname)
        return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else "—"
    if field.is_relation:
        try:
            related = getattr(record, field.name)
        except ObjectDoesNotExist:
            return f"(deleted {field.related_model.__name__} {getattr(record, field.attname)})"
        return str(related) if related is not None else "—"
    value = getattr(record, field.attname)
    return "—" if value in (None, "") else str(value)


def record_changes(new, old, model) -> list[dict]:
    """[{field, old, new}] between two history rows of one object, readable."""
    delta = new.diff_against(old, excluded_fields=noise_fields(model))
    changes = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        changes.append(
            {
                "field": capfirst(field.verbose_name),
                "old": display_value(old, field),
                "new": display_value(new, field),
            }
        )
    return changes


def describe_changes_since(model, pk, version: int | None) -> str:
    """What others changed in object `pk` after `version`: who, when, why, old → new."""
    records = list(
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    seen = [r for r in records if version is not None and r.version <= version]
    previous = seen[-1] if seen else None
    lines = []
    for record in records[len(seen) :]:
        who = record.history_user or "a system process"
        when = f"{record.history_date:%Y-%m-%d %H:%M:%S} UTC"
        what = ""
        if previous is not None and record.history_type == "~":
            what = "; ".join(
                f"{c['field']}: {c['old']} → {c['new']}"
                for c in record_changes(record, previous, model)
            )
        elif record.history_type == "-":
            what = "deleted"
        lines.append(f"{who} at {when} ({record.history_change_reason!r}): {what or 'saved'}")
        previous = record
    return " | ".join(lines)


def stale_message(model, pk, expected: int | None, current: int) -> str:
    return (
        f"Not saved: this {model._meta.verbose_name} was changed by someone else since you "
        f"opened it (you edited version {expected}, it is now at version {current}). "
        f"What changed: {describe_changes_since(model, pk, expected) or 'unknown'}. "
        f"Your input is kept below: review it against those changes and save again to "
        f"apply it over them."
    )
