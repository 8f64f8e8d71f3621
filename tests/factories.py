"""Test data, written through sahel.core.services like everything else: the `make`
factories (one object at a time), and bulk worlds for query-count tests."""

import itertools

from django.contrib.contenttypes.models import ContentType

from actors.models import Actor, Identifier, Name
from affiliations.models import Affiliation, AffiliationType
from events.models import Event, EventType, Participation, ParticipationRole
from places.models import Place
from sahel.core import services
from sahel.core.history import change_set
from sahel.dataset.loader import loader_user
from sources.models import Citation, Source

_counter = itertools.count(1)


class Make:
    """Factories: `make.actor(name="AQIM", status="published")` etc."""

    def __init__(self, user):
        self.user = user

    def _create(self, model, reason="test data", **fields):
        return services.create(model, user=self.user, reason=reason, **fields)

    def source(self, **fields):
        from sources.models import Source

        n = next(_counter)
        fields = {"slug": f"source-{n}", "title": f"Source {n}", "kind": "article", **fields}
        return self._create(Source, **fields)

    def place(self, **fields):
        from places.models import Place

        n = next(_counter)
        return self._create(
            Place, **{"slug": f"place-{n}", "name": f"Place {n}", "kind": "city", **fields}
        )

    def actor(self, **fields):
        from actors.models import Actor

        n = next(_counter)
        name = fields.pop("name", f"Actor {n}")
        return self._create(
            Actor, **{"slug": f"actor-{n}", "name": name, "kind": "organization", **fields}
        )

    def name(self, actor, name, **fields):
        from actors.models import Name

        return self._create(Name, actor=actor, name=name, **fields)

    def affiliation_type(self, **fields):

        n = next(_counter)
        return self._create(
            AffiliationType,
            **{"slug": f"type-{n}", "label": "leader of", "inverse_label": "led by", **fields},
        )

    def affiliation(self, subject, object, type=None, **fields):
        from affiliations.models import Affiliation

        n = next(_counter)
        type = type or self.affiliation_type()
        return self._create(
            Affiliation,
            **{
                "slug": f"affiliation-{n}",
                "subject": subject,
                "object": object,
                "type": type,
                **fields,
            },
        )

    def event_type(self, **fields):

        n = next(_counter)
        return self._create(EventType, **{"slug": f"event-type-{n}", "label": "attack", **fields})

    def event(self, **fields):
        from events.models import Event

        n = next(_counter)
        fields.setdefault("type", self.event_type())
        return self._create(Event, **{"slug": f"event-{n}", "title": f"Event {n}", **fields})

    def role(self, **fields):
        from events.models import ParticipationRole

        n = next(_counter)
        return self._create(
            ParticipationRole, **{"slug": f"role-{n}", "label": "perpetrator", **fields}
        )

    def participation(self, event, actor, role=None, **fields):
        from events.models import Participation

        return self._create(
            Participation, event=event, actor=actor, role=role or self.role(), **fields
        )

    def citation(self, target, source=None, **fields):
        from django.contrib.contenttypes.models import ContentType

        from sources.models import Citation

        return self._create(
            Citation,
            source=source or self.source(),
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            **fields,
        )


def add_rows(n):
    """Extra published rows that use every reference (names, ties, places, parents,
    participants, citations), so every page exercises every query of its projection."""
    user = loader_user()
    jnim = Actor.objects.get(slug="jnim")
    member_of = Affiliation.objects.filter(type__slug="member-of").first().type
    source = Citation.objects.first().source
    parent = Event.objects.filter(status="published").first()
    place = Place.objects.filter(parent__isnull=False).first()
    role = ParticipationRole.objects.first()
    with change_set(user, "test rows"):
        actors = services.bulk_create(
            Actor,
            [
                Actor(
                    slug=f"extra-{i}",
                    name=f"Abu Extra {i}",
                    kind="person",
                    area=place,
                    status="published",
                    begin="2000~",
                )
                for i in range(n)
            ],
            user=user,
            reason="test rows",
        )
        services.bulk_create(
            Name,
            [Name(actor=a, name=f"{a.name} al-Test", status="published") for a in actors],
            user=user,
            reason="test rows",
        )
        ties = services.bulk_create(
            Affiliation,
            [
                Affiliation(
                    slug=f"extra-{a.pk}", subject=a, object=jnim, type=member_of, status="published"
                )
                for a in actors
            ],
            user=user,
            reason="test rows",
        )
        events = services.bulk_create(
            Event,
            [
                Event(
                    slug=f"extra-event-{i}",
                    title=f"Extra {i}",
                    type=parent.type,
                    place=place,
                    parent=parent,
                    date="1900",
                    status="published",
                )
                for i in range(n)
            ],
            user=user,
            reason="test rows",
        )
        parts = services.bulk_create(
            Participation,
            [
                Participation(event=e, actor=a, role=role, status="published")
                for e, a in zip(events, actors, strict=True)
            ],
            user=user,
            reason="test rows",
        )
        services.bulk_create(
            Citation,
            [
                Citation(
                    source=source,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=obj.pk,
                )
                for obj in [*actors, *ties, *events, *parts]
            ],
            user=user,
            reason="test rows",
        )


def build_world(make, editor, rows: int):
    """`rows` of every model, written in bulk through the services."""
    bulk = lambda model, objs: services.bulk_create(model, objs, user=editor, reason="load")  # noqa: E731
    parent = make.place(kind="country")
    places = bulk(
        Place, [Place(slug=f"p{i}", name=f"P{i}", kind="town", parent=parent) for i in range(rows)]
    )
    actors = bulk(
        Actor,
        [
            Actor(slug=f"a{i}", name=f"A{i}", kind="organization", area=places[i], begin="2012")
            for i in range(rows)
        ],
    )
    bulk(Name, [Name(actor=a, name=f"Name {a.name}") for a in actors])
    bulk(Identifier, [Identifier(actor=a, scheme="wikidata", value=f"Q{a.pk}") for a in actors])
    kind = make.affiliation_type()
    bulk(
        Affiliation,
        [
            Affiliation(slug=f"t{i}", subject=actors[i], object=actors[i - 1], type=kind)
            for i in range(rows)
        ],
    )
    event_type, role = make.event_type(), make.role()
    events = bulk(
        Event,
        [Event(slug=f"e{i}", title=f"E{i}", type=event_type, place=places[i]) for i in range(rows)],
    )
    bulk(
        Participation,
        [Participation(event=e, actor=a, role=role) for e, a in zip(events, actors, strict=True)],
    )
    sources = bulk(
        Source, [Source(slug=f"s{i}", title=f"S{i}", kind="report") for i in range(rows)]
    )
    actor_type = ContentType.objects.get_for_model(Actor)
    bulk(
        Citation,
        [
            Citation(source=s, content_type=actor_type, object_id=a.pk)
            for s, a in zip(sources, actors, strict=True)
        ],
    )
    return actors
