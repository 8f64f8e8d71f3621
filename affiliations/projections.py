from actors.api.projections import ACTOR_SUMMARY
from actors.models import Actor
from affiliations.models import Affiliation, AffiliationType
from sahel.api.projection import Projection, Ref

AFFILIATION_TYPE_SUMMARY = ("slug", "label", "inverse_label", "symmetric")


class AffiliationProjection(Projection):
    model = Affiliation
    fields = ("slug", "role_title", "certainty")
    dates = ("start", "end")
    refs = {
        "subject": Ref(Actor, ACTOR_SUMMARY),
        "type": Ref(AffiliationType, AFFILIATION_TYPE_SUMMARY),
        "object": Ref(Actor, ACTOR_SUMMARY),
    }
