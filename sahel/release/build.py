"""A release: the public data as of one instant, written once, dated and versioned.

`build(directory)` writes `directory/sahel-<version>/`:

- `data/<table>.csv` and `datapackage.json`: the flat tables (`sahel.read.tables`) as a
  Frictionless Data Package (table schemas, primary and foreign keys, sha256 of each file);
- `sahel.jsonl` (the JSON Lines export, with its closing line), `sahel.ftm.json`
  (FollowTheMoney entities), `sahel.popolo.json` (the Popolo document);
- `CITATION.cff`: title, version, date, authors, licence, how to cite;
- `delta.json`: the ids added, changed and removed since the previous release in
  `directory` (by as_of), per resource; changed = its JSON Lines record differs;
- `release.json`: version, as_of, previous release, licence, how to cite, and every
  file's size and sha256; `SHA256SUMS` the same for `sha256sum -c`.

Everything is read as of the release's instant (`as_of`), through the read layer, so
every file agrees with the others and the API gives the same answers when asked with that
`as_of`. The version is the instant's date (`2026.12.04`, then `2026.12.04.2` for a second
release that day). The folder is written under a temporary name and renamed when whole.
"""

import hashlib
import json
import shutil
from pathlib import Path

import orjson
import yaml
from django.utils import timezone

from sahel.read import citing, export, ftm, popolo, tables
from sahel.read.resources import projections

MANIFEST = "release.json"
CHECKSUMS = "SHA256SUMS"


def _write(path: Path, chunks) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def releases(directory: Path) -> list[dict]:
    """The releases in `directory` (their manifests), oldest first."""
    found = []
    for manifest in directory.glob(f"sahel-*/{MANIFEST}"):
        found.append({**json.loads(manifest.read_text()), "path": str(manifest.parent)})
    return sorted(found, key=lambda release: release["as_of"])


def _version(directory: Path, as_of) -> str:
    base = as_of.strftime("%Y.%m.%d")
    taken = {release["version"] for release in releases(directory)}
    version, number = base, 1
    while version in taken or (directory / f"sahel-{version}").exists():
        number += 1
        version = f"{base}.{number}"
    return version


def _record_digests(path: Path) -> dict[str, dict[int, str]]:
    """resource -> id -> sha256 of the record, from a release's JSON Lines export, which
    must be whole (its closing line counts the lines before it)."""
    digests: dict[str, dict[int, str]] = {}
    count, end = 0, None
    with path.open("rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            if record.get("resource") == "end":
                end = record
                continue
            count += 1
            key = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
            digests.setdefault(record["resource"], {})[record["id"]] = hashlib.sha256(
                key
            ).hexdigest()
    if end is None or end["records"] != count:
        raise ValueError(f"{path} is not a whole export (no closing line, or a wrong count).")
    return digests


def delta(previous: dict | None, current: dict[str, dict[int, str]], names) -> dict:
    """Per resource: the ids added, changed (the record differs) and removed."""
    before = previous or {}
    found = {}
    for name in names:
        old, new = before.get(name, {}), current.get(name, {})
        found[name] = {
            "added": sorted(set(new) - set(old)),
            "changed": sorted(pk for pk in set(new) & set(old) if new[pk] != old[pk]),
            "removed": sorted(set(old) - set(new)),
        }
    return found


def _verified(release: dict) -> Path:
    """The previous release's JSON Lines export, after checking its sha256."""
    folder = Path(release["path"])
    path = folder / "sahel.jsonl"
    expected = release["files"]["sahel.jsonl"]["sha256"]
    if sha256(path) != expected:
        raise ValueError(f"{path} does not match the sha256 of its release: changed since.")
    return path


def citation_cff(version: str, as_of: str, site: str, licence: dict | None) -> str:
    cff = {
        "cff-version": "1.2.0",
        "message": citing.how_to_cite(site or "", version, as_of),
        "type": "dataset",
        "title": citing.title(),
        "version": version,
        "date-released": as_of[:10],
        "authors": [{"name": name} for name in citing.authors()],
        "abstract": (
            "A curated, sourced, fully versioned database of the actors of the conflict in "
            f"Mali and the Sahel: the public data as of {as_of} (ask the API with "
            f"as_of={as_of} to read the same)."
        ),
        "keywords": ["Sahel", "Mali", "armed groups", "conflict actors", "FollowTheMoney"],
    }
    if site:
        cff["url"] = site
    if licence:
        cff["license"] = licence["name"]  # an SPDX id (SAHEL_DATA_LICENCE)
        if licence["url"]:
            cff["license-url"] = licence["url"]
    return yaml.safe_dump(cff, sort_keys=False, allow_unicode=True)


def datapackage(version: str, as_of: str, folder: Path, layout: dict, licence) -> dict:
    resources = []
    for name, table in layout.items():
        path = folder / "data" / f"{name}.csv"
        resources.append(
            {
                "name": name,
                "path": f"data/{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": f"sha256:{sha256(path)}",
                "schema": tables.frictionless_schema(table),
            }
        )
    package = {
        "profile": "tabular-data-package",
        "name": "sahel-actors",
        "title": citing.title(),
        "version": version,
        "created": as_of,
        "description": f"The public data as of {as_of}, as flat tables joined by id.",
        "resources": resources,
    }
    if licence:
        package["licenses"] = [
            {"name": licence["name"], **({"path": licence["url"]} if licence["url"] else {})}
        ]
    return package


def build(directory: Path, as_of=None, site: str = "") -> dict:
    """Write a release of the public data as of `as_of` (default: now) into `directory`;
    its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    instant = as_of or timezone.now()
    as_of_text = orjson.dumps(instant, option=orjson.OPT_UTC_Z).decode().strip('"')
    version = _version(directory, instant)
    earlier = [r for r in releases(directory) if r["as_of"] < as_of_text]
    previous = earlier[-1] if earlier else None
    folder = directory / f"sahel-{version}"
    work = directory / f".sahel-{version}.partial"
    shutil.rmtree(work, ignore_errors=True)
    resources = projections()
    licence = citing.licence()

    _write(work / "sahel.jsonl", export.document(resources, instant))
    _write(work / "sahel.ftm.json", ftm.lines(resources, instant))
    document = popolo.document(resources, instant)
    _write(work / "sahel.popolo.json", [orjson.dumps(document, option=orjson.OPT_UTC_Z)])
    layout = tables.write_csv_files(resources, work / "data", instant)
    (work / "datapackage.json").write_text(
        json.dumps(datapackage(version, as_of_text, work, layout, licence), indent=2)
    )
    (work / "CITATION.cff").write_text(citation_cff(version, as_of_text, site, licence))
    current = _record_digests(work / "sahel.jsonl")
    before = _record_digests(_verified(previous)) if previous else None
    changes = {
        "version": version,
        "as_of": as_of_text,
        "previous": previous and {"version": previous["version"], "as_of": previous["as_of"]},
        "resources": delta(before, current, resources),
    }
    (work / "delta.json").write_text(json.dumps(changes, indent=2))

    files = {
        str(path.relative_to(work)): {"bytes": path.stat().st_size, "sha256": sha256(path)}
        for path in sorted(work.rglob("*"))
        if path.is_file()
    }
    manifest = {
        "version": version,
        "as_of": as_of_text,
        "previous": changes["previous"],
        "licence": licence,
        "how_to_cite": citing.how_to_cite(site, version, as_of_text),
        "records": {name: len(ids) for name, ids in current.items()},
        "files": files,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
    sums = {**files, MANIFEST: {"sha256": sha256(work / MANIFEST)}}
    (work / CHECKSUMS).write_text(
        "".join(f"{entry['sha256']}  {name}\n" for name, entry in sorted(sums.items()))
    )
    work.rename(folder)
    return {**manifest, "path": str(folder)}
