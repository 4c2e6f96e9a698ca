"""The durable stream log: sequence numbers, publishing on commit, and HTTP history."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse

from community.services import forum
from realtime import streams
from realtime.models import StreamEvent


def age_accounts():
    """Accounts older than a day: the first-day posting limits are not under test here."""
    import datetime as dt

    from django.utils import timezone

    from community.models import User

    User.objects.update(date_joined=timezone.now() - dt.timedelta(days=30))


def append(stream="thread:1", **data):
    with transaction.atomic():
        return streams.append(stream=stream, kind="test.event", data=data)


def test_sequence_numbers_are_gapless_per_stream(db):
    assert [append("thread:1").seq for _ in range(3)] == [1, 2, 3]
    assert append("thread:2").seq == 1
    assert streams.head("thread:1") == 3


def test_a_rolled_back_event_gives_its_number_back(db):
    append()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        streams.append(stream="thread:1", kind="test.event", data={})
        raise ZeroDivisionError
    assert append().seq == 2
    assert list(StreamEvent.objects.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_append_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        streams.append(stream="thread:1", kind="test.event", data={})


def test_events_are_published_only_on_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        append(n=1)
    assert len(callbacks) == 1  # nothing was sent before the commit


def test_a_reply_and_its_notifications_go_into_their_streams(thread, colleague, teacher):
    post = forum.post_reply(actor=colleague, thread=thread, body="Tried it!")
    [event] = streams.events_after(f"thread:{thread.pk}", 0)
    assert event["kind"] == "post.new" and event["post"] == post.pk and event["number"] == 2
    [note] = streams.events_after(f"user:{teacher.pk}", 0)
    assert note["kind"] == "notification.new" and note["category"] == "reply"


def test_edits_reactions_and_deletes_are_announced(thread, colleague, teacher):
    age_accounts()
    colleague.refresh_from_db()
    post = forum.post_reply(actor=colleague, thread=thread, body="one")
    forum.edit_post(actor=colleague, post=post, body="two")
    forum.react(actor=teacher, post=post, kind="thanks")
    forum.unreact(actor=teacher, post=post, kind="thanks")
    forum.delete_post(actor=colleague, post=post)
    kinds = [e["kind"] for e in streams.events_after(f"thread:{thread.pk}", 0)]
    assert kinds == [
        "post.new",
        "post.edited",
        "reaction.added",
        "reaction.removed",
        "post.deleted",
    ]


@pytest.mark.parametrize(
    "name, stored",
    [
        ("user", "user:{pk}"),
        ("thread:12", "thread:12"),
        ("room:3", "room:3"),
        ("user:5", None),
        ("thread:x", None),
        ("space:1", None),
        ("", None),
    ],
)
def test_stream_names(teacher, name, stored):
    expected = stored.format(pk=teacher.pk) if stored else None
    assert streams.storage_key(teacher, name) == expected


def test_who_may_read_a_stream(teacher, outsider, private_space, thread):
    from tests.factories import make_thread

    secret = make_thread(space=private_space, author=teacher)
    assert streams.visible_to(teacher, f"thread:{secret.pk}")
    assert not streams.visible_to(outsider, f"thread:{secret.pk}")
    assert streams.visible_to(outsider, f"thread:{thread.pk}")
    assert streams.visible_to(teacher, f"user:{teacher.pk}")
    assert not streams.visible_to(outsider, f"user:{teacher.pk}")
    assert not streams.visible_to(teacher, "room:1")


def history(client, stream, after="0"):
    return client.get(reverse("realtime:history"), {"stream": stream, "after": after})


def test_history_returns_what_came_after(teacher_client, thread, colleague):
    age_accounts()
    colleague.refresh_from_db()
    for n in range(3):
        forum.post_reply(actor=colleague, thread=thread, body=f"reply {n}")
    body = history(teacher_client, f"thread:{thread.pk}", "1").json()
    assert body["head"] == 3 and not body["reset"]
    assert [e["seq"] for e in body["events"]] == [2, 3]


def test_history_of_a_stream_you_may_not_see_is_404(client, outsider, private_space, teacher):
    from tests.factories import make_thread

    secret = make_thread(space=private_space, author=teacher)
    client.force_login(outsider)
    assert history(client, f"thread:{secret.pk}").status_code == 404
    assert history(client, "nonsense").status_code == 404


@pytest.mark.parametrize("after", ["-1", "abc", "1" * 40, "1.5"])
def test_history_refuses_a_bad_after(teacher_client, thread, after):
    assert history(teacher_client, f"thread:{thread.pk}", after).status_code == 400


def test_history_says_reset_when_after_is_beyond_the_head(teacher_client, thread):
    body = history(teacher_client, f"thread:{thread.pk}", "999").json()
    assert body["reset"] and body["events"] == []


def test_history_needs_login_and_get(teacher_client, thread):
    from django.test import Client

    assert history(Client(), "user").status_code == 302
    assert teacher_client.post(reverse("realtime:history")).status_code == 405


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_unique_gapless_numbers():
    errors = []

    def writer():
        try:
            for _ in range(20):
                append("thread:77")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=writer) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    seqs = sorted(StreamEvent.objects.filter(stream="thread:77").values_list("seq", flat=True))
    assert seqs == list(range(1, 81))
