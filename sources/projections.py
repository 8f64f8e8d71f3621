from sahel.read.projection import Projection
from sources.models import Source


class SourceProjection(Projection):
    model = Source
    fields = (
        "slug",
        "title",
        "kind",
        "authors",
        "publisher",
        "url",
        "language",
        "reliability",
        "checksum",
        "note",
    )
    dates = ("publication_date",)
    cited = False


class SourceDetailProjection(SourceProjection):
    fields = (*SourceProjection.fields, "text")
