"""What the export formats are checked with: the Popolo draft-03 schemas (resolved offline
through a `referencing` registry) and FtM's own model."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

ROOT = Path(__file__).resolve().parents[2]
# The schemas as copied unchanged into shared/ (beside the checkout in CI and in the main
# checkout; /work/shared for a worktree).
POPOLO_SCHEMAS = [
    ROOT.parent / "shared" / "data" / "popolo-schemas",
    Path("/work/shared/data/popolo-schemas"),
]
POPOLO_KINDS = {
    "persons": "person",
    "organizations": "organization",
    "memberships": "membership",
    "events": "event",
    "areas": "area",
}


@cache
def popolo_validators() -> dict[str, Draft3Validator]:
    """A Draft3Validator per top-level key of a Popolo document; every `$ref` (absolute
    popoloproject.com URLs) resolved from the local copies, never fetched."""
    folder = next((path for path in POPOLO_SCHEMAS if path.is_dir()), None)
    assert folder is not None, f"the Popolo schemas are not in any of {POPOLO_SCHEMAS}"
    schemas = {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT3))
        for schema in schemas.values()
    )
    return {
        key: Draft3Validator(schemas[name], registry=registry) for key, name in POPOLO_KINDS.items()
    }
