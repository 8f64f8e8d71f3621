from django.core.exceptions import ValidationError
from django.db import models

from sahel.core.fuzzy_dates import EDTFField, fuzzy_date_bounds
from sahel.core.models import Certainty, ClaimModel, TrackedModel, validate_bounds_order
from sahel.core.names import name_keys, name_skeleton, normalize_name


class ActorKind(models.TextChoices):
    PERSON = "person", "person"
    ORGANIZATION = "organization", "organization"
    ETHNIC_GROUP = "ethnic_group", "ethnic group"
    STATE = "state", "state"
    ARMED_FORCE = "armed_force", "armed force"


class ActorSubkind(models.TextChoices):
    ARMED_GROUP = "armed_group", "armed group"
    ARMED_GROUP_UNIT = "armed_group_unit", "unit of an armed group"
    MILITIA = "militia", "militia"
    REBEL_MOVEMENT = "rebel_movement", "rebel movement"
    POLITICAL_MOVEMENT = "political_movement", "political movement"
    COALITION = "coalition", "coalition"
    GOVERNMENT_BODY = "government_body", "government body"
    INTERNATIONAL_BODY = "international_body", "international body"
    SECURITY_MECHANISM = "security_mechanism", "security mechanism"
    ETHNIC_GROUP = "ethnic_group", "ethnic group"
    TRIBE = "tribe", "tribe"
    CLAN = "clan", "clan"
    COMMUNITY = "community", "community"
    NATIONAL_ARMY = "national_army", "national army"
    FOREIGN_OPERATION = "foreign_operation", "foreign operation"
    PEACEKEEPING_MISSION = "peacekeeping_mission", "peacekeeping mission"


SUBKINDS_BY_KIND: dict[str, set[str]] = {
    ActorKind.PERSON: set(),
    ActorKind.STATE: set(),
    ActorKind.ORGANIZATION: {
        ActorSubkind.ARMED_GROUP,
        ActorSubkind.ARMED_GROUP_UNIT,
        ActorSubkind.MILITIA,
        ActorSubkind.REBEL_MOVEMENT,
        ActorSubkind.POLITICAL_MOVEMENT,
        ActorSubkind.COALITION,
        ActorSubkind.GOVERNMENT_BODY,
        ActorSubkind.INTERNATIONAL_BODY,
        ActorSubkind.SECURITY_MECHANISM,
    },
    ActorKind.ETHNIC_GROUP: {
        ActorSubkind.ETHNIC_GROUP,
        ActorSubkind.TRIBE,
        ActorSubkind.CLAN,
        ActorSubkind.COMMUNITY,
    },
    ActorKind.ARMED_FORCE: {
        ActorSubkind.NATIONAL_ARMY,
        ActorSubkind.FOREIGN_OPERATION,
        ActorSubkind.PEACEKEEPING_MISSION,
    },
}


class Actor(ClaimModel):
    """A person, organization, ethnic group, state or armed force."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=300, help_text="Display name, as the sources spell it.")
    kind = models.CharField(max_length=20, choices=ActorKind.choices, db_index=True)
    subkind = models.CharField(max_length=30, choices=ActorSubkind.choices, blank=True)
    description = models.TextField(blank=True)
    begin = EDTFField(help_text="Birth or founding. EDTF, e.g. 2017, 2000~, ../1994.")
    begin_lower, begin_upper = fuzzy_date_bounds("begin")
    end = EDTFField(help_text="Death or dissolution. EDTF, e.g. 2013-02, 2015/..")
    end_lower, end_upper = fuzzy_date_bounds("end")
    area = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actors",
        help_text="Country or area the actor is based in or tied to.",
    )

    valid_time_fields = ("begin", "end")  # an actor "holds" while it exists

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.subkind and self.subkind not in SUBKINDS_BY_KIND.get(self.kind, set()):
            allowed = ", ".join(sorted(SUBKINDS_BY_KIND.get(self.kind, set()))) or "none"
            raise ValidationError(
                {
                    "subkind": f"{self.subkind!r} does not fit kind {self.kind!r} "
                    f"(allowed: {allowed})."
                }
            )
        validate_bounds_order(self, "begin", "end")


class NameKind(models.TextChoices):
    OFFICIAL = "official", "official name"
    ACRONYM = "acronym", "acronym"
    TRANSLATION = "translation", "translation"
    TRANSLITERATION = "transliteration", "transliteration"
    VARIANT = "variant", "spelling variant"
    KUNYA = "kunya", "kunya (Abu X)"
    NISBA = "nisba", "nisba (al-X)"
    LAQAB = "laqab", "laqab (epithet)"
    NOM_DE_GUERRE = "nom_de_guerre", "nom de guerre"
    BIRTH_NAME = "birth_name", "birth name"
    SHORT_NAME = "short_name", "short name"
    ALIAS = "alias", "alias"
    DESCRIPTIVE = "descriptive", "descriptive (unnamed actor)"


class Name(ClaimModel):
    """A name an actor is known by."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=NameKind.choices, default=NameKind.OFFICIAL)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47, e.g. ar-Latn, fr.")
    script = models.CharField(max_length=4, blank=True, help_text="ISO 15924, e.g. Latn, Arab.")
    search_key = models.CharField(
        max_length=300, editable=False, db_index=True, help_text="normalize_name(name)"
    )
    search_skeleton = models.CharField(
        max_length=400,
        editable=False,
        default="",
        help_text="name_skeleton(name): transliteration-proof",
    )

    visibility_requires = ("actor",)
    extra_derived_fields = ("search_key", "search_skeleton")

    class Meta:
        ordering = ["actor_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="name_unique_per_actor"),
        ]

    def __str__(self) -> str:
        return self.name

    def sync_derived_fields(self) -> None:
        super().sync_derived_fields()
        self.search_key = normalize_name(self.name)
        self.search_skeleton = name_skeleton(self.name)

    @classmethod
    def after_write(cls, objs: list) -> None:
        NameKey.record((obj.name, obj.kind) for obj in objs)


class NameKey(models.Model):
    """The matcher's lexicon: each key (sahel.core.names.name_keys) of each spelling ever
    stored, to the spelling's `search_key`. Names are found by key through it, live or as of
    any instant (a spelling edited away keeps its keys, for the history rows that still
    hold it). Written with the name, in its transaction (Name.after_write); derived data,
    not a claim: it has no history and is never shown."""

    key = models.CharField(max_length=320)
    spelling = models.CharField(max_length=300, help_text="Name.search_key")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "spelling"], name="name_key_unique"),
        ]
        indexes = [models.Index(fields=["spelling"], name="name_key_spelling")]

    def __str__(self) -> str:
        return f"{self.key} -> {self.spelling}"

    @classmethod
    def keys_of(cls, spellings) -> set[tuple[str, str]]:
        """(key, spelling) of (name, kind) pairs."""
        return {
            (key[:320], normalize_name(name))
            for name, kind in spellings
            for key in name_keys(name, kind)
            if normalize_name(name)
        }

    @classmethod
    def record(cls, spellings) -> None:
        """Add the keys of (name, kind) pairs that the lexicon lacks (two queries at most)."""
        wanted = cls.keys_of(spellings)
        if not wanted:
            return
        known = set(
            cls.objects.filter(spelling__in={spelling for _, spelling in wanted}).values_list(
                "key", "spelling"
            )
        )
        missing = sorted(wanted - known)
        if missing:
            cls.objects.bulk_create(
                [cls(key=key, spelling=spelling) for key, spelling in missing],
                ignore_conflicts=True,
                batch_size=1000,
            )


class IdentifierScheme(models.TextChoices):
    WIKIDATA = "wikidata", "Wikidata QID"
    ACLED = "acled", "ACLED actor name"
    UCDP = "ucdp", "UCDP actor id"
    GTD = "gtd", "GTD group name"
    OPENSANCTIONS = "opensanctions", "OpenSanctions id"
    UN_SANCTIONS = "un_sanctions", "UN sanctions reference"
    OTHER = "other", "other"


class Identifier(TrackedModel):
    """A crosswalk to another dataset's identifier for this actor."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=300)
    confidence = models.CharField(
        max_length=16,
        choices=Certainty.choices,
        default=Certainty.CONFIRMED,
        help_text="How sure we are that the other dataset means this actor.",
    )
    note = models.TextField(blank=True, help_text="Public note, e.g. why the match is uncertain.")

    visibility_requires = ("actor",)

    class Meta:
        ordering = ["actor_id", "scheme", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "scheme", "value"], name="identifier_unique_per_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"
