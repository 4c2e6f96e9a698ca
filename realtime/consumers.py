"""The one websocket endpoint, /ws/live/ (see docs/realtime.md for the frames).

This is the connection half of the live protocol: authentication, frame validation,
error frames and heartbeats. Streams (rooms, threads, the personal stream) register
here as the features that own them arrive; until then every stream is `not_found`.
"""

import asyncio
import json

from channels.generic.websocket import AsyncWebsocketConsumer

HEARTBEAT_SECONDS = 25  # the protocol promises one at least every 30 s
MAX_FRAME_BYTES = 16_384
CLOSE_UNAUTHENTICATED = 4401


def parse_frame(text_data) -> tuple[dict, str | None]:
    """The frame as a dict with a string 'type', or ({}, what is wrong with it)."""
    if text_data is None or len(text_data) > MAX_FRAME_BYTES:
        return {}, "Frames are JSON text of at most 16 KB."
    try:
        frame = json.loads(text_data)
    except ValueError:
        return {}, "That frame is not valid JSON."
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return {}, "A frame is a JSON object with a string 'type'."
    return frame, None


class LiveConsumer(AsyncWebsocketConsumer):
    heartbeat_seconds = HEARTBEAT_SECONDS

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.subscriptions: dict[str, int] = {}
        await self.accept()
        self.heartbeat_task = asyncio.create_task(self.heartbeat())

    async def disconnect(self, code):
        task = getattr(self, "heartbeat_task", None)
        if task:
            task.cancel()

    async def heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            await self.send_json({"type": "hb", "heads": dict(self.subscriptions)})

    async def receive(self, text_data=None, bytes_data=None):
        frame, problem = parse_frame(text_data)
        if problem:
            await self.error(frame, "bad_request", problem)
            return
        kind, stream = frame["type"], frame.get("stream")
        if kind not in {"subscribe", "unsubscribe", "send"}:
            await self.error(frame, "bad_request", f"Unknown frame type '{kind[:40]}'.")
        elif not isinstance(stream, str) or not stream:
            await self.error(frame, "bad_request", "This frame needs a 'stream'.")
        elif kind == "unsubscribe":
            self.subscriptions.pop(stream, None)
        else:
            await self.error(frame, "not_found", f"There is no stream '{stream[:80]}'.")

    async def error(self, frame, code, detail):
        reply = {"type": "error", "code": code, "detail": detail}
        if isinstance(frame.get("client_id"), str):
            reply["client_id"] = frame["client_id"][:64]
        if isinstance(frame.get("stream"), str):
            reply["stream"] = frame["stream"][:80]
        await self.send_json(reply)

    async def send_json(self, content):
        await self.send(text_data=json.dumps(content, separators=(",", ":")))
