from affiliations.resources import AFFILIATIONS
from sahel.rest.views import ResourceViewSet


class AffiliationViewSet(ResourceViewSet):
    """Affiliations: typed, dated ties between two actors (subject <type> object)."""

    resource = AFFILIATIONS
