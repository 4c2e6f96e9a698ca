"""Open Badges 3.0 credentials: the documents (the OpenBadgeCredential, the issuer's
Profile, the published keys as a JWKS) and verification. Nothing here writes: issuing,
revoking and hiding are inquiry/services/credentials.py.

A credential is signed as a VC-JWT: the JWT claims are the credential itself plus `iss`
(the issuer's id), `jti` (the credential's id), `sub` (the subject's id) and `nbf`
(validFrom as seconds), under the header {"alg": "EdDSA", "typ": "JWT", "kid": ...}."""

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from inquiry import keys
from inquiry.models import Credential, SigningKey

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Staffroom"
MAX_INPUT = 64 * 1024  # a pasted or uploaded credential; ours are a few kilobytes

VALID, REVOKED, TAMPERED, UNKNOWN = "valid", "revoked", "tampered", "unknown"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def issuer_id() -> str:
    return absolute(reverse("inquiry:credential-issuer"))


def issuer_profile() -> dict:
    return {
        "@context": CONTEXT,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": settings.SITE_URL,
        "description": "A network for teachers' professional development.",
    }


def jwks() -> dict:
    """Every key, current and retired: a credential signed years ago still verifies."""
    return {"keys": [keys.jwk(key) for key in SigningKey.objects.order_by("created_at", "pk")]}


def credential_id(uid) -> str:
    return absolute(reverse("inquiry:credential", kwargs={"uid": uid}))


def achievement_id(course) -> str:
    """Stable whatever the course's title or address becomes."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, absolute(f'/courses/{course.pk}'))}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def criteria_narrative(course, units) -> str:
    lines = [course.outcomes.strip(), "", "Earned by completing every unit of the course:"]
    lines += [f"{unit.number}. {unit.title}" for unit in units]
    lines += [
        "",
        "In each unit: the pre-learning modules, the session, a classroom task tried with "
        "a class, and a reflection on it shared with peers, in a facilitated cohort.",
    ]
    return "\n".join(lines).strip()


def build_payload(
    *, uid, user, display_name: str, cohort, units, cycles, issued_at: datetime
) -> dict:
    """The OpenBadgeCredential. The holder is their profile's address (never an email)
    and the display name they had when it was issued."""
    course = cohort.course
    return {
        "@context": CONTEXT,
        "id": credential_id(uid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": iso(issued_at),
        "name": course.title,
        "credentialSubject": {
            "id": absolute(reverse("community:profile", kwargs={"username": user.username})),
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": display_name,
                }
            ],
            "achievement": {
                "id": achievement_id(course),
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": course.title,
                "description": course.summary,
                "criteria": {"narrative": criteria_narrative(course, units)},
            },
        },
        "evidence": [
            {
                "id": absolute(cycle.get_absolute_url()),
                "type": ["Evidence"],
                "name": cycle.focus_question,
                "description": f"A reflection for unit {cycle.cohort_unit.unit.number}: "
                f"{cycle.cohort_unit.unit.title}",
            }
            for cycle in cycles
        ],
    }


def claims_for(payload: dict) -> dict:
    """The VC-JWT's claims: the credential, and the registered claims derived from it."""
    valid_from = datetime.fromisoformat(payload["validFrom"])
    return {
        **payload,
        "iss": payload["issuer"]["id"],
        "jti": payload["id"],
        "sub": payload["credentialSubject"]["id"],
        "nbf": int(valid_from.timestamp()),
    }


def fingerprint(claims: dict) -> str:
    """SHA-256 of the signed claims, canonical JSON: what Staffroom keeps of a credential
    whose holder erased their account, enough to recognise a copy they kept."""
    text = json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def redacted(payload: dict) -> dict:
    """The credential without its holder: no name, no profile address, no evidence (their
    reflections are gone); the course, the issuer and the date stay."""
    subject = payload.get("credentialSubject") or {}
    kept = {key: value for key, value in payload.items() if key != "evidence"}
    kept["credentialSubject"] = {
        key: value for key, value in subject.items() if key not in ("id", "identifier")
    }
    return kept


# --- Verifying ----------------------------------------------------------------------------


@dataclass
class Verification:
    status: str  # VALID, REVOKED, TAMPERED or UNKNOWN
    reason: str
    credential: Credential | None = None
    payload: dict | None = None  # what was checked (for showing): never trusted unless valid
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == VALID

    @property
    def label(self) -> str:
        return {
            VALID: "Valid",
            REVOKED: "Revoked",
            TAMPERED: "Tampered",
            UNKNOWN: "Not a Staffroom credential",
        }[self.status]

    @property
    def holder_name(self) -> str:
        for identity in _get(self.payload, "credentialSubject", "identifier") or []:
            if isinstance(identity, dict) and identity.get("identityType") == "name":
                return str(identity.get("identityHash", ""))
        return ""

    @property
    def course_name(self) -> str:
        return str(_get(self.payload, "credentialSubject", "achievement", "name") or "")

    @property
    def issued_at(self) -> datetime | None:
        return self.credential.issued_at if self.credential else None

    @property
    def evidence(self) -> list[dict]:
        items = _get(self.payload, "evidence") or []
        return [item for item in items if isinstance(item, dict) and "id" in item]


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _uid_of(credential_url) -> uuid.UUID | None:
    prefix = absolute("/credentials/")
    if not isinstance(credential_url, str) or not credential_url.startswith(prefix):
        return None
    try:
        uid = uuid.UUID(credential_url[len(prefix) :].strip("/"))
    except ValueError:
        return None
    return uid if credential_id(uid) == credential_url else None


def _stored(credential_url) -> Credential | None:
    uid = _uid_of(credential_url)
    if uid is None:
        return None
    return Credential.objects.select_related("cohort__course", "revoked_by").filter(uid=uid).first()


def _status(credential: Credential, payload: dict) -> Verification:
    if credential.revoked_at:
        return Verification(
            REVOKED,
            "Staffroom issued this credential, and it has since been revoked.",
            credential,
            payload,
        )
    return Verification(
        VALID,
        "Signed by Staffroom with a published key, unchanged, and not revoked.",
        credential,
        payload,
    )


def record_check(credential: Credential) -> Verification:
    """What Staffroom's own record of a credential says (its public page)."""
    if credential.erased_at is None:
        return verify_token(credential.jwt)
    check = _status(credential, credential.payload)
    check.reason += (
        " Its holder has since closed their Staffroom account, so Staffroom no longer keeps "
        "their name; a copy they kept still checks here."
    )
    return check


def _against_fingerprint(credential: Credential, payload: dict, *, via: str) -> Verification:
    """A credential whose holder erased their account: the copy must be the one signed."""
    try:
        matches = hmac.compare_digest(fingerprint(claims_for(payload)), credential.fingerprint)
    except (KeyError, TypeError, ValueError, AttributeError):
        matches = False
    if not matches:
        return Verification(
            TAMPERED,
            f"This {via} differs from the credential Staffroom issued: something in it "
            "was changed.",
        )
    return _status(credential, payload)


def _against_record(credential: Credential, payload: dict, *, via: str) -> Verification:
    if credential.erased_at is not None:
        return _against_fingerprint(credential, payload, via=via)
    if payload != credential.payload:
        return Verification(
            TAMPERED,
            f"This {via} differs from the credential Staffroom issued: something in it "
            "was changed.",
        )
    stored = verify_token(credential.jwt, check_record=False)
    if not stored.ok or stored.payload != claims_for(credential.payload):
        # The record itself was altered: say so rather than vouch for it.
        return Verification(TAMPERED, "Staffroom's own copy fails its signature check.")
    return _status(credential, payload)


def verify_token(token: str, *, check_record: bool = True) -> Verification:
    """A VC-JWT checked: its header (EdDSA and one of our published kids), its signature,
    its issuer, then (check_record) that it is the credential Staffroom issued, unchanged,
    and whether it was revoked. Never raises on bad input."""
    try:
        header = keys.read_header(token)
    except keys.BadToken:
        return Verification(UNKNOWN, "This is not a VC-JWT (header.payload.signature).")
    if header.get("alg") != keys.ALG:
        return Verification(
            TAMPERED,
            f"It claims the signature algorithm “{str(header.get('alg'))[:20]}”; Staffroom "
            "signs only with EdDSA (Ed25519). An unsigned or re-signed credential is not valid.",
        )
    kid = header.get("kid")
    key = SigningKey.objects.filter(kid=kid).first() if isinstance(kid, str) else None
    if key is None:
        return Verification(UNKNOWN, "It was not signed with any of Staffroom's published keys.")
    if not keys.signature_ok(token, key.public_key):
        return Verification(
            TAMPERED, "The signature does not match: the credential or its signature was changed."
        )
    try:
        claims = keys.read_claims(token)
    except keys.BadToken:
        return Verification(TAMPERED, "The signed part is not a credential.")
    if claims.get("iss") != issuer_id() or _get(claims, "issuer", "id") != issuer_id():
        return Verification(TAMPERED, "It does not name Staffroom as its issuer.")
    if not check_record:
        return Verification(VALID, "The signature is Staffroom's.", payload=claims)
    credential = _stored(claims.get("jti"))
    if credential is None:
        return Verification(UNKNOWN, "Staffroom has no record of this credential.")
    payload = {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf")}
    if credential.erased_at is not None:
        return _against_fingerprint(credential, payload, via="credential")
    try:
        expected = claims_for(credential.payload)
    except (KeyError, TypeError, ValueError):
        expected = None
    if claims != expected:
        return Verification(
            TAMPERED,
            "It differs from the credential Staffroom issued: something in it was changed.",
        )
    return _against_record(credential, payload, via="credential")


def verify_json(document: dict) -> Verification:
    """The credential's JSON (unsigned: the signature travels in the .jwt) checked against
    the one Staffroom issued under its id."""
    envelope = document.get("id")
    if isinstance(envelope, str) and envelope.startswith("data:application/vc+jwt,"):
        return verify_token(envelope.split(",", 1)[1])  # an enveloped VC-JWT
    if "OpenBadgeCredential" not in (document.get("type") or []):
        return Verification(UNKNOWN, "This JSON is not an Open Badges credential.")
    credential = _stored(document.get("id"))
    if credential is None:
        return Verification(UNKNOWN, "Staffroom has no record of a credential with this id.")
    return _against_record(credential, document, via="JSON")


def verify_text(text: str) -> Verification:
    """Whatever was pasted or uploaded: a VC-JWT or the credential's JSON."""
    text = (text or "").strip()
    if not text:
        return Verification(UNKNOWN, "Paste a credential, or choose its file.")
    if len(text) > MAX_INPUT:
        return Verification(UNKNOWN, "That is far longer than any Staffroom credential.")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            return Verification(UNKNOWN, "This is not valid JSON.")
        if not isinstance(document, dict):
            return Verification(UNKNOWN, "This JSON is not a credential.")
        return verify_json(document)
    return verify_token(text)
