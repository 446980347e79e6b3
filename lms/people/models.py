from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .i18n import TranslatedNameMixin


class OrgUnit(TranslatedNameMixin, MP_Node):
    """A unit of the agency: the agency itself, a region, a district, a service centre or a
    department. The tree's materialised path makes "this unit and everything below it" one
    indexed prefix query, which is how every scoped query is written."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        REGION = "region", _("Region")
        DISTRICT = "district", _("District")
        CENTRE = "centre", _("Inson social service centre")
        DEPARTMENT = "department", _("Department")

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_pilot = models.BooleanField(
        _("pilot district"),
        default=False,
        help_text=_("One of the districts where the new service model was piloted first."),
    )
    active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def subtree_q(self, prefix: str = "") -> Q:
        """A filter for rows whose org unit (reached through `prefix`) lies in this subtree."""
        return Q(**{f"{prefix}path__startswith": self.path})


class Position(TranslatedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.local_name


class User(AbstractUser):
    """A member of staff (or a guest account). The profile lives on the user so that rosters,
    reports and scoping read one table."""

    class Language(models.TextChoices):
        UZ = "uz", "Oʻzbekcha"
        UZ_CYRL = "uz-cyrl", "Ўзбекча"
        RU = "ru", "Русский"
        EN = "en", "English"

    employee_number = models.CharField(
        _("employee number"), max_length=40, unique=True, null=True, blank=True
    )
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.UZ
    )
    scope = models.ForeignKey(
        OrgUnit,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "For HR officers and evaluators: the part of the organisation they may see "
            "(this unit and everything below it)."
        ),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("pk")), name="person_not_own_supervisor"
            )
        ]

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p) or (
            self.username
        )


class RosterImport(models.Model):
    """One upload of the HR roster: validated as a whole, then applied atomically or not at
    all. Progress and every rejected row are kept here for the admin to show."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        VALIDATING = "validating", _("Checking rows")
        APPLYING = "applying", _("Applying changes")
        SUCCEEDED = "succeeded", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was changed")
        FAILED = "failed", _("Failed: nothing was changed")

    file = models.FileField(_("file"), upload_to="roster-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    scope = models.ForeignKey(
        OrgUnit,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rows must fall inside this unit; leavers are looked for only inside it."),
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    deactivated_count = models.PositiveIntegerField(_("deactivated"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, round(100 * self.processed_rows / self.total_rows))
