"""Open Badges 3.0 credentials: keys, signing and verifying (VC-JWT, Ed25519), issuing on
completion, the holder's list, downloads, hiding and showing, a facilitator revoking,
and the public pages. Personas: teacher (amira, the holder), colleague (tom, a member of
the same cohort), moderator (rob, its facilitator), outsider (olly), staff (stella)."""

import base64
import io
import json
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inquiry import credentials as documents
from inquiry import keys
from inquiry.models import (
    Attendance,
    Cohort,
    CohortMember,
    CohortUnit,
    Credential,
    ModuleCompletion,
    RecordEntry,
    SigningKey,
)
from inquiry.services import credentials as service
from tests.factories import make_course, make_cycle, make_space

# --- Building a cohort and its progress facts (the ORM: no cohort services needed) -------


def make_cohort(*, course, facilitators=(), members=(), name="Spring, Leeds"):
    creator = course.created_by
    space = make_space(kind="private", moderators=list(facilitators), members=list(members))
    cohort = Cohort.objects.create(
        course=course,
        name=name,
        slug=f"cohort-{space.slug}",
        space=space,
        invite_code=f"CODE{space.pk:06d}",
        timezone_name="Europe/London",
        created_by=creator,
    )
    cohort.facilitators.set(facilitators)
    start = timezone.now() - timedelta(days=60)
    for unit in course.units.all():
        CohortUnit.objects.create(
            cohort=cohort,
            unit=unit,
            opens_at=start + timedelta(days=7 * (unit.number - 1)),
            session_at=start + timedelta(days=7 * (unit.number - 1), hours=2),
        )
    for user in members:
        CohortMember.objects.create(cohort=cohort, user=user)
    return cohort


def complete_unit(user, cohort_unit, *, marked_by, shared=True):
    """The facts that make a unit done: its modules completed, present at its session,
    its classroom task's cycle tried and (shared) its reflection shared."""
    now = timezone.now()
    for module in cohort_unit.unit.modules.all():
        ModuleCompletion.objects.update_or_create(
            user=user, module=module, defaults={"completed_at": now}
        )
    Attendance.objects.update_or_create(
        cohort_unit=cohort_unit,
        user=user,
        defaults={"status": Attendance.Status.PRESENT, "marked_by": marked_by},
    )
    return make_cycle(
        owner=user,
        stage="done" if shared else "reflect",
        reflected=True,
        cohort_unit=cohort_unit,
        shared_at=now if shared else None,
        visibility="space",
        space=cohort_unit.cohort.space,
    )


def complete_course(user, cohort, *, marked_by):
    return [
        complete_unit(user, cu, marked_by=marked_by)
        for cu in cohort.cohort_units.select_related("unit")
    ]


@pytest.fixture
def cohort(teacher, colleague, moderator):
    course = make_course(units=2, authors=[moderator], title="Talk for learning")
    return make_cohort(course=course, facilitators=[moderator], members=[teacher, colleague])


@pytest.fixture
def credential(teacher, cohort, moderator):
    complete_course(teacher, cohort, marked_by=moderator)
    issued = service.check_completion(user=teacher, cohort=cohort)
    assert issued is not None
    return issued


# --- Keys ------------------------------------------------------------------------------------


def test_development_makes_a_key_on_first_use_and_keeps_it(db):
    assert not SigningKey.objects.exists()
    first, _ = keys.signing_key()
    again, _ = keys.signing_key()
    assert first == again and SigningKey.objects.count() == 1
    assert first.private_key and len(keys.unb64url(first.public_key)) == 32


def test_production_without_the_key_refuses_to_sign(db, settings):
    settings.PRODUCTION, settings.STAFFROOM_CREDENTIAL_KEY = True, ""
    with pytest.raises(keys.CredentialKeyMissing):
        keys.signing_key()
    assert not SigningKey.objects.exists()


def test_production_without_the_key_issues_nothing(teacher, cohort, moderator, settings):
    complete_course(teacher, cohort, marked_by=moderator)
    settings.PRODUCTION, settings.STAFFROOM_CREDENTIAL_KEY = True, ""
    assert service.check_completion(user=teacher, cohort=cohort) is None
    assert not Credential.objects.exists() and not RecordEntry.objects.exists()
    settings.STAFFROOM_CREDENTIAL_KEY = keys.b64url(b"\x07" * 32)  # set later: issued then
    assert service.check_completion(user=teacher, cohort=cohort) is not None


def test_the_configured_key_is_recorded_without_its_private_half_and_retires_the_old(db, settings):
    old, _ = keys.signing_key()
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    settings.STAFFROOM_CREDENTIAL_KEY = keys.b64url(seed)
    key, private = keys.signing_key()
    assert key.private_key == "" and key != old
    assert keys.b64url(private.public_key().public_bytes_raw()) == key.public_key
    old.refresh_from_db()
    assert old.retired_at is not None
    assert {k["kid"] for k in documents.jwks()["keys"]} == {old.kid, key.kid}


@pytest.mark.parametrize("bad", ["short", "not base64 !!", keys.b64url(b"x" * 31)])
def test_a_malformed_configured_key_is_refused(db, settings, bad):
    settings.STAFFROOM_CREDENTIAL_KEY = bad
    with pytest.raises(ImproperlyConfigured):
        keys.signing_key()


def test_the_keys_are_published_as_a_jwks_without_login(client, db):
    key, _ = keys.signing_key()
    SigningKey.objects.filter(pk=key.pk).update(retired_at=timezone.now())
    current, _ = keys.signing_key()
    response = client.get(reverse("inquiry:credential-keys"))
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    published = response.json()["keys"]
    assert [k["kid"] for k in published] == [key.kid, current.kid]  # retired ones stay
    for jwk in published:
        assert set(jwk) == {"kty", "crv", "x", "kid", "alg"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
        assert jwk["kid"] == keys.kid_for(jwk["x"])
    assert "private" not in response.content.decode() and key.private_key not in str(published)


def test_the_issuer_profile(client, db, settings):
    profile = client.get(reverse("inquiry:credential-issuer")).json()
    assert profile["id"] == f"{settings.SITE_URL}/credentials/issuer.json"
    assert profile["type"] == ["Profile"] and profile["name"] == "Staffroom"
    assert profile["url"] == settings.SITE_URL


# --- Signing and verifying -----------------------------------------------------------------


def _segments(token):
    return token.split(".")


def _resign(claims, header=None, private=None):
    """A token with these claims, signed by `private` (default: the site's own key)."""
    key, site_private = keys.signing_key()
    header = header or {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    h = keys.b64url(json.dumps(header).encode())
    b = keys.b64url(json.dumps(claims).encode())
    signature = (private or site_private).sign(f"{h}.{b}".encode())
    return f"{h}.{b}.{keys.b64url(signature)}"


def test_sign_and_verify_round_trip(credential):
    header = json.loads(keys.unb64url(_segments(credential.jwt)[0]))
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": credential.kid}
    check = documents.verify_text(credential.jwt)
    assert check.status == "valid" and check.credential == credential
    assert check.holder_name == "Amira Khan" and check.course_name == "Talk for learning"


def test_the_json_verifies_against_the_record(credential):
    assert documents.verify_text(json.dumps(credential.payload)).status == "valid"
    changed = {**credential.payload, "name": "Something grander"}
    assert documents.verify_text(json.dumps(changed)).status == "tampered"


def test_a_changed_payload_byte_is_tampered(credential):
    header, body, signature = _segments(credential.jwt)
    claims = keys.read_claims(credential.jwt)
    claims["credentialSubject"]["achievement"]["name"] = "Talk for learninG"
    forged = f"{header}.{keys.b64url(json.dumps(claims).encode())}.{signature}"
    assert documents.verify_text(forged).status == "tampered"
    # One character of the payload segment changed, whatever it decodes to.
    flipped = body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    assert documents.verify_text(f"{header}.{flipped}.{signature}").status == "tampered"


def test_a_changed_signature_is_tampered(credential):
    header, body, signature = _segments(credential.jwt)
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert documents.verify_text(f"{header}.{body}.{flipped}").status == "tampered"
    assert documents.verify_text(f"{header}.{body}.").status == "tampered"


def test_alg_none_is_tampered(credential):
    claims = keys.read_claims(credential.jwt)
    header = keys.b64url(json.dumps({"alg": "none", "kid": credential.kid}).encode())
    token = f"{header}.{keys.b64url(json.dumps(claims).encode())}."
    check = documents.verify_text(token)
    assert check.status == "tampered" and "EdDSA" in check.reason


def test_an_unknown_kid_is_not_a_staffroom_credential(credential):
    other = Ed25519PrivateKey.generate()
    x = keys.b64url(other.public_key().public_bytes_raw())
    claims = keys.read_claims(credential.jwt)
    token = _resign(claims, header={"alg": "EdDSA", "kid": keys.kid_for(x)}, private=other)
    assert documents.verify_text(token).status == "unknown"


def test_re_signed_with_our_key_but_changed_is_still_tampered(credential):
    """A stolen or misused key cannot change what Staffroom issued: the record says."""
    claims = keys.read_claims(credential.jwt)
    claims["name"] = "Master's degree"
    assert documents.verify_text(_resign(claims)).status == "tampered"


def test_signed_by_us_with_no_record_is_unknown(credential):
    claims = keys.read_claims(credential.jwt)
    claims["jti"] = claims["id"] = documents.credential_id(uuid.UUID(int=0))
    assert documents.verify_text(_resign(claims)).status == "unknown"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hello",
        "a.b",
        "a.b.c.d",
        "!!!.@@@.###",
        "eyJ.e30.",
        keys.b64url(b"[1,2]") + ".e30.",
        keys.b64url(b"\xff\xfe") + ".e30.sig",
        keys.b64url(b'{"alg":"EdDSA","kid":["x"]}') + ".e30.AAAA",
        "{",
        "[1, 2]",
        '{"type": "OpenBadgeCredential"}',
        '{"type": ["OpenBadgeCredential"], "id": 7}',
        '{"id": "data:application/vc+jwt,nonsense"}',
        "[" * 5000 + "]" * 5000,
        "{" + '"a":' * 3000,
        "x" * 70_000,
    ],
)
def test_garbage_gets_a_clear_result_never_a_traceback(db, garbage):
    check = documents.verify_text(garbage)
    assert check.status in {"tampered", "unknown"} and check.reason


def test_revoked_says_revoked_with_the_date(credential, moderator):
    service.revoke_credential(actor=moderator, credential=credential, reason="Issued in error")
    check = documents.verify_text(credential.jwt)
    assert check.status == "revoked" and check.credential.revoked_at is not None


def test_a_tampered_record_is_not_vouched_for(credential):
    Credential.objects.filter(pk=credential.pk).update(
        payload={**credential.payload, "name": "Changed in the database"}
    )
    assert documents.verify_text(credential.jwt).status == "tampered"


# --- Issuing ----------------------------------------------------------------------------------


def test_nothing_is_issued_until_every_unit_is_done(teacher, cohort, moderator):
    first, second = cohort.cohort_units.select_related("unit")
    complete_unit(teacher, first, marked_by=moderator)
    assert service.check_completion(user=teacher, cohort=cohort) is None
    complete_unit(teacher, second, marked_by=moderator, shared=False)  # reflection not shared
    assert service.check_completion(user=teacher, cohort=cohort) is None
    assert not Credential.objects.exists()


def test_absent_from_a_session_is_not_complete(teacher, cohort, moderator):
    complete_course(teacher, cohort, marked_by=moderator)
    Attendance.objects.filter(user=teacher).update(status=Attendance.Status.APOLOGIES)
    assert service.check_completion(user=teacher, cohort=cohort) is None


def test_completing_issues_once(teacher, cohort, moderator, django_capture_on_commit_callbacks):
    cycles = complete_course(teacher, cohort, marked_by=moderator)
    credential = service.check_completion(user=teacher, cohort=cohort)
    again = service.check_completion(user=teacher, cohort=cohort)
    assert again == credential and Credential.objects.count() == 1
    assert set(credential.evidence.all()) == set(cycles)
    entry = RecordEntry.objects.get(user=teacher)
    assert entry.kind == RecordEntry.Kind.CREDENTIAL and entry.minutes == 0
    assert entry.source == f"credential:{cohort.pk}"
    assert entry.url == credential.get_absolute_url()


def test_a_removed_member_gets_no_credential(teacher, cohort, moderator):
    complete_course(teacher, cohort, marked_by=moderator)
    CohortMember.objects.filter(user=teacher).update(removed_at=timezone.now())
    assert service.check_completion(user=teacher, cohort=cohort) is None


def test_the_payload_has_the_open_badges_fields(credential, teacher, cohort, settings):
    p = credential.payload
    assert p["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert p["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert p["id"] == f"{settings.SITE_URL}/credentials/{credential.uid}/"
    assert p["issuer"] == {
        "id": f"{settings.SITE_URL}/credentials/issuer.json",
        "type": ["Profile"],
        "name": "Staffroom",
    }
    assert p["validFrom"].endswith("Z") and p["name"] == "Talk for learning"
    subject = p["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == f"{settings.SITE_URL}/people/amira/"
    assert subject["identifier"][0]["identityHash"] == "Amira Khan"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["id"].startswith("urn:uuid:")
    assert achievement["name"] == "Talk for learning"
    assert achievement["description"] == cohort.course.summary
    assert "Plan talk partners" in achievement["criteria"]["narrative"]
    assert len(p["evidence"]) == 2
    for item, cycle in zip(p["evidence"], credential.evidence.order_by("pk"), strict=True):
        assert item["type"] == ["Evidence"] and item["name"] == cycle.focus_question
        assert item["id"] == f"{settings.SITE_URL}/inquiry/{cycle.pk}/"
    assert teacher.email not in json.dumps(p)  # no email, hashed or not
    claims = keys.read_claims(credential.jwt)
    assert claims["iss"] == p["issuer"]["id"] and claims["jti"] == p["id"]
    assert claims["sub"] == subject["id"] and isinstance(claims["nbf"], int)
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf")} == p


# --- Revoking and hiding (services) -----------------------------------------------------------


def test_only_a_facilitator_or_staff_revokes(credential, teacher, colleague, outsider, staff):
    for person in (teacher, colleague, outsider):
        with pytest.raises(PermissionDenied):
            service.revoke_credential(actor=person, credential=credential, reason="No")
    service.revoke_credential(actor=staff, credential=credential, reason="  Issued   in error ")
    credential.refresh_from_db()
    assert credential.revoked_by == staff and credential.revocation_reason == "Issued in error"


def test_revoking_needs_a_reason_and_happens_once(credential, moderator):
    with pytest.raises(ValidationError):
        service.revoke_credential(actor=moderator, credential=credential, reason="   ")
    with pytest.raises(ValidationError):
        service.revoke_credential(actor=moderator, credential=credential, reason="x" * 301)
    credential.refresh_from_db()
    assert credential.revoked_at is None  # nothing half-saved
    service.revoke_credential(actor=moderator, credential=credential, reason="Error")
    with pytest.raises(ValidationError):
        service.revoke_credential(actor=moderator, credential=credential, reason="Again")


def test_only_the_holder_hides_and_shows(credential, teacher, moderator, staff):
    for person in (moderator, staff):
        with pytest.raises(PermissionDenied):
            service.hide_credential(actor=person, credential=credential)
    service.hide_credential(actor=teacher, credential=credential)
    assert Credential.objects.get().hidden_at is not None
    service.show_credential(actor=teacher, credential=credential)
    assert Credential.objects.get().hidden_at is None


# --- Pages ------------------------------------------------------------------------------------


def test_the_public_page_needs_no_login(client, credential):
    response = client.get(credential.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Valid" in body and "Amira Khan" in body and "Talk for learning" in body
    assert "Hide from public view" not in body and "Revoke" not in body


def test_a_hidden_credential_is_not_public_to_others_but_the_holder_sees_it(
    client, credential, teacher, outsider, colleague
):
    service.hide_credential(actor=teacher, credential=credential)
    url = credential.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 404 and "not public" in response.content.decode()
    assert "Amira" not in response.content.decode()
    for person in (outsider, colleague):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert (
            client.get(reverse("inquiry:credential-json", args=[credential.uid])).status_code == 404
        )
    client.force_login(teacher)
    response = client.get(url)
    assert response.status_code == 200 and "Make it public" in response.content.decode()


def test_a_hidden_copy_handed_out_still_verifies(client, credential, teacher):
    service.hide_credential(actor=teacher, credential=credential)
    response = client.post(reverse("inquiry:credential-verify"), {"token": credential.jwt})
    assert response.status_code == 200 and "Valid" in response.content.decode()


def test_the_holder_downloads_the_json_and_the_jwt(client, credential, teacher):
    client.force_login(teacher)
    response = client.get(reverse("inquiry:credential-json", args=[credential.uid]))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == credential.payload
    response = client.get(reverse("inquiry:credential-jwt", args=[credential.uid]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == credential.jwt
    assert response["Content-Disposition"].endswith('.jwt"')


def test_hide_and_show_from_my_credentials(client, credential, teacher):
    client.force_login(teacher)
    mine = reverse("inquiry:credentials")
    response = client.post(
        reverse("inquiry:credential-hide", args=[credential.uid]), {"next": mine}
    )
    assert response.status_code == 302 and response["Location"] == mine
    assert Credential.objects.get().hidden_at is not None
    response = client.post(reverse("inquiry:credential-show", args=[credential.uid]))
    assert response["Location"] == credential.get_absolute_url()
    assert Credential.objects.get().hidden_at is None


def test_a_facilitator_revokes_with_a_reason(client, credential, moderator):
    client.force_login(moderator)
    url = reverse("inquiry:credential-revoke", args=[credential.uid])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and Credential.objects.get().revoked_at is None
    response = client.post(url, {"reason": "Issued to the wrong account"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_by == moderator
    page = client.get(credential.get_absolute_url()).content.decode()
    assert "Revoked" in page and "Issued to the wrong account" in page
    client.logout()
    page = client.get(credential.get_absolute_url()).content.decode()
    assert "Revoked" in page and "wrong account" not in page  # the reason is not public
    client.force_login(moderator)
    assert client.get(url).status_code == 302  # already revoked: back to its page


def test_a_member_cannot_revoke(client, credential, teacher, colleague):
    for person in (teacher, colleague):
        client.force_login(person)
        response = client.post(
            reverse("inquiry:credential-revoke", args=[credential.uid]), {"reason": "Mine"}
        )
        assert response.status_code == 403
    assert Credential.objects.get().revoked_at is None


def test_the_verify_page_takes_a_paste_or_a_file(client, credential):
    url = reverse("inquiry:credential-verify")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("c.jwt", credential.jwt.encode(), content_type="text/plain")
    body = client.post(url, {"upload": upload}).content.decode()
    assert "Valid" in body and "Amira Khan" in body
    upload = SimpleUploadedFile("c.json", json.dumps(credential.payload).encode())
    assert "Valid" in client.post(url, {"upload": upload}).content.decode()
    header, payload, signature = _segments(credential.jwt)
    body = client.post(url, {"token": f"{header}.{payload}.A{signature[1:]}"}).content.decode()
    assert "Tampered" in body and "Amira" not in body


def test_the_verify_page_refuses_empty_or_binary_input(client, db):
    url = reverse("inquiry:credential-verify")
    response = client.post(url, {"token": "  "})
    assert "Paste a credential" in response.content.decode()
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    upload = SimpleUploadedFile("c.jwt", png.getvalue())
    assert "not text" in client.post(url, {"upload": upload}).content.decode()
    response = client.post(url, {"token": "eyJhbGciOiJub25lIn0.e30."})
    assert response.status_code == 200 and "Tampered" in response.content.decode()


def test_my_credentials_lists_only_mine(client, credential, colleague, cohort, moderator):
    complete_course(colleague, cohort, marked_by=moderator)
    service.check_completion(user=colleague, cohort=cohort)
    client.force_login(colleague)
    body = client.get(reverse("inquiry:credentials")).content.decode()
    assert body.count("Download JSON") == 1 and str(credential.uid) not in body


@pytest.mark.parametrize("count", [1, 4])
def test_my_credentials_query_count_is_fixed(
    client, teacher, moderator, count, django_assert_num_queries
):
    for n in range(count):
        course = make_course(units=1, authors=[moderator], title=f"Course {n}")
        cohort = make_cohort(course=course, facilitators=[moderator], members=[teacher])
        complete_course(teacher, cohort, marked_by=moderator)
        service.check_completion(user=teacher, cohort=cohort)
    client.force_login(teacher)
    # session, user, profile (timezone), unread count, moderates?, the credentials
    with django_assert_num_queries(6):
        response = client.get(reverse("inquiry:credentials"))
    assert response.content.decode().count("Download JSON") == count


def test_an_unknown_credential_is_a_404_page(client, db):
    response = client.get(reverse("inquiry:credential", args=[uuid.UUID(int=0)]))
    assert response.status_code == 404 and "not public" in response.content.decode()


def test_seed_helper_keys_are_base64url():
    assert keys.unb64url(keys.b64url(b"\x00\xff" * 16)) == b"\x00\xff" * 16
    assert base64.urlsafe_b64decode(keys.b64url(b"ab") + "==") == b"ab"
