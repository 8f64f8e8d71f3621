from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from actors.api.views import ActorViewSet
from affiliations.api.views import AffiliationViewSet
from events.api.views import EventViewSet
from places.api.views import PlaceViewSet
from sahel.api import schema
from sahel.api.views import ChangesView, ExportView, GeoResourceViewSet
from sources.api.views import SourceViewSet

RESOURCES = {
    "actors": ActorViewSet,
    "affiliations": AffiliationViewSet,
    "events": EventViewSet,
    "places": PlaceViewSet,
    "sources": SourceViewSet,
}


class Router(DefaultRouter):
    # No format-suffix routes (actors.json): ?format= is the one way to pick a format.
    include_format_suffixes = False


router = Router()
for name, viewset in RESOURCES.items():
    schema.document(viewset, geo=issubclass(viewset, GeoResourceViewSet))
    router.register(name, viewset, basename=name.removesuffix("s"))

ChangesView.resources = {name: viewset.projection for name, viewset in RESOURCES.items()}
ExportView.resources = ChangesView.resources
ChangesView.get = extend_schema(**schema.change_feed_schema(RESOURCES))(ChangesView.get)
ExportView.get = extend_schema(**schema.export_schema(RESOURCES))(ExportView.get)

urlpatterns = [
    path("changes/", ChangesView.as_view(), name="changes"),
    path("export/", ExportView.as_view(), name="export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger"),
    path(
        "schema/redoc/",
        # Fonts and ReDoc served by the app (drf-spectacular's page asks other origins).
        SpectacularRedocView.as_view(url_name="schema", template_name="explorer/redoc.html"),
        name="redoc",
    ),
    *router.urls,
]
