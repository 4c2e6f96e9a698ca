"""The site's Ed25519 signing keys and the JWS compact serialisation (header.payload.signature,
each base64url without padding) that credentials are signed in.

Development: a key is generated on first use and kept in its SigningKey row. Production
(STAFFROOM_PRODUCTION): the private key comes only from STAFFROOM_CREDENTIAL_KEY (base64url
of the 32-byte seed); its public half is recorded as a SigningKey with an empty
private_key, and without it nothing is signed (CredentialKeyMissing). Every key, current
and retired, stays published (credentials.jwks), so old credentials keep verifying."""

import base64
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from inquiry.models import SigningKey

ALG = "EdDSA"
B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class CredentialKeyMissing(ImproperlyConfigured):
    """Production without STAFFROOM_CREDENTIAL_KEY: the site refuses to issue."""


class BadToken(ValueError):
    """Not a JWS this module can read: wrong segments, bad base64 or JSON."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict: only the base64url alphabet, no padding, a length base64 can have."""
    if not B64URL.match(text) or len(text) % 4 == 1:
        raise BadToken("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def kid_for(x: str) -> str:
    """The RFC 7638 thumbprint of the key's JWK: the same key always has the same kid."""
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode()).digest())


def private_from_seed(seed_b64: str) -> Ed25519PrivateKey:
    try:
        seed = unb64url(seed_b64.strip())
    except BadToken:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(
            "STAFFROOM_CREDENTIAL_KEY must be the base64url of a 32-byte Ed25519 seed."
        )
    return Ed25519PrivateKey.from_private_bytes(seed)


def _record(private: Ed25519PrivateKey, *, keep_private: bool) -> SigningKey:
    x = b64url(_raw_public(private.public_key()))
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    kid = kid_for(x)
    try:
        with transaction.atomic():
            key, _ = SigningKey.objects.get_or_create(
                kid=kid,
                defaults={"public_key": x, "private_key": b64url(seed) if keep_private else ""},
            )
    except IntegrityError:  # two processes recorded it at once: the other row is this key
        key = SigningKey.objects.get(kid=kid)
    return key


def signing_key(now=None) -> tuple[SigningKey, Ed25519PrivateKey]:
    """The key credentials are signed with now, and its row."""
    now = now or timezone.now()
    configured = getattr(settings, "STAFFROOM_CREDENTIAL_KEY", "")
    if configured:
        private = private_from_seed(configured)
        key = _record(private, keep_private=False)
        if key.retired_at:  # an old key brought back: it signs again
            SigningKey.objects.filter(pk=key.pk).update(retired_at=None)
        # A new key retires the others: they sign no more, and still verify.
        SigningKey.objects.filter(retired_at__isnull=True).exclude(pk=key.pk).update(retired_at=now)
        return key, private
    if settings.PRODUCTION:
        raise CredentialKeyMissing(
            "STAFFROOM_PRODUCTION is on and STAFFROOM_CREDENTIAL_KEY is not set: "
            "no credential is issued until it is."
        )
    key = (
        SigningKey.objects.filter(retired_at__isnull=True)
        .exclude(private_key="")
        .order_by("-created_at", "-pk")
        .first()
    )
    if key is None:  # development: make one and keep it (two at once: both publish)
        key = _record(Ed25519PrivateKey.generate(), keep_private=True)
    return key, private_from_seed(key.private_key)


def jwk(key: SigningKey) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid, "alg": ALG}


# --- JWS compact ------------------------------------------------------------------------


def _json_segment(data: dict) -> str:
    return b64url(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


def sign_jws(claims: dict, *, key: SigningKey, private: Ed25519PrivateKey, typ="JWT") -> str:
    header = _json_segment({"alg": ALG, "typ": typ, "kid": key.kid})
    body = _json_segment(claims)
    signature = private.sign(f"{header}.{body}".encode("ascii"))
    return f"{header}.{body}.{b64url(signature)}"


def _json_object(segment: str) -> dict:
    try:
        value = json.loads(unb64url(segment).decode("utf-8"))
    except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, absurd nesting
        raise BadToken("not JSON") from error
    if not isinstance(value, dict):
        raise BadToken("not a JSON object")
    return value


def read_header(token: str) -> dict:
    """The JWS's header, unverified; BadToken if the token is not three segments with a
    JSON object for a header."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BadToken("a JWS has three segments")
    return _json_object(parts[0])


def signature_ok(token: str, public_x: str) -> bool:
    """Whether the token's signature is the key's over its first two segments."""
    header, body, signature = token.split(".")
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64url(public_x))
        public.verify(unb64url(signature), f"{header}.{body}".encode("ascii"))
    except (BadToken, InvalidSignature, ValueError):
        return False
    return True


def read_claims(token: str) -> dict:
    return _json_object(token.split(".")[1])
