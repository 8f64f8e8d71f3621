from actors.models import Actor
from actors.projections import ACTOR_SUMMARY
from affiliations.models import Affiliation, AffiliationType
from sahel.read.projection import Projection, Ref

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
