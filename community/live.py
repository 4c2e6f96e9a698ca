"""What community's streams mean to the live layer (realtime/kinds.py), registered in
CommunityConfig.ready(): a thread's stream is read by whoever sees the thread; a chat
room's by whoever sees the room, and a `send` to it is a chat message; being in a
session's room is attendance; and a session's room keeps its clock while anyone is in it.
"""

from community import session_clock
from community.models import ChatRoom, Thread
from community.services import attendance, chat
from realtime import kinds


def register_streams() -> None:
    kinds.register(
        "thread",
        visible=lambda user, pk: Thread.objects.visible_to(user).filter(pk=pk).exists(),
    )
    kinds.register(
        "room",
        visible=lambda user, pk: ChatRoom.objects.visible_to(user).filter(pk=pk).exists(),
        check_send=chat.check_send_fields,
        send=chat.send_to_room,
        joined=lambda stream, user, now, last_seen: attendance.arrived(
            stream, user, now=now, last_seen=last_seen
        ),
        left=lambda stream, user_id, now: attendance.left(stream, user_id, now=now),
        watched=session_clock.watch,
        presence=True,
    )
