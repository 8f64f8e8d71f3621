from actors.models import Actor
from actors.projections import ACTOR_SUMMARY
from events.models import Event, EventType, Participation, ParticipationRole
from places.models import Place
from places.projections import PLACE_SUMMARY
from sahel.read.projection import Child, Projection, Ref


class ParticipationProjection(Projection):
    model = Participation
    fields = ("note", "certainty")
    refs = {
        "actor": Ref(Actor, ACTOR_SUMMARY),
        "role": Ref(ParticipationRole, ("slug", "label")),
    }


class EventProjection(Projection):
    model = Event
    fields = ("slug", "title", "description", "fatalities", "certainty")
    dates = ("date",)
    refs = {
        "type": Ref(EventType, ("slug", "label", "acled_event_type", "acled_sub_event_type")),
        "place": Ref(Place, PLACE_SUMMARY),
        # A sub-event of a hidden operation is shown; the link to it is not.
        "parent": Ref(Event, ("slug", "title")),
    }
    children = {"participants": Child(ParticipationProjection, fk="event")}
