"""Files stored once (announcement attachments), referred to by id from the outbox rows."""

from __future__ import annotations

from datetime import datetime
from hashlib import sha256
from typing import Any

from sqlalchemy import delete, select

from storage.models import PlatformFile, StoredFile, utcnow
from storage.repositories._base import Repo, dialect_insert


class FileRepo(Repo):
    """Files stored once (announcement attachments), referred to by id from the outbox rows."""

    async def store(self, filename: str, content_type: str, data: bytes) -> int:
        """The id of the stored file with these bytes: stored now, or the one stored before (same SHA-256)."""
        digest = sha256(data).hexdigest()
        values = {"sha256": digest, "filename": filename[:255], "content_type": content_type[:120], "size": len(data)}
        made = await self._insert_ignore(StoredFile, {**values, "data": data, "created_at": utcnow()})
        if made is not None:
            return made
        return (await self.session.execute(select(StoredFile.id).where(StoredFile.sha256 == digest))).scalar_one()

    async def described(self, file_id: int, digest: str) -> tuple[str, str] | None:
        """A stored file's name and content type when it has this id and SHA-256 (a form proves it saw the file)."""
        found = await self.session.execute(
            select(StoredFile.filename, StoredFile.content_type).where(
                StoredFile.id == file_id, StoredFile.sha256 == digest
            )
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    async def data(self, file_id: int) -> bytes | None:
        """A stored file's bytes, or None when there is no such file."""
        return await self.session.scalar(select(StoredFile.data).where(StoredFile.id == file_id))

    async def platform_id(self, file_id: int, channel: str, account: str, variant: str) -> tuple[str, datetime] | None:
        """The id `channel` gave this stored file when `account` uploaded it (as `variant`), and when; None if never."""
        found = await self.session.execute(
            select(PlatformFile.platform_id, PlatformFile.uploaded_at).where(
                *_platform_file(file_id, channel, account, variant)
            )
        )
        row = found.first()
        return None if row is None else (row[0], row[1])

    async def remember_platform_id(
        self, file_id: int, channel: str, account: str, variant: str, platform_id: str, uploaded_at: datetime
    ) -> None:
        """Keep the id `channel` gave this stored file on an upload, replacing the one kept before."""
        values = {"platform_id": platform_id, "uploaded_at": uploaded_at}
        key = {"stored_file_id": file_id, "channel": channel, "account": account, "variant": variant}
        await self.session.execute(
            dialect_insert(self.dialect, PlatformFile)
            .values(**key, **values)
            .on_conflict_do_update(index_elements=list(key), set_=values)
        )

    async def forget_platform_id(
        self, file_id: int, channel: str, account: str, variant: str, platform_id: str
    ) -> None:
        """Forget an id the platform no longer knows (only that one: another upload may have replaced it already)."""
        where = [*_platform_file(file_id, channel, account, variant), PlatformFile.platform_id == platform_id]
        await self.session.execute(delete(PlatformFile).where(*where))


def _platform_file(file_id: int, channel: str, account: str, variant: str) -> list[Any]:
    return [
        PlatformFile.stored_file_id == file_id,
        PlatformFile.channel == channel,
        PlatformFile.account == account,
        PlatformFile.variant == variant,
    ]
