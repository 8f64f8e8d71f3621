from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import APIRootView, DefaultRouter

from actors.api.views import ActorViewSet
from affiliations.api.views import AffiliationViewSet
from events.api.views import EventViewSet
from places.api.views import PlaceViewSet
from sahel.read import citing
from sahel.read.resources import resources
from sahel.rest import schema
from sahel.rest.views import ChangesView, ExportView
from sources.api.views import SourceViewSet

VIEWSETS = [ActorViewSet, AffiliationViewSet, EventViewSet, PlaceViewSet, SourceViewSet]


class APIRoot(APIRootView):
    """The resources, and the data's licence and how to cite it."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {
            **response.data,
            "licence": citing.licence(),  # null while the maintainers have not set it
            "how_to_cite": citing.how_to_cite(request.build_absolute_uri("/")),
        }
        return response


class Router(DefaultRouter):
    # No format-suffix routes (actors.json): ?format= is the one way to pick a format.
    include_format_suffixes = False
    APIRootView = APIRoot


router = Router()
for viewset in VIEWSETS:
    schema.document(viewset)
    router.register(
        viewset.resource.name, viewset, basename=viewset.resource.name.removesuffix("s")
    )
if {viewset.resource.name for viewset in VIEWSETS} != set(resources()):
    raise RuntimeError("Every registered resource is served by a REST viewset, and only those.")

ChangesView.get = extend_schema(**schema.change_feed_schema(resources()))(ChangesView.get)
ExportView.get = extend_schema(**schema.export_schema(resources()))(ExportView.get)

urlpatterns = [
    path("changes/", ChangesView.as_view(), name="changes"),
    path("export/", ExportView.as_view(), name="export"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/swagger/",
        # Its start-up script inline, with the response's CSP nonce.
        SpectacularSwaggerView.as_view(url_name="schema", template_name="explorer/swagger_ui.html"),
        name="swagger",
    ),
    path(
        "schema/redoc/",
        # Fonts and ReDoc served by the app (drf-spectacular's page asks other origins).
        SpectacularRedocView.as_view(url_name="schema", template_name="explorer/redoc.html"),
        name="redoc",
    ),
    *router.urls,
]
