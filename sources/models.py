import hashlib
import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from sahel.core.fuzzy_dates import EDTFField, fuzzy_date_bounds
from sahel.core.models import CitableModel, TrackedModel
from sahel.core.passages import nearest_passages


class SourceKind(models.TextChoices):
    ARTICLE = "article", "article"
    REPORT = "report", "report"
    OFFICIAL_LIST = "official_list", "official list"
    INTERVIEW = "interview", "interview"
    VIDEO = "video", "video"
    DATASET = "dataset", "dataset"
    BOOK = "book", "book"
    OTHER = "other", "other"


class Reliability(models.TextChoices):
    """Admiralty (NATO) source-reliability grades."""

    A = "A", "A — completely reliable"
    B = "B", "B — usually reliable"
    C = "C", "C — fairly reliable"
    D = "D", "D — not usually reliable"
    E = "E", "E — unreliable"
    F = "F", "F — reliability cannot be judged"


class Source(TrackedModel):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    authors = models.JSONField(default=list, blank=True, help_text="List of author names.")
    publisher = models.CharField(max_length=300, blank=True)
    publication_date = EDTFField()
    publication_date_lower, publication_date_upper = fuzzy_date_bounds("publication_date")
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 code, e.g. en, fr.")
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    text = models.TextField(
        blank=True,
        help_text="Full text, for sources held in seeds/. Citation quotes are checked against it.",
    )
    checksum = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the text (derived)."
    )
    note = models.TextField(blank=True, help_text="Public note on the document.")

    extra_derived_fields = ("checksum",)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def sync_derived_fields(self) -> None:
        super().sync_derived_fields()
        self.checksum = hashlib.sha256(self.text.encode()).hexdigest() if self.text else ""

    def paragraph(self, number: int) -> str | None:
        """Paragraph `number` (1-based) of the stored text: one paragraph a line."""
        lines = self.text.split("\n")
        return lines[number - 1] if 1 <= number <= len(lines) else None


class Stance(models.TextChoices):
    SUPPORTS = "supports", "supports"  # the passage asserts the claim
    DISPUTES = "disputes", "disputes"  # the passage contradicts it or casts doubt on it
    DENIES = "denies", "denies"  # the passage reports a denial by a party concerned


class Credibility(models.IntegerChoices):
    """Admiralty (NATO) information-credibility grades."""

    CONFIRMED = 1, "1 — confirmed by other sources"
    PROBABLY_TRUE = 2, "2 — probably true"
    POSSIBLY_TRUE = 3, "3 — possibly true"
    DOUBTFUL = 4, "4 — doubtful"
    IMPROBABLE = 5, "5 — improbable"
    CANNOT_BE_JUDGED = 6, "6 — truth cannot be judged"


PARAGRAPH_LOCATOR = re.compile(r"^para\.\s*(\d+)$")


class Citation(TrackedModel):
    """The link from one claim (any citable model) to the source that supports it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    # Generic target: actors, names, affiliations, events, participations, places.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(
        max_length=60, blank=True, help_text="The field of the claim this passage supports, if one."
    )
    locator = models.CharField(
        max_length=120,
        blank=True,
        help_text="Where in the source: 'para. 12' (checked against stored text), 'p. 4', "
        "'00:12:31'.",
    )
    quote = models.TextField(blank=True, help_text="Verbatim passage from the source.")
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.SUPPORTS)
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices, null=True, blank=True
    )
    note = models.TextField(blank=True, help_text="Public note on this citation.")

    visibility_requires = ("target",)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source} {self.locator}".strip()

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        target_model = self.content_type.model_class() if self.content_type_id else None
        if target_model is not None and not issubclass(target_model, CitableModel):
            errors.setdefault("content_type", []).append(
                f"{target_model.__name__} cannot be cited."
            )
        elif (
            target_model is not None
            and not target_model._base_manager.filter(pk=self.object_id).exists()
        ):
            errors.setdefault("object_id", []).append(
                f"There is no {target_model.__name__} {self.object_id} to cite."
            )
        if self.field_name and target_model is not None:
            try:
                target_model._meta.get_field(self.field_name)
            except FieldDoesNotExist:
                errors.setdefault("field_name", []).append(
                    f"{target_model.__name__} has no field {self.field_name!r}."
                )
        source = self.source if self.source_id else None
        if source is not None and source.text and self.quote:
            if self.quote not in source.text:
                errors.setdefault("quote", []).extend(
                    [
                        f"The quote is not verbatim in {source.slug!r}: {_excerpt(self.quote)}",
                        *_nearest(source.text, self.quote),
                    ]
                )
            elif match := PARAGRAPH_LOCATOR.match(self.locator.strip()):
                paragraph = source.paragraph(int(match.group(1)))
                if paragraph is None:
                    errors.setdefault("locator", []).append(
                        f"{source.slug!r} has no paragraph {match.group(1)}."
                    )
                elif self.quote not in paragraph:
                    found = source.text[: source.text.index(self.quote)].count("\n") + 1
                    errors.setdefault("locator", []).append(
                        f"The quote is in {source.slug!r} but not in paragraph "
                        f"{match.group(1)}: it is in paragraph {found} (para. {found})."
                    )
        if errors:
            raise ValidationError(errors)


def _nearest(text: str, quote: str) -> list[str]:
    """What the source says nearest to a quote that is not in it (sahel.core.passages)."""
    passages = nearest_passages(text, quote)
    if passages and passages[0].exact:
        return [
            "It differs from the source only in apostrophes, quotation marks, dashes or "
            f"spaces; the source writes: “{passages[0].text}”"
        ]
    return [f"Nearest in the source: “{p.text}”" for p in passages] or [
        "Nothing in the source is close to it: check the source, or copy the passage from it."
    ]


def _excerpt(text: str, length: int = 80) -> str:
    return repr(text if len(text) <= length else text[: length - 1] + "…")
