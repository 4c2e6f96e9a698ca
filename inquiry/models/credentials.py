"""Credentials: completing every unit of a course earns an Open Badges 3.0
OpenBadgeCredential, signed by the site as a VC-JWT with an Ed25519 key. The public keys
(current and retired) are published at a stable address, so anyone can verify a
credential without asking Staffroom; the verification page says valid, revoked or
tampered. The holder may hide it from public view; a facilitator may revoke it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class SigningKey(models.Model):
    """One of the site's Ed25519 keys. The private half lives here only for the
    development default; in production it comes from the environment (docs/inquiry.md)."""

    kid = models.CharField(max_length=64, unique=True)
    public_key = models.TextField()  # base64url of the 32 raw bytes
    private_key = models.TextField(blank=True)  # base64url; empty when kept outside the db
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)  # signs no more; still verifies

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.kid


class CredentialQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A credential's page is public (no login) unless its holder hid it; then it is
        theirs, its cohort's facilitators' and staff's (who may need to revoke it)."""
        shown = Q(hidden_at__isnull=True)
        if not user.is_authenticated or not user.is_active:
            return self.filter(shown)
        if user.is_staff:
            return self
        return self.filter(
            shown | Q(user=user) | Q(cohort__in=user.facilitated_cohorts.values("pk"))
        )


class Credential(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # public id
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    cohort = models.ForeignKey(
        "inquiry.Cohort", on_delete=models.PROTECT, related_name="credentials"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField()  # the OpenBadgeCredential as signed
    jwt = models.TextField()  # the VC-JWT: header.payload.signature
    kid = models.CharField(max_length=64)
    # The reflections (shared inquiry cycles) the holder chose to include as evidence.
    evidence = models.ManyToManyField("inquiry.InquiryCycle", blank=True, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)  # the holder hid it from view
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.CharField(max_length=300, blank=True)
    # The holder erased their account: `payload` keeps only what names no one (the course,
    # the issuer, the date), `jwt` is emptied, and `fingerprint` (SHA-256 of the signed
    # claims, inquiry.credentials.fingerprint) lets a copy the holder kept still verify.
    erased_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cohort"], name="credential_once_per_cohort")
        ]

    def __str__(self):
        return f"{self.user}: {self.cohort.course}"

    def get_absolute_url(self):
        return reverse("inquiry:credential", kwargs={"uid": self.uid})
