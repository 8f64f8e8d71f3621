from places.models import Place
from sahel.read.projection import Projection, Ref

PLACE_SUMMARY = ("slug", "name", "kind", "latitude", "longitude", "precision")


class PlaceProjection(Projection):
    model = Place
    fields = ("slug", "name", "kind", "latitude", "longitude", "precision")
    refs = {"parent": Ref(Place, PLACE_SUMMARY)}
