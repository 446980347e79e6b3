"""What the Learning Record Store keeps.

A statement is stored whole as JSON (exactly as it will be returned with ``format=exact``) and
described by indexed columns for the filters of the statement query (1.0.3 §7.2.3): verb,
registration, stored and voided on the row itself; every agent and activity the statement
mentions in `StatementAgent` / `StatementActivity`, marked *direct* when the plain ``agent`` /
``activity`` filter matches it and not only ``related_agents`` / ``related_activities``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .auth import forget_credential

SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "all/read",
    "all",
    "state",
    "define",
    "profile",
)


def digest_secret(secret: str) -> str:
    """A keyed hash (HMAC-SHA256 keyed by SECRET_KEY): verifying costs microseconds, not the
    ~160 ms of a password hasher, and a leaked table does not give the secrets away."""
    return salted_hmac("lms.xapi.Credential", secret, algorithm="sha256").hexdigest()


class Credential(models.Model):
    """An LRS client (an authoring tool, a partner's LRS, the platform itself): HTTP Basic key
    and secret, and the scopes it holds (1.0.3 §6.4.2)."""

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    secret_digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("LRS credential")
        verbose_name_plural = _("LRS credentials")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_credential(self.key)  # the request path's cache of credentials

    @classmethod
    def issue(cls, name: str, scopes: list[str]) -> tuple[Credential, str]:
        """Create a credential; the secret is returned once and never stored."""
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise ValueError(f"unknown scope {unknown[0]!r}; scopes are {', '.join(SCOPES)}")
        secret = secrets.token_urlsafe(32)
        credential = cls.objects.create(
            name=name,
            key=secrets.token_hex(16),
            secret_digest=digest_secret(secret),
            scopes=list(scopes),
        )
        return credential, secret

    def check_secret(self, secret: str) -> bool:
        return constant_time_compare(self.secret_digest, digest_secret(secret))

    def has_scope(self, *wanted: str) -> bool:
        return "all" in self.scopes or any(scope in self.scopes for scope in wanted)

    @property
    def authority(self) -> dict:
        """The Agent the LRS writes as `authority` of what this credential sends (§2.4.9)."""
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": settings.XAPI_HOMEPAGE, "name": f"lrs-client/{self.key}"},
        }


class Statement(models.Model):
    seq = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(unique=True)
    data = models.JSONField()
    verb_id = models.TextField()
    registration = models.UUIDField(null=True, blank=True)
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    voided = models.BooleanField(default=False)
    voids = models.UUIDField(null=True, blank=True)  # never searched: no index to maintain
    # The statement this one targets with a StatementRef object (voiding ones included).
    refs = models.UUIDField(null=True, blank=True, db_index=True)
    # Whose statements these are, for the statements/read/mine scope.
    credential = models.ForeignKey(Credential, null=True, blank=True, on_delete=models.SET_NULL)
    actor_key = models.TextField()

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            models.Index(fields=["verb_id", "seq"], name="xapi_stmt_verb"),
            models.Index(fields=["registration", "seq"], name="xapi_stmt_registration"),
            models.Index(fields=["stored", "seq"], name="xapi_stmt_stored"),
            models.Index(fields=["actor_key", "verb_id", "seq"], name="xapi_stmt_actor_verb"),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementAgent(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="agents")
    key = models.TextField()  # the agent's inverse functional identifier, canonical form
    direct = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["key", "statement"], name="xapi_agent_key")]

    def __str__(self) -> str:
        return self.key


class StatementActivity(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="activities")
    activity_id = models.TextField()
    direct = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["activity_id", "statement"], name="xapi_activity_id")]

    def __str__(self) -> str:
        return self.activity_id


class Document(models.Model):
    """A document of the State, Activity Profile or Agent Profile resource (1.0.3 §7.3–7.6).
    Only the identifiers that apply to its kind are filled; the others are ''."""

    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"

    kind = models.CharField(max_length=20)
    activity_id = models.TextField(default="", blank=True)
    agent_key = models.TextField(default="", blank=True)
    registration = models.CharField(max_length=36, default="", blank=True)
    document_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()

    class Meta:
        verbose_name = _("xAPI document")
        verbose_name_plural = _("xAPI documents")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "activity_id", "agent_key", "registration", "document_id"],
                name="xapi_document_unique",
            )
        ]

    def __str__(self) -> str:
        return self.document_id


class Activity(models.Model):
    """The canonical definition of an activity, merged from the statements that define it
    (1.0.3 §7.5 Activities Resource)."""

    activity_id = models.TextField(unique=True)
    definition = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("xAPI activity")
        verbose_name_plural = _("xAPI activities")

    def __str__(self) -> str:
        return self.activity_id
