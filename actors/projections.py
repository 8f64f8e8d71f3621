from actors.models import Actor, Identifier, Name
from places.models import Place
from places.projections import PLACE_SUMMARY
from sahel.read.projection import Child, Projection, Ref

ACTOR_SUMMARY = ("slug", "name", "kind")


class NameProjection(Projection):
    model = Name
    fields = ("name", "kind", "language", "script", "certainty")


class IdentifierProjection(Projection):
    model = Identifier
    fields = ("scheme", "value", "confidence", "note")
    cited = False


class ActorProjection(Projection):
    model = Actor
    fields = ("slug", "name", "kind", "subkind", "description", "certainty")
    dates = ("begin", "end")
    refs = {"area": Ref(Place, PLACE_SUMMARY)}
    children = {
        "names": Child(NameProjection, fk="actor"),
        "identifiers": Child(IdentifierProjection, fk="actor"),
    }
