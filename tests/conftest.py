from importlib import import_module

import pytest
from django.core.cache import cache
from django.db import connections

from tests.factories import make_school, make_space, make_thread, make_user


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections():
    # Async tests make ORM calls in worker threads; a persistent connection left open in
    # one would stop PostgreSQL from dropping the test database at the end of the run.
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _close_writer_connection():
    """The room writer's thread outlives each test: close its connection, or PostgreSQL
    cannot drop the test database at the end of the run."""
    yield
    from realtime.writer import WRITER_THREAD

    WRITER_THREAD.submit(connections.close_all).result(timeout=10)


@pytest.fixture(autouse=True)
def _vocabulary(request):
    """Transactional tests (live server, websockets) end with a flush that empties every
    table, the vocabularies migrations wrote included (phases, subjects, curriculum
    areas): put them back."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    import_module("community.migrations.0002_phases_and_subjects").add(apps, None)
    import_module("inquiry.migrations.0003_curriculum_areas").add(apps, None)


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


# --- Spaces: the personas of a space ------------------------------------------------------
# teacher and colleague are members of `space`; moderator moderates it; outsider is a
# signed-in teacher who is not a member; other_moderator moderates another space; staff
# are network staff.


@pytest.fixture
def moderator(db):
    return make_user(username="rob", display_name="Rob Moderator")


@pytest.fixture
def outsider(db):
    return make_user(username="olly", display_name="Olly Outsider")


@pytest.fixture
def staff(db):
    user = make_user(username="stella", display_name="Stella Staff")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def space(teacher, colleague, moderator):
    return make_space(
        name="Primary maths",
        slug="primary-maths",
        moderators=[moderator],
        members=[teacher, colleague],
    )


@pytest.fixture
def other_moderator(db):
    user = make_user(username="bea", display_name="Bea Behaviour")
    make_space(name="Behaviour", slug="behaviour", moderators=[user])
    return user


@pytest.fixture
def private_space(teacher, moderator):
    return make_space(
        kind="private",
        name="Reading group",
        slug="reading-group",
        moderators=[moderator],
        members=[teacher],
    )


@pytest.fixture
def thread(space, teacher):
    return make_thread(space=space, author=teacher, title="Number talks in Year 4")
