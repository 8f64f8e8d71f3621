"""`field__in_ids=[...]`: `IN` for a list of ids, sent as one array on PostgreSQL.

The read path filters by the ids of a page everywhere (its names, citations, references).
Django's `__in` writes one placeholder per id: a 2,000-row export chunk put ~128,000
parameters through psycopg's query splitting (1 s of every 7) and gave PostgreSQL thousands
of constants to plan, per query. `= ANY(%s)` with the list as one array parameter is the
same condition. Other databases, and subqueries, get Django's own `IN`.
"""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        if isinstance(self.rhs, list | tuple | set | frozenset):
            return [value for value in self.rhs if value is not None]
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql" or not isinstance(self.rhs, list):
            return compiler.compile(In(self.lhs, self.rhs))
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]


Field.register_lookup(InIds)
# Foreign keys take only the lookups registered on them (ForeignObject.get_class_lookups).
ForeignObject.register_lookup(InIds)
