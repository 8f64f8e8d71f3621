from actors.resources import ACTORS
from sahel.rest.views import ResourceViewSet


class ActorViewSet(ResourceViewSet):
    """Actors: persons, organizations, ethnic groups, states and armed forces."""

    resource = ACTORS
