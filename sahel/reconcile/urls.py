from django.urls import path

from sahel.reconcile import views

urlpatterns = [
    path("", views.service, name="reconcile"),
    path("preview/", views.preview, name="reconcile-preview"),
    path("suggest/entity/", views.suggest_entity, name="reconcile-suggest-entity"),
    path("suggest/type/", views.suggest_type, name="reconcile-suggest-type"),
    path("suggest/property/", views.suggest_property, name="reconcile-suggest-property"),
    path("propose_properties/", views.propose_properties, name="reconcile-propose-properties"),
]
