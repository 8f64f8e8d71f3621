from rest_framework.routers import DefaultRouter

from actors.api.views import ActorViewSet
from affiliations.api.views import AffiliationViewSet
from events.api.views import EventViewSet
from places.api.views import PlaceViewSet
from sources.api.views import SourceViewSet

router = DefaultRouter()
router.register("actors", ActorViewSet, basename="actor")
router.register("affiliations", AffiliationViewSet, basename="affiliation")
router.register("events", EventViewSet, basename="event")
router.register("places", PlaceViewSet, basename="place")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = router.urls
