"""Files sent with announcements: stored once, referred to from each outbox row, read when they are sent.

A broadcast of one file to thousands of officers reads it from the database once per process: the files used last
are kept in memory (within a byte budget), and concurrent sends of a file not yet loaded wait for one read.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import replace

from bot.messages import Attachment
from storage.db import Database
from storage.repositories import Repositories

CACHE_BYTES = 120_000_000  # two of the largest documents an announcement may carry (50 MB), and some pictures
CACHE_FILES = 8


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
