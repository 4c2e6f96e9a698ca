"""Which pages may open a live socket: this site's own, compared as Django's CSRF check
compares a form's Origin (scheme and host), not only the host name as channels'
AllowedHostsOriginValidator does. A socket opened from http://staffroom.example.org to
a site served over https, or from a look-alike host, is refused before it is accepted."""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(scope) -> bool:
    headers = {name.lower(): value.decode("latin-1") for name, value in scope["headers"]}
    origin, host = headers.get(b"origin", ""), headers.get(b"host", "")
    if not origin or not host:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    return origin == f"{'https' if _secure(scope, headers) else 'http'}://{host}"


def _secure(scope, headers: dict) -> bool:
    """As request.is_secure(): the socket's own scheme, or the proxy's header when
    SECURE_PROXY_SSL_HEADER says to trust it."""
    if scope.get("scheme") == "wss":
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        return headers.get(name, "").split(",")[0].strip() == secure_value
    return False


class SameOriginValidator:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
