"""Work that needs no cron: each server process runs the jobs listed in
settings.STAFFROOM_EVERY_MINUTE (dotted paths of functions that take no argument) once a
minute, so `make run` sends session reminders, records sessions that ended and so on
with no other process. The apps' jobs claim their work in the database (a conditional
UPDATE, or a cache key of the day), so several processes and a cron job as well still
do each thing once. realtime knows the jobs only by their paths.
"""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
EVERY_MINUTE = 60  # seconds between two runs of the jobs


def _minutely() -> None:
    """Each job in turn; one that fails is logged and does not stop the others."""
    for path in settings.STAFFROOM_EVERY_MINUTE:
        try:
            import_string(path)()
        except Exception:  # noqa: BLE001 - a failing database or mail server: next minute
            log.warning("The minutely job %s failed; it runs again soon", path, exc_info=True)


async def every_minute() -> None:
    """Off the event loop's own thread, so a slow mail server holds up no request."""
    work = database_sync_to_async(_minutely, thread_sensitive=False)
    while True:
        await work()
        await asyncio.sleep(EVERY_MINUTE)
