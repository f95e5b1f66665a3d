"""Stored files sent by the id a platform gave them: uploaded once, then sent to every later recipient by that id.

A Telegram sendDocument/sendPhoto answers with a `file_id`, a WhatsApp media upload with a media id (kept 30 days by
Meta); both can be sent again without the bytes (platforms.md §1.4, §2.7). The senders ask a `MediaIds`
(bot.words.attachments; kept in the database and in memory by bot.services.files.PlatformIds) and stay free of
database code themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from bot.words.attachments import MediaIds, MediaKey

log = logging.getLogger(__name__)
T = TypeVar("T")


async def by_id_or_upload(
    media: MediaIds,
    key: MediaKey,
    *,
    by_id: Callable[[str], Awaitable[T]],
    upload: Callable[[], Awaitable[tuple[T, str | None]]],
    gone: Callable[[Exception], bool] = lambda exc: False,
    max_age: timedelta | None = None,
) -> T:
    """Send (or get) the file by the id kept for it, else upload it and keep the id the upload gave.

    `upload` answers its result and the platform's id (None: nothing to keep). One upload per file at a time: sends
    that find no id wait for the upload under way and then go by its id. When `by_id` raises an error that `gone`
    recognises (the platform no longer knows the id), the id is forgotten and the file uploaded once more; nothing
    reached the recipient by the refused id, so nothing is sent twice.
    """
    known = await media.known(key, max_age)
    if known is not None:
        try:
            return await by_id(known)
        except Exception as exc:
            if not gone(exc):
                raise
            log.info("%s refused the id of stored file %s (%s); uploading it again", key.channel, key.file_id, exc)
            await media.forget(key, known)
    async with media.lock(key):
        known = await media.known(key, max_age)  # uploaded meanwhile by another send of the file?
        if known is None:
            result, platform_id = await upload()
            if platform_id:
                await media.remember(key, platform_id)
            return result
    return await by_id(known)
