"""Files sent with announcements: stored once, referred to from each outbox row, read when they are sent.

A broadcast of one file to thousands of officers reads it from the database once per process: the files used last
are kept in memory (within a byte budget), and concurrent sends of a file not yet loaded wait for one read. It is
uploaded to each platform once too: the id the platform gives it is kept (`PlatformIds`) and later recipients get
the file by that id.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.words.attachments import MediaKey
from bot.words.messages import Attachment
from storage.db import Database
from storage.models import utcnow
from storage.repositories import Repositories

log = logging.getLogger(__name__)

CACHE_BYTES = 120_000_000  # two of the largest documents an announcement may carry (50 MB), and some pictures
CACHE_FILES = 8
PLATFORM_IDS_KEPT = 1024  # platform ids kept in memory (each a few dozen bytes)


async def kept(repos: Repositories, attachment: Attachment) -> Attachment:
    """The attachment stored once (the same bytes are stored once), referred to by id instead of carrying them."""
    if attachment.file_id is not None or not attachment.data:
        return attachment
    file_id = await repos.files.store(attachment.filename, attachment.content_type, attachment.data)
    return replace(attachment, data=b"", file_id=file_id)


class FileCache:
    """Reads stored files for sending, in short read-only transactions, keeping the ones used last in memory."""

    def __init__(self, db: Database, *, max_bytes: int = CACHE_BYTES, max_files: int = CACHE_FILES) -> None:
        self.db = db
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.reads = 0  # database reads so far
        self._files: OrderedDict[int, bytes] = OrderedDict()
        self._loading = asyncio.Lock()

    async def filled(self, attachment: Attachment) -> Attachment | None:
        """The attachment with its stored file's bytes (as it is without a file id); None when the file is gone."""
        if attachment.file_id is None or attachment.data:
            return attachment
        data = await self.data(attachment.file_id)
        return None if data is None else replace(attachment, data=data)

    async def data(self, file_id: int) -> bytes | None:
        """A stored file's bytes, from memory when it was used lately."""
        if (found := self._cached(file_id)) is not None:
            return found
        async with self._loading:  # the other sends of this file wait for the one read
            if (found := self._cached(file_id)) is not None:
                return found
            async with self.db.reading() as repos:
                data = await repos.files.data(file_id)
            self.reads += 1
            if data is not None:
                self._keep(file_id, data)
            return data

    def _cached(self, file_id: int) -> bytes | None:
        found = self._files.get(file_id)
        if found is not None:
            self._files.move_to_end(file_id)
        return found

    def _keep(self, file_id: int, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        self._files[file_id] = data
        while len(self._files) > self.max_files or sum(map(len, self._files.values())) > self.max_bytes:
            self._files.popitem(last=False)


class PlatformIds:
    """The ids Telegram and WhatsApp gave stored files (bot.words.attachments.MediaIds): in the database, so that
    another process or a restart reuses them, and in memory, so that a broadcast reads each one once.

    Never raises: when the database cannot be read or written, the file is uploaded (again) instead.
    """

    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow, kept: int = PLATFORM_IDS_KEPT) -> None:
        self.db = db
        self.now = now
        self.kept = kept
        self._ids: OrderedDict[MediaKey, tuple[str, datetime]] = OrderedDict()
        self._locks: dict[MediaKey, asyncio.Lock] = {}
        self._refused: set[tuple[MediaKey, str]] = set()  # ids a platform refused: never taken up again

    async def known(self, key: MediaKey, max_age: timedelta | None = None) -> str | None:
        found = self._ids.get(key)
        if found is None:
            try:
                async with self.db.reading() as repos:
                    stored = await repos.files.platform_id(key.file_id, key.channel, key.account, key.variant)
            except Exception:
                log.warning("could not read the %s id of stored file %s; uploading it", key.channel, key.file_id)
                return None
            # While this read waited, another send may have kept a newer id, or had this one refused: the read is
            # older news than either, and must not bring a refused id back for the sends after it.
            found = self._ids.get(key)
            if found is None:
                if stored is None or (key, stored[0]) in self._refused:
                    return None
                found = stored
                self._keep(key, found)
        platform_id, uploaded_at = found
        if max_age is not None and self.now() - uploaded_at >= max_age:
            return None
        self._ids.move_to_end(key)
        return platform_id

    async def remember(self, key: MediaKey, platform_id: str) -> None:
        uploaded_at = self.now()
        self._keep(key, (platform_id, uploaded_at))
        try:
            async with self.db.transaction() as repos:
                await repos.files.remember_platform_id(
                    key.file_id, key.channel, key.account, key.variant, platform_id, uploaded_at
                )
        except Exception:
            log.warning("could not store the %s id of stored file %s (kept in memory only)", key.channel, key.file_id)

    async def forget(self, key: MediaKey, platform_id: str) -> None:
        self._refuse(key, platform_id)
        try:
            async with self.db.transaction() as repos:
                await repos.files.forget_platform_id(key.file_id, key.channel, key.account, key.variant, platform_id)
        except Exception:
            log.warning("could not forget the refused %s id of stored file %s", key.channel, key.file_id)

    async def forget_sent(self, repos: Repositories, key: MediaKey, sent_at: datetime) -> str | None:
        """A message sent at `sent_at` by the id kept for `key` failed afterwards (the platform could not use the
        file): forget that id, in the caller's transaction, unless an upload after `sent_at` replaced it already.

        The id forgotten, or None. Forgotten in memory at once, so that a send of this process that starts before the
        transaction commits uploads the file again. Unlike the other methods, it raises what the transaction raises.
        """
        found = self._ids.get(key) or await repos.files.platform_id(key.file_id, key.channel, key.account, key.variant)
        if found is None or found[1] > sent_at:
            return None
        self._refuse(key, found[0])
        await repos.files.forget_platform_id(key.file_id, key.channel, key.account, key.variant, found[0])
        return found[0]

    def lock(self, key: MediaKey) -> asyncio.Lock:
        if key not in self._locks and len(self._locks) >= self.kept:
            self._locks = {k: lock for k, lock in self._locks.items() if lock.locked()}  # drop the idle ones
        return self._locks.setdefault(key, asyncio.Lock())

    def _refuse(self, key: MediaKey, platform_id: str) -> None:
        """Forget `platform_id` in memory, and never take it up again from the database."""
        if len(self._refused) >= self.kept:
            self._refused.clear()
        self._refused.add((key, platform_id))
        if (found := self._ids.get(key)) is not None and found[0] == platform_id:
            del self._ids[key]

    def _keep(self, key: MediaKey, found: tuple[str, datetime]) -> None:
        self._ids[key] = found
        self._ids.move_to_end(key)
        while len(self._ids) > self.kept:
            self._ids.popitem(last=False)
