from django.contrib import admin
from django.urls import include, path

from sahel import views

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz/", views.healthz, name="healthz"),
    path("api/v1/", include("sahel.api.urls")),
    path("admin/", admin.site.urls),
]
