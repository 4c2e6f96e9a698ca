"""The session page for every reader: "questions only", text size and print, and
"continue the conversation" as a community thread (docs/sessions.md)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import ChatMessage, Follow, Notification, Post, SessionQuestion, Thread
from community.queries import archive_markdown, session_archive
from community.services import sessions
from community.services.sessions import RunSheet
from tests.factories import make_space, make_thread, make_user

QUESTIONS = ["What do your pupils say first?", "How do you model it?", "What next?"]


@pytest.fixture
def host(db):
    return make_user(username="hana", display_name="Hana Host")


@pytest.fixture
def hosted_space(host, teacher, colleague):
    return make_space(name="Oracy", slug="oracy", moderators=[host], members=[teacher, colleague])


def planned(host, space, questions=QUESTIONS):
    return sessions.create_session(
        actor=host,
        sheet=RunSheet(
            title="Talk for writing",
            starts_at=timezone.now() + timedelta(hours=1),
            duration_minutes=60,
            questions=list(questions),
            space=space,
        ),
    )


def live(host, space, released=1, questions=QUESTIONS):
    session = planned(host, space, questions)
    sessions.control(actor=host, session=session, action="start")
    for _ in range(released):
        sessions.release_next(actor=host, session=session)
    return session


def answer(session, author, number, body, pinned=False):
    return ChatMessage.objects.create(
        room=session.room,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        question=session.questions.get(number=number),
        pinned_at=timezone.now() if pinned else None,
    )


def end(host, session):
    return sessions.control(actor=host, session=session, action="end")


def question(session, number=1) -> SessionQuestion:
    return session.questions.get(number=number)


def continue_url(session, number=1):
    return reverse("community:session-continue", args=[session.slug, number])


# --- Questions only -----------------------------------------------------------------------


def test_questions_only_shows_a_participant_the_released_questions_and_no_log(
    client, host, hosted_space, teacher
):
    session = live(host, hosted_space)
    answer(session, teacher, 1, "They say um")
    client.force_login(teacher)
    page = client.get(session.get_absolute_url() + "?view=prompts").content.decode()
    assert QUESTIONS[0] in page and QUESTIONS[1] not in page
    assert 'aria-live="assertive"' in page  # releases are still announced at once
    assert 'role="log"' not in page and "They say um" not in page
    assert "data-chat-form" not in page
    assert "data-show-messages" in page and "Show the messages too" in page
    # Live for readers with JavaScript, although no message log listens to the room.
    assert f'data-prompts-stream="{session.room.stream}"' in page


def test_the_room_offers_questions_only_as_a_link_and_a_toggle(client, host, hosted_space, teacher):
    session = live(host, hosted_space)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'href="?view=prompts" data-prompts-link' in page
    assert 'data-prompts-toggle aria-pressed="false" hidden' in page  # shown by reading.js
    assert 'role="log" aria-live="polite"' in page and 'aria-live="assertive"' in page
    assert "data-prompts-stream" not in page  # chat.js listens to the room here


def test_questions_only_shows_hosts_every_question(client, host, hosted_space):
    session = live(host, hosted_space)
    client.force_login(host)
    page = client.get(session.get_absolute_url() + "?view=prompts").content.decode()
    assert all(text in page for text in QUESTIONS) and "not out yet" in page
    assert 'role="log"' not in page


def test_questions_only_of_an_archive_lists_the_questions_without_answers(
    client, host, hosted_space, teacher
):
    session = live(host, hosted_space, released=2)
    answer(session, teacher, 1, "They say um")
    end(host, session)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url() + "?view=prompts").content.decode()
    assert QUESTIONS[0] in page and QUESTIONS[1] in page and QUESTIONS[2] not in page
    assert "They say um" not in page and "Show the archive with the answers" in page
    assert "data-prompts-stream" not in page  # nothing more will happen in an ended room


def test_an_upcoming_session_offers_no_questions_only_view(client, host, hosted_space, teacher):
    session = planned(host, hosted_space)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "data-prompts-link" not in page and "data-prompts-toggle" not in page


# --- Text size and print ----------------------------------------------------------------


def test_text_size_controls_are_labelled_and_hidden_until_the_script_runs(
    client, host, hosted_space, teacher
):
    session = live(host, hosted_space)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'aria-labelledby="text-size-label" data-text-size hidden' in page
    for step, name in [("-1", "smaller text"), ("0", "standard text size"), ("1", "larger text")]:
        assert f'data-text-size-step="{step}"' in page and f": {name}</span>" in page
    assert "js/reading.js" in page
    assert "data-print" not in page  # printing is for the archive


def test_the_archive_has_a_print_button_only_for_readers_with_javascript(
    client, host, hosted_space, teacher
):
    session = live(host, hosted_space)
    end(host, session)
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "data-print hidden>Print</button>" in page
    assert 'class="session-archive"' in page and "archive-group" in page
    assert "data-text-size hidden" in page


# --- Continue the conversation: the service ---------------------------------------------


def test_a_host_continues_a_question_as_a_thread_in_the_sessions_space(
    host, hosted_space, teacher, colleague
):
    session = live(host, hosted_space, released=2)
    answer(session, teacher, 1, "They say um, ask @tom")
    answer(session, colleague, 1, "Sentence stems", pinned=True)
    answer(session, teacher, 2, "Not for this question")
    end(host, session)

    thread = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)

    assert thread.space == hosted_space and thread.author == host
    assert thread.title == QUESTIONS[0]
    opening = thread.posts.get(number=1)
    body = opening.body
    assert body.index(QUESTIONS[0]) < body.index("Sentence stems") < body.index("They say um")
    assert "**Tom Hughes** (highlighted by the hosts):" in body and "**Amira Khan**:" in body
    assert "Not for this question" not in body
    assert f'href="{session.get_absolute_url()}"' in opening.body_html  # rendered, linked back
    assert question(session).thread == thread
    # Started by the forum service: followed by its author, and mentions are heard.
    assert Follow.objects.filter(user=host, thread=thread).exists()
    assert Notification.objects.filter(user=colleague, kind="mention", post=opening).exists()


def test_continuing_twice_makes_one_thread(host, hosted_space):
    session = live(host, hosted_space)
    end(host, session)
    first = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    again = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    assert again == first and Thread.objects.count() == 1


def test_a_host_who_loses_the_race_keeps_no_thread(host, hosted_space, monkeypatch):
    """Without row locks (SQLite) two hosts can both pass the first check: the one who
    stores the link second is refused, and their thread is rolled back."""
    from community.services import forum

    session = live(host, hosted_space)
    end(host, session)
    winner = make_thread(space=hosted_space, author=host, title="The first host's")
    start_thread = forum.start_thread

    def racing(**kwargs):
        SessionQuestion.objects.filter(session=session, number=1).update(thread=winner)
        return start_thread(**kwargs)

    monkeypatch.setattr(forum, "start_thread", racing)
    with pytest.raises(ValidationError, match="a moment ago"):
        sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    assert list(Thread.objects.all()) == [winner]


def test_only_an_ended_session_continues_in_a_thread(host, hosted_space):
    session = live(host, hosted_space)
    with pytest.raises(ValidationError, match="once the session has ended"):
        sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    assert not Thread.objects.exists() and question(session).thread is None


def test_an_unreleased_question_has_nothing_to_continue(host, hosted_space):
    session = live(host, hosted_space, released=1)
    end(host, session)
    with pytest.raises(ValidationError, match="never released"):
        sessions.continue_in_thread(actor=host, question=question(session, 2), space=hosted_space)
    assert not Thread.objects.exists()


def test_a_participant_may_not_continue_a_question(host, hosted_space, teacher):
    session = live(host, hosted_space)
    end(host, session)
    with pytest.raises(PermissionDenied):
        sessions.continue_in_thread(actor=teacher, question=question(session), space=hosted_space)
    assert not Thread.objects.exists()


def test_a_private_spaces_session_stays_in_its_space(host, teacher):
    private = make_space(kind="private", name="Reading group", moderators=[host], members=[teacher])
    elsewhere = make_space(name="Everyone", moderators=[host])  # the host posts there too
    session = live(host, private)
    end(host, session)
    with pytest.raises(ValidationError, match="session's own space"):
        sessions.continue_in_thread(actor=host, question=question(session), space=elsewhere)
    assert not Thread.objects.exists() and question(session).thread is None
    assert sessions.continue_spaces(host, session) == [private]


def test_a_network_wide_session_goes_to_an_open_space_the_host_posts_in(host, hosted_space):
    not_mine = make_space(name="Science")
    private = make_space(kind="private", name="Hosts only", moderators=[host])
    session = live(host, None)
    end(host, session)
    assert sessions.continue_spaces(host, session) == [hosted_space]
    for space in (not_mine, private):
        with pytest.raises(ValidationError, match="open network space you post in"):
            sessions.continue_in_thread(actor=host, question=question(session), space=space)
    assert not Thread.objects.exists()
    thread = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    assert thread.space == hosted_space


def test_a_long_question_copies_twenty_answers_and_points_to_the_rest(
    host, hosted_space, teacher, colleague
):
    session = live(host, hosted_space)
    for n in range(22):
        answer(session, teacher, 1, f"Answer number {n}")
    answer(session, colleague, 1, "The best one", pinned=True)
    end(host, session)
    thread = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    body = thread.posts.get().body
    assert "The best one" in body and "Answer number 18" in body
    assert "Answer number 19" not in body  # highlight + 19 others = 20
    assert f"and 3 more in [the archive]({session.get_absolute_url()}#group-1)" in body


def test_the_markdown_export_names_the_thread(host, hosted_space):
    session = live(host, hosted_space)
    end(host, session)
    thread = sessions.continue_in_thread(actor=host, question=question(session), space=hosted_space)
    text = archive_markdown(session, session_archive(session), "https://staffroom.test")
    assert f"[{thread.title}](https://staffroom.test{thread.get_absolute_url()})" in text


# --- Continue the conversation: the pages -------------------------------------------------


def test_a_host_continues_from_the_archive_and_then_sees_a_link(
    client, host, hosted_space, teacher
):
    session = live(host, hosted_space)
    answer(session, teacher, 1, "They say um")
    end(host, session)
    client.force_login(host)
    page = client.get(session.get_absolute_url()).content.decode()
    assert continue_url(session) in page and f'name="space" value="{hosted_space.pk}"' in page

    response = client.post(continue_url(session), {"space": hosted_space.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{session.get_absolute_url()}#group-1"
    thread = Thread.objects.get()
    client.post(continue_url(session), {"space": hosted_space.pk})  # a second press
    assert Thread.objects.count() == 1 and Post.objects.count() == 1

    page = client.get(session.get_absolute_url()).content.decode()
    assert f'Continued in <a href="{thread.get_absolute_url()}">' in page
    assert continue_url(session) not in page
    client.force_login(teacher)
    page = client.get(session.get_absolute_url()).content.decode()
    assert f'Continued in <a href="{thread.get_absolute_url()}">' in page


def test_participants_get_no_form_and_a_403(client, host, hosted_space, teacher):
    session = live(host, hosted_space)
    end(host, session)
    client.force_login(teacher)
    assert continue_url(session) not in client.get(session.get_absolute_url()).content.decode()
    response = client.post(continue_url(session), {"space": hosted_space.pk})
    assert response.status_code == 403 and not Thread.objects.exists()


def test_outsiders_get_a_404(client, host, outsider, teacher):
    private = make_space(kind="private", name="Reading group", moderators=[host], members=[teacher])
    session = live(host, private)
    end(host, session)
    client.force_login(outsider)
    assert client.post(continue_url(session), {"space": private.pk}).status_code == 404
    assert not Thread.objects.exists()


def test_continuing_refuses_a_missing_question_a_bad_space_and_a_get(client, host, hosted_space):
    session = live(host, hosted_space)
    end(host, session)
    client.force_login(host)
    assert client.post(continue_url(session, 9), {"space": hosted_space.pk}).status_code == 404
    assert client.get(continue_url(session)).status_code == 405
    response = client.post(continue_url(session), {"space": "nope"}, follow=True)
    assert "Choose the space to continue in." in response.content.decode()
    other = make_space(name="Elsewhere", moderators=[host])
    response = client.post(continue_url(session), {"space": other.pk}, follow=True)
    assert "Continue it in the session&#x27;s own space." in response.content.decode()
    assert not Thread.objects.exists()


def test_a_network_wide_archive_offers_the_hosts_open_spaces(client, host, hosted_space):
    make_space(name="Assessment", moderators=[host])
    make_space(kind="private", name="Hosts only", moderators=[host])
    session = live(host, None)
    end(host, session)
    client.force_login(host)
    page = client.get(session.get_absolute_url()).content.decode()
    assert '<select id="continue-1" name="space">' in page
    assert "Assessment" in page and "Oracy" in page and "Hosts only" not in page


def test_the_archive_costs_the_same_queries_however_many_questions_continued(
    client, host, hosted_space, teacher, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = live(host, hosted_space, released=3)
    end(host, session)
    client.force_login(teacher)

    def continued(number):
        thread = make_thread(space=hosted_space, author=host, title=f"Continued {number}")
        SessionQuestion.objects.filter(session=session, number=number).update(thread=thread)

    continued(1)
    client.get(session.get_absolute_url())  # warm the per-user caches
    with CaptureQueriesContext(connection) as one:
        client.get(session.get_absolute_url())
    continued(2)
    continued(3)
    with django_assert_num_queries(len(one)):
        page = client.get(session.get_absolute_url()).content.decode()
    assert page.count("Continued in <a") == 3
