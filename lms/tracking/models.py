"""The transactional outbox: statements written in the same transaction as the domain change
they describe, then delivered by a Celery task to the platform's LRS and to external LRSs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalLRS(models.Model):
    """An LRS the platform forwards every statement to (a partner's, the data warehouse's)."""

    name = models.CharField(_("name"), max_length=200)
    endpoint = models.URLField(_("endpoint"), help_text=_("The xAPI base IRI, ending in /"))
    username = models.CharField(_("key"), max_length=200)
    password = models.CharField(_("secret"), max_length=200)
    version = models.CharField(_("xAPI version"), max_length=10, default="1.0.3")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("external LRS")
        verbose_name_plural = _("external LRSs")

    def __str__(self) -> str:
        return self.name


class OutboxStatement(models.Model):
    statement_id = models.UUIDField(primary_key=True)
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outgoing statement")
        verbose_name_plural = _("outgoing statements")

    def __str__(self) -> str:
        return str(self.statement_id)


class Delivery(models.Model):
    """One statement to one destination: the platform's own store (destination null) or an
    external LRS. Retried with backoff; after MAX_ATTEMPTS failures it is dead until replayed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Failed")

    MAX_ATTEMPTS = 8

    statement = models.ForeignKey(
        OutboxStatement, on_delete=models.CASCADE, related_name="deliveries"
    )
    destination = models.ForeignKey(ExternalLRS, null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "destination"], name="tracking_delivery_once"
            ),
            models.UniqueConstraint(
                fields=["statement"],
                condition=models.Q(destination__isnull=True),
                name="tracking_local_delivery_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="tracking_due")]

    def __str__(self) -> str:
        return f"{self.statement_id} → {self.destination or 'local store'}"
