"""The evaluation toolkit's data: the indicator catalogue, indicator values per org unit and
period (with their imports and the feed tokens of machine clients), and evaluation studies with
the snapshot of their results."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.people.i18n import TranslatedNameMixin, text_in
from lms.people.models import OrgUnit


class Indicator(TranslatedNameMixin, models.Model):
    """A unified service-quality indicator, as agreed by the partners."""

    class Unit(models.TextChoices):
        PERCENT = "percent", _("percent")
        DAYS = "days", _("working days")
        COUNT = "count", _("count")
        SCORE = "score", _("score")
        RATIO = "ratio", _("ratio")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Frequency(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")

    code = models.CharField(_("code"), max_length=40, unique=True)
    definition = models.TextField(_("definition (Uzbek Latin)"))
    definition_uz_cyrl = models.TextField(_("definition (Uzbek Cyrillic)"), blank=True)
    definition_ru = models.TextField(_("definition (Russian)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    numerator = models.TextField(_("numerator (Uzbek Latin)"), blank=True)
    numerator_uz_cyrl = models.TextField(_("numerator (Uzbek Cyrillic)"), blank=True)
    numerator_ru = models.TextField(_("numerator (Russian)"), blank=True)
    numerator_en = models.TextField(_("numerator (English)"), blank=True)
    denominator = models.TextField(_("denominator (Uzbek Latin)"), blank=True)
    denominator_uz_cyrl = models.TextField(_("denominator (Uzbek Cyrillic)"), blank=True)
    denominator_ru = models.TextField(_("denominator (Russian)"), blank=True)
    denominator_en = models.TextField(_("denominator (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTH
    )
    source = models.CharField(
        _("source system"),
        max_length=40,
        help_text=_("Where the values come from, e.g. CMIS (the case-management system)."),
    )
    suppression_threshold = models.PositiveIntegerField(
        _("suppression threshold"),
        default=10,
        help_text=_("Values counted over fewer cases than this are not shown."),
    )
    target_low = models.FloatField(_("target from"), null=True, blank=True)
    target_high = models.FloatField(_("target to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_low__isnull=True)
                | Q(target_high__isnull=True)
                | Q(target_low__lte=models.F("target_high")),
                name="indicator_target_band_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.local_name}"

    @property
    def local_definition(self) -> str:
        return text_in(self, "definition")

    @property
    def local_numerator(self) -> str:
        return text_in(self, "numerator")

    @property
    def local_denominator(self) -> str:
        return text_in(self, "denominator")


class IndicatorValue(models.Model):
    """One indicator's value for one org unit and one period (a month or a quarter, held as its
    first day)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        verbose_name=_("organisation unit"),
    )
    period = models.DateField(_("period"), help_text=_("The first day of the month or quarter."))
    value = models.FloatField(_("value"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period"], name="indicator_value_unique"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="indicator_value_denominator_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.org_unit.code} {self.period:%Y-%m}: {self.value}"


class IndicatorImport(models.Model):
    """An upload of indicator values (CSV or XLSX, long format), checked and applied by a Celery
    job: every row valid and inside the uploader's scope, or nothing is written."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking rows")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected: nothing was changed")
        FAILED = "failed", _("Failed: nothing was changed")

    file = models.FileField(_("file"), upload_to="indicator-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator import")
        verbose_name_plural = _("indicator imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.APPLIED, self.Status.REJECTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


def _digest(token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


class FeedToken(models.Model):
    """A bearer token for a system that sends indicator values (the case-management
    information system). Kept as a keyed hash; the token itself is shown once."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scope = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scope"),
        help_text=_("The client may send values for this unit and every unit below it."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, name: str, scope: OrgUnit) -> tuple[FeedToken, str]:
        """Create a token; returns it with the secret text, which is not stored."""
        prefix = secrets.token_hex(4)
        token = f"{prefix}.{secrets.token_urlsafe(32)}"
        return cls.objects.create(
            name=name, prefix=prefix, digest=_digest(token), scope=scope
        ), token

    @classmethod
    def authenticate(cls, token: str) -> FeedToken | None:
        prefix = token.split(".", 1)[0]
        found = cls.objects.filter(prefix=prefix, active=True).select_related("scope").first()
        if found is None or not hmac.compare_digest(found.digest, _digest(token)):
            return None
        cls.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


class EvaluationStudy(models.Model):
    """A saved question: did completing these courses change this indicator in these units?
    Computed by a Celery job; the results are kept as a snapshot so the page, the PDF and the
    spreadsheet show the same figures until the study is run again."""

    class Comparison(models.TextChoices):
        NEVER = "never_treated", _("never-trained units")
        NOT_YET = "not_yet_treated", _("not-yet-trained units")

    class Method(models.TextChoices):
        CS = "cs", _("Callaway–Sant’Anna")
        BJS = "bjs", _("Imputation (Borusyak–Jaravel–Spiess)")
        SA = "sa", _("Sun–Abraham")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not run yet")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=200)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="studies", verbose_name=_("outcome")
    )
    course_keys = models.JSONField(
        _("courses"),
        default=list,
        help_text=_("Translation keys of the courses whose completion counts as trained."),
    )
    course_codes = models.JSONField(_("course codes"), default=list, blank=True)
    units_root = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("units"),
        help_text=_("The service centres below this unit are compared."),
    )
    period_start = models.DateField(_("first month"))
    period_end = models.DateField(_("last month"))
    adoption_threshold = models.FloatField(
        _("trained share that counts as adoption"),
        default=0.5,
        help_text=_("A centre adopts in the first month this share of its staff has completed."),
    )
    comparison = models.CharField(
        _("comparison group"), max_length=20, choices=Comparison.choices, default=Comparison.NEVER
    )
    method = models.CharField(
        _("headline method"),
        max_length=5,
        choices=Method.choices,
        default=Method.CS,
        help_text=_("The estimator the summary reports; the others are shown beside it."),
    )
    bootstrap = models.PositiveIntegerField(_("bootstrap replications"), default=999)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    results = models.JSONField(_("results"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation study")
        verbose_name_plural = _("evaluation studies")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lt=models.F("period_end")),
                name="study_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(adoption_threshold__gt=0) & Q(adoption_threshold__lte=1),
                name="study_threshold_share",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_busy(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}
