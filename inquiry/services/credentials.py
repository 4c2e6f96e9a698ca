"""Every write to credentials: issuing one when a member completes a course, the holder
hiding and showing it, a facilitator revoking it. The documents and verification are
inquiry/credentials.py; the keys and the signing inquiry/keys.py."""

import logging
import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import Profile, User
from inquiry import credentials as documents
from inquiry import keys, rules
from inquiry.models import Cohort, CohortMember, Credential, InquiryCycle, RecordEntry
from inquiry.progress import cohort_progress
from inquiry.services.record import SystemEntry, write_entries

log = logging.getLogger(__name__)

REASON_MAX_LENGTH = Credential._meta.get_field("revocation_reason").max_length


def _display_name(user: User) -> str:
    profile = Profile.objects.filter(user=user).only("display_name").first()
    return (profile.display_name if profile else "") or user.username


def check_completion(*, user: User, cohort: Cohort, now: datetime | None = None):
    """Issue the member's credential for the cohort once inquiry.progress says they have
    completed every unit; return it (the one issued before, if any), or None while not
    complete. Call it after anything that can finish a unit. In production without
    STAFFROOM_CREDENTIAL_KEY nothing is issued (logged); a later call issues it."""
    existing = Credential.objects.filter(user=user, cohort=cohort).first()
    if existing:
        return existing
    if not CohortMember.objects.filter(cohort=cohort, user=user, removed_at__isnull=True).exists():
        return None
    if not cohort_progress(cohort, [user.pk], now=now)[user.pk].complete:
        return None
    try:
        return _issue(user=user, cohort=cohort, now=now or timezone.now())
    except keys.CredentialKeyMissing as error:
        log.error("Credential for user %s in cohort %s not issued: %s", user.pk, cohort.pk, error)
        return None


def _issue(*, user: User, cohort: Cohort, now: datetime) -> Credential:
    cycles = list(
        InquiryCycle.objects.filter(owner=user, cohort_unit__cohort=cohort, shared_at__isnull=False)
        .select_related("cohort_unit__unit")
        .order_by("cohort_unit__unit__number", "created_at", "pk")
    )
    units = list(cohort.course.units.order_by("number"))
    uid = uuid.uuid4()
    payload = documents.build_payload(
        uid=uid,
        user=user,
        display_name=_display_name(user),
        cohort=cohort,
        units=units,
        cycles=cycles,
        issued_at=now,
    )
    try:
        with transaction.atomic():
            key, private = keys.signing_key(now=now)
            token = keys.sign_jws(documents.claims_for(payload), key=key, private=private)
            credential = Credential.objects.create(
                uid=uid,
                user=user,
                cohort=cohort,
                issued_at=now,
                payload=payload,
                jwt=token,
                kid=key.kid,
            )
            credential.evidence.set(cycles)
            write_entries(
                [
                    SystemEntry(
                        user_id=user.pk,
                        kind=RecordEntry.Kind.CREDENTIAL,
                        title=f"Credential: {cohort.course.title}",
                        occurred_at=now,
                        minutes=0,
                        url=credential.get_absolute_url(),
                        source=f"credential:{cohort.pk}",
                        details=f"Open Badge for completing {cohort.course.title} ({cohort.name}).",
                    )
                ],
                now=now,
            )
    except IntegrityError:  # issued by a request racing this one: that one stands
        return Credential.objects.get(user=user, cohort=cohort)
    return credential


@transaction.atomic
def revoke_credential(
    *, actor: User, credential: Credential, reason: str, now: datetime | None = None
) -> Credential:
    """A facilitator of the cohort (or staff) revokes it, once, saying why. The signed
    credential cannot change: verification reads the revocation from here."""
    if not rules.can_revoke_credential(actor, credential):
        if credential.revoked_at:
            raise ValidationError({"reason": ["This credential is already revoked."]})
        raise PermissionDenied("Only the cohort's facilitators revoke its credentials.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["Say why it is revoked (the holder sees this)."]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [f"A reason is at most {REASON_MAX_LENGTH} characters."]})
    now = now or timezone.now()
    changed = Credential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revocation_reason=reason
    )
    if not changed:  # revoked by someone else a moment ago
        raise ValidationError({"reason": ["This credential is already revoked."]})
    credential.revoked_at, credential.revoked_by, credential.revocation_reason = now, actor, reason
    return credential


def _set_hidden(actor: User, credential: Credential, hidden_at) -> Credential:
    if not rules.can_hide_credential(actor, credential):
        raise PermissionDenied("Only its holder chooses who sees a credential.")
    credential.hidden_at = hidden_at
    credential.save(update_fields=["hidden_at"])
    return credential


@transaction.atomic
def hide_credential(*, actor: User, credential: Credential, now: datetime | None = None):
    """Its public page then says it is not public (to all but its holder, the cohort's
    facilitators and staff). A copy already handed out still verifies."""
    return _set_hidden(actor, credential, credential.hidden_at or now or timezone.now())


@transaction.atomic
def show_credential(*, actor: User, credential: Credential) -> Credential:
    return _set_hidden(actor, credential, None)
