"""The hand-written read side the service is measured against: raw SQL through psycopg
(on the connection under Django's, so it sees the same transaction) plus orjson, producing
the same payloads as the service, with visibility, `as_of` and `valid_at` written out in SQL."""

import datetime
import urllib.parse
from collections import defaultdict

import orjson
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from sahel.core.models import ClaimModel, citable_models
from sahel.read.projection import SOURCE_SUMMARY, Projection

PAGE = 100


HOST = "http://testserver"


def _q(name: str) -> str:
    return f'"{name}"'


class Raw:
    """Raw SQL through psycopg, live or as of an instant; counts its queries."""

    def __init__(self, as_of: datetime.datetime | None = None):
        import psycopg

        connection.ensure_connection()
        self.conn = connection.connection
        self.cursor_class = psycopg.Cursor
        self.as_of = as_of
        self.queries = 0

    def fetch(self, sql: str, params: dict | None = None) -> list[tuple]:
        self.queries += 1
        with self.cursor_class(self.conn) as cursor:
            cursor.execute(sql, {"as_of": self.as_of, **(params or {})})
            return cursor.fetchall()

    # What the public may see, in SQL (the rules of sahel.core.selectors, written out).
    def source(self, model, alias: str, inner: str = "TRUE") -> str:
        """The rows of `model` to read (live, or the latest state of each at `as_of`),
        restricted by `inner` (a condition on an object's identity, safe before DISTINCT)."""
        if self.as_of is None:
            return f"{model._meta.db_table} {alias}"
        table = model.history.model._meta.db_table
        return (
            f"(SELECT * FROM {table} WHERE tstzrange(history_date, history_end, '[)') @> "
            f"%(as_of)s::timestamptz AND {inner}) {alias}"
        )

    def visible(self, model, alias: str, known: tuple = ()) -> list[str]:
        """Conditions that row `alias` of `model` is public; `known`: relations already
        known to be public (the parent of a child row)."""
        conditions = []
        if self.as_of is not None:
            conditions.append(f"{alias}.history_type <> '-'")
        if issubclass(model, ClaimModel):
            conditions.append(f"{alias}.status = 'published'")
            if self.as_of is not None:  # withdrawn since: hidden from the past too
                # The latest state: the live row, or for an object deleted since, its last
                # deletion row (the few deletion rows have a partial index).
                live, table = model._meta.db_table, model.history.model._meta.db_table
                conditions.append(
                    f"{alias}.id NOT IN (SELECT id FROM {live} WHERE status <> 'published')"
                )
                conditions.append(
                    f"(EXISTS (SELECT 1 FROM {live} l WHERE l.id = {alias}.id) OR "
                    f"(SELECT d.status FROM {table} d WHERE d.id = {alias}.id AND "
                    f"d.history_type = '-' ORDER BY d.history_date DESC, d.history_id DESC "
                    f"LIMIT 1) = 'published')"
                )
        for name in model.visibility_requires:
            if name in known:
                continue
            field = model._meta.get_field(name)
            if isinstance(field, GenericForeignKey):
                options = []
                for target in citable_models():
                    ct = ContentType.objects.get_for_model(target).pk
                    options.append(
                        f"({alias}.{field.ct_field}_id = {ct} AND "
                        f"{self._exists(target, f'{alias}.{field.fk_field}', alias + 't')})"
                    )
                conditions.append("(" + " OR ".join(options) + ")")
            else:
                conditions.append(
                    self._exists(field.related_model, f"{alias}.{field.attname}", alias + "r")
                )
        return conditions

    def _exists(self, model, id_expr: str, alias: str) -> str:
        if self.as_of is None:
            source = f"{model._meta.db_table} {alias}"
            where = [f"{alias}.id = {id_expr}"]
        else:
            table = model.history.model._meta.db_table
            source = (
                f"(SELECT * FROM {table} h WHERE h.id = {id_expr} AND h.history_date <= "
                f"%(as_of)s AND (h.history_end > %(as_of)s OR h.history_end IS NULL)) {alias}"
            )
            where = []
        return (
            f"EXISTS (SELECT 1 FROM {source} WHERE "
            + " AND ".join([*where, *self.visible(model, alias)] or ["TRUE"])
            + ")"
        )

    def select(
        self,
        model,
        columns: list[str],
        *,
        where: tuple = (),
        inner: str = "TRUE",
        known: tuple = (),
        order: str = "a.id",
        limit: int | None = None,
        extra_from: str = "",
        extra_columns: tuple = (),
        params: dict | None = None,
    ) -> list[dict]:
        names = [*columns, *(alias for _, alias in extra_columns)]
        select = [f"a.{_q(c)}" for c in columns] + [expr for expr, _ in extra_columns]
        conditions = [*self.visible(model, "a", known), *where] or ["TRUE"]
        sql = (
            f"SELECT {', '.join(select)} FROM {self.source(model, 'a', inner)} {extra_from} "
            f"WHERE {' AND '.join(conditions)} ORDER BY {order}"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        return [dict(zip(names, row, strict=True)) for row in self.fetch(sql, params)]

    def count(self, model, *, where: tuple = (), extra_from: str = "", params=None) -> int:
        conditions = [*self.visible(model, "a"), *where] or ["TRUE"]
        sql = (
            f"SELECT count(*) FROM {self.source(model, 'a')} {extra_from} "
            f"WHERE {' AND '.join(conditions)}"
        )
        return self.fetch(sql, params)[0][0]

    # The payload, as sahel.read.projection shapes it.
    def build(self, projection: type[Projection], rows: list[dict]) -> list[dict]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        refs = {}
        for name, ref in projection.refs.items():
            wanted = list({row[f"{name}_id"] for row in rows} - {None})
            found = (
                self.select(
                    ref.model, ["id", *ref.fields], inner="id = ANY(%(ids)s)",
                    where=("a.id = ANY(%(ids)s)",), params={"ids": wanted},
                )
                if wanted
                else []
            )  # fmt: skip
            refs[name] = {row["id"]: row for row in found}
        children = {}
        for name, child in projection.children.items():
            fk = f"{child.fk}_id"
            table = child.projection.model.history.model._meta.db_table
            child_rows = self.select(
                child.projection.model,
                list(dict.fromkeys([*child.projection.columns(), fk])),
                inner=f"id IN (SELECT id FROM {table} WHERE {fk} = ANY(%(ids)s))",
                where=(f"a.{fk} = ANY(%(ids)s)",),
                known=(child.fk,),
                order=f"a.{fk}, a.id",
                params={"ids": ids},
            )
            grouped = defaultdict(list)
            for row, item in zip(child_rows, self.build(child.projection, child_rows), strict=True):
                grouped[row[fk]].append(item)
            children[name] = grouped
        citations = self.citations(projection.model, ids) if projection.cited else {}
        result = []
        for row in rows:
            item = {"id": row["id"]}
            for name in projection.fields:
                item[name] = row[name]
            for name in projection.dates:
                edtf, lower, upper = row[name], row[f"{name}_lower"], row[f"{name}_upper"]
                item[name] = (
                    {
                        "edtf": edtf,
                        "lower": lower.isoformat() if lower else None,
                        "upper": upper.isoformat() if upper else None,
                    }
                    if edtf
                    else None
                )
            for name in projection.refs:
                item[name] = refs[name].get(row[f"{name}_id"])
            for name in projection.children:
                item[name] = children[name].get(row["id"], [])
            if projection.cited:
                item["citations"] = citations.get(row["id"], [])
            result.append(item)
        return result

    def citations(self, model, ids: list) -> dict[int, list[dict]]:
        """Citations of public objects (so public themselves) with their source summary."""
        from sources.models import Citation, Source

        ct = ContentType.objects.get_for_model(model).pk
        table = Citation.history.model._meta.db_table
        rows = self.select(
            Citation,
            ["id", "object_id", "source_id", "locator", "quote", "stance", "credibility",
             "field_name", "note"],
            inner=f"id IN (SELECT id FROM {table} WHERE content_type_id = {ct} "
            f"AND object_id = ANY(%(ids)s))",
            where=(f"a.content_type_id = {ct}", "a.object_id = ANY(%(ids)s)"),
            known=("target",),
            order="a.object_id, a.id",
            params={"ids": ids},
        )  # fmt: skip
        if not rows:
            return {}
        wanted = list({row["source_id"] for row in rows})
        sources = {
            row["id"]: row
            for row in self.select(
                Source, ["id", *SOURCE_SUMMARY], inner="id = ANY(%(ids)s)",
                where=("a.id = ANY(%(ids)s)",), params={"ids": wanted},
            )
        }  # fmt: skip
        grouped = defaultdict(list)
        for row in rows:
            grouped[row["object_id"]].append(
                {
                    "id": row["id"],
                    "source": sources.get(row["source_id"]),
                    "locator": row["locator"],
                    "quote": row["quote"],
                    "stance": row["stance"],
                    "credibility": row["credibility"],
                    "field": row["field_name"] or None,
                    "note": row["note"],
                }
            )
        return grouped


def dumps(payload) -> bytes:
    # DRF renders Decimal as a float; so does this.
    return orjson.dumps(payload, default=float)


def next_url(path: str, params: dict, count: int, page_size: int) -> str | None:
    """DRF's next-page link (PageNumberPagination: query parameters sorted, page replaced)."""
    if count <= page_size:
        return None
    query = {key: [str(value)] for key, value in params.items()}
    query["page"] = ["2"]
    return f"{HOST}{path}?{urllib.parse.urlencode(sorted(query.items()), doseq=True)}"


def page_payload(raw: Raw, path, params, count, results) -> dict:
    return {
        "count": count,
        "next": next_url(path, params, count, int(params.get("page_size", PAGE))),
        "previous": None,
        "results": results,
    }


ACTOR_ORDER = 'lower(a."name") COLLATE "C" ASC NULLS LAST, a.id'
