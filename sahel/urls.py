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
