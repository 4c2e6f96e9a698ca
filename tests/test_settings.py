"""One env-driven settings module: embedded defaults, real services, production hardening."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "STAFFROOM_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-real-secret-that-is-long-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "staffroom.example.org",
}


def run(code_or_args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "STAFFROOM_PRODUCTION",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "ALLAUTH_TRUSTED_PROXY_COUNT",
            "ALLAUTH_TRUSTED_CLIENT_IP_HEADER",
            "STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS",
            "STAFFROOM_RETAIN_ATTENDANCE_DAYS",
            "STAFFROOM_RETAIN_MODERATION_LOG_DAYS",
        }
    }
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
    )


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], "
    "s.CHANNEL_LAYERS['default']['BACKEND'], s.DEBUG)"
)


def test_nothing_set_means_sqlite_in_memory_layer_and_local_cache():
    out = run(SHOW).stdout.split()
    assert out == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "channels.layers.InMemoryChannelLayer",
        "False",
    ]


def test_urls_switch_to_postgresql_and_redis():
    out = run(
        SHOW, DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "channels_redis.core.RedisChannelLayer",
        "False",
    ]


def test_login_limits_trust_the_proxies_the_environment_names_and_no_others():
    show = (
        "import django; django.setup(); from allauth import app_settings as a; "
        "print(a.TRUSTED_PROXY_COUNT, a.TRUSTED_CLIENT_IP_HEADER)"
    )
    assert run(show).stdout.split() == ["0", "None"]  # X-Forwarded-For ignored
    behind = run(
        show, ALLAUTH_TRUSTED_PROXY_COUNT="2", ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP"
    )
    assert behind.stdout.split() == ["2", "X-Real-IP"]


def test_retention_periods_come_from_the_environment():
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS, s.STAFFROOM_RETAIN_ATTENDANCE_DAYS, "
        "s.STAFFROOM_RETAIN_MODERATION_LOG_DAYS)"
    )
    assert run(show).stdout.split() == ["90", "30", "730"]
    days = {
        "STAFFROOM_RETAIN_READ_NOTIFICATIONS_DAYS": "30",
        "STAFFROOM_RETAIN_ATTENDANCE_DAYS": "7",
        "STAFFROOM_RETAIN_MODERATION_LOG_DAYS": "0",
    }
    assert run(show, **days).stdout.split() == ["30", "7", "0"]
    refused = run(show, STAFFROOM_RETAIN_ATTENDANCE_DAYS="-1")
    assert "STAFFROOM_RETAIN_ATTENDANCE_DAYS is a number of days" in refused.stderr


def test_production_refuses_the_default_secret_key():
    result = run(SHOW, STAFFROOM_PRODUCTION="1", DJANGO_ALLOWED_HOSTS="staffroom.example.org")
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(SHOW, **{**PRODUCTION_ENV, "DJANGO_ALLOWED_HOSTS": ""})
    assert "set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deploy_check():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_never_turns_on_in_production():
    out = run(SHOW, **PRODUCTION_ENV, DJANGO_DEBUG="1").stdout.split()
    assert out[-1] == "False"


@pytest.mark.django_db
def test_every_response_carries_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.django_db
def test_the_configured_services_answer():
    """CI runs the suite once with DATABASE_URL and REDIS_URL: prove they were really used."""
    if os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
    from django.core.cache import cache

    cache.set("ping", "pong", 10)
    assert cache.get("ping") == "pong"
    if os.environ.get("REDIS_URL"):
        import redis

        assert redis.Redis.from_url(settings.REDIS_URL).ping()
