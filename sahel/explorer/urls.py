from django.urls import path

from sahel.explorer import views

app_name = "explorer"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("actors/<slug:slug>/", views.actor, name="actor"),
    path("events/<slug:slug>/", views.event, name="event"),
    path("places/<slug:slug>/", views.place, name="place"),
]
