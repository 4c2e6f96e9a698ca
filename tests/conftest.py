import pytest
from django.core.cache import cache
from django.db import connections

from tests.factories import make_school, make_user


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections():
    # Async tests make ORM calls in worker threads; a persistent connection left open in
    # one would stop PostgreSQL from dropping the test database at the end of the run.
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache: every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    return make_school(name="Riverside Primary", slug="riverside-primary")


@pytest.fixture
def teacher(school):
    return make_user(username="amira", school=school, display_name="Amira Khan")


@pytest.fixture
def colleague(school):
    return make_user(username="tom", school=school, display_name="Tom Hughes")


@pytest.fixture
def teacher_elsewhere(db):
    other = make_school(
        name="Nairobi Hills",
        slug="nairobi-hills",
        country="KE",
        timezone="Africa/Nairobi",
        phase="secondary",
    )
    return make_user(
        username="wanjiru",
        school=other,
        display_name="Wanjiru Kamau",
        timezone_name="Africa/Nairobi",
    )


@pytest.fixture
def newcomer(db):
    """Signed up and verified, but has not completed the onboarding step."""
    return make_user(username="newbie", onboarded=False, display_name="newbie")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client
