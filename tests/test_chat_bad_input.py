"""Chat input that could fail others, and words that must stay gone (issue 13 items 1
and 3, issue 14 items 3 and 5), through the services and the HTTP pages."""

from django.db import DataError

from community.models import ChatMessage
from community.services import chat, forum
from realtime import streams
from tests.factories import make_space, make_thread


def test_a_database_error_in_one_send_fails_only_that_send(monkeypatch, teacher, colleague):
    room = chat.room_for(make_space(members=[teacher, colleague]))
    real = ChatMessage.objects.bulk_create

    def refuse_the_poison(messages, *args, **kwargs):
        messages = list(messages)
        if any("poison" in m.body for m in messages):
            raise DataError("invalid byte sequence")
        return real(messages, *args, **kwargs)

    monkeypatch.setattr(ChatMessage.objects, "bulk_create", refuse_the_poison)
    sends = [
        chat.Send(teacher, "good morning", "a"),
        chat.Send(colleague, "poison", "b"),
        chat.Send(colleague, "hello all", "c"),
    ]
    first, failed, third = chat.send_messages(room=room, sends=sends)
    assert isinstance(failed, DataError)
    assert [first[0].body, third[0].body] == ["good morning", "hello all"]
    assert first[1] + 1 == third[1]  # gapless: the failed send took no number


def test_the_same_client_id_stored_elsewhere_at_the_same_moment_gets_its_ack(monkeypatch, teacher):
    """Another process stores the same client_id between our read and our insert: the
    retry finds it and answers with it, never 'already sent'."""
    room = chat.room_for(make_space(members=[teacher]))
    real = chat._send_messages
    calls = []

    def racing(room, sends):
        calls.append(1)
        if len(calls) == 1:
            real(room, sends)  # "the other process" commits the message first
            from django.db import IntegrityError

            raise IntegrityError("duplicate key value violates unique constraint")
        return real(room, sends)

    monkeypatch.setattr(chat, "_send_messages", racing)
    (result,) = chat.send_messages(room=room, sends=[chat.Send(teacher, "hi", "same-id")])
    assert isinstance(result, tuple) and result[0].client_id == "same-id"
    assert result[1] == streams.seq_of(room.stream, "same-id")


def test_the_chat_form_with_an_absurd_reply_or_page_is_an_answer_not_a_500(client, teacher):
    room = chat.room_for(make_space(members=[teacher]))
    client.force_login(teacher)
    url = room.get_absolute_url()
    for query in ("?reply=18446744073709551616", "?before=18446744073709551616", "?reply=²"):
        assert client.get(url + query).status_code == 200
    response = client.post(url, {"body": "hi", "client_id": "x", "reply_to": str(2**64)})
    assert response.status_code == 200 and not ChatMessage.objects.exists()


def test_the_http_history_serves_no_deleted_words(client, teacher):
    room = chat.room_for(make_space(members=[teacher]))
    message, _ = chat.send_message(actor=teacher, room=room, body="delete me", client_id="d")
    chat.delete_message(actor=teacher, message=message)
    client.force_login(teacher)
    response = client.get("/live/history/", {"stream": room.stream, "after": "0"})
    assert response.status_code == 200 and "delete me" not in response.content.decode()
    for after in ("²", "99999999999999999999", "-1"):
        assert (
            client.get("/live/history/", {"stream": room.stream, "after": after}).status_code == 400
        )


def test_a_deleted_post_keeps_no_words_and_no_earlier_versions(teacher):

    thread = make_thread(author=teacher, space=make_space(members=[teacher]), body="first words")
    post = thread.posts.get(number=1)
    forum.edit_post(actor=teacher, post=post, body="second words")
    forum.delete_post(actor=teacher, post=post)
    post.refresh_from_db()
    assert post.body == "" and post.body_html == "" and not post.revisions.exists()
