import strawberry

from sahel.core import selectors
from sahel.graphql.types import FuzzyDate, Tracked


@strawberry.type(description="A document claims are sourced from.")
class Source(Tracked):
    id: strawberry.ID
    slug: str
    title: str
    kind: str
    authors: list[str]
    publisher: str
    publication_date: FuzzyDate | None
    url: str
    language: str
    reliability: str = strawberry.field(description="Admiralty grade A (reliable) to F.")
    checksum: str
    note: str

    @strawberry.field(description="The full text, for documents held in seeds/.")
    def text(self) -> str:
        if "text" in self.item:  # read with the detail projection
            return self.item["text"]

        def load(batch):
            from sources.models import Source as SourceModel

            rows = selectors.public(SourceModel, as_of=batch.as_of).filter(id__in=batch.ids)
            return dict(rows.values_list("id", "text"))

        return self.batch.once("text", load).get(self.id, "")
