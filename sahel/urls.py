from django.contrib import admin
from django.urls import include, path

from sahel import views
from sahel.graphql.views import graphql_view

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz/", views.healthz, name="healthz"),
    path("api/v1/", include("sahel.rest.urls")),
    path("graphql/", graphql_view, name="graphql"),
    path("admin/", admin.site.urls),
    path("reconcile/", include("sahel.reconcile.urls")),
    path("", include("sahel.explorer.urls")),
]

# JSON on API paths, HTML pages elsewhere; 503 with Retry-After while the database is down.
handler400 = "sahel.errors.bad_request"
handler403 = "sahel.errors.permission_denied"
handler404 = "sahel.errors.page_not_found"
handler500 = "sahel.errors.server_error"
