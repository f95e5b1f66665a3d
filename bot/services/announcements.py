"""Announcements: previewed with the number of recipients, then one outbox row per officer, with progress.

A scheduled announcement is written to the outbox at once with its send time as the rows' `next_attempt_at`, so the
delivery workers send it when it is due and no separate tick is needed; the recipients are those of the preview.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.services import fanout
from bot.services.access import may_change, may_read_announcement
from bot.services.files import kept
from bot.services.notices import DEFAULT_QUIET, QuietHours
from bot.services.reports import NotAllowed
from bot.services.segments import REASONS, Audience, Reach, Segment, resolve
from bot.words import render
from bot.words.attachments import FILE_TYPES, common_limit, content_matches, content_type_of, megabytes
from bot.words.messages import Attachment, AttachmentKind, Reply, safe_filename
from storage.models import Announcement, OfficeStaff, OutboxMessage
from storage.repositories import Repositories
from storage.repositories.outbox import STOPPED_BY_RECIPIENT

File = Attachment  # what an announcement carries, for the use cases that may not import the chat's messages
MIN_TEXT = 5
MAX_TEXT = 3500
PENDING = frozenset({"pending", "sending", "waiting", "needs_template"})
FAILED = frozenset({"failed", "unreachable"})


@dataclass(frozen=True)
class Preview:
    """What the author confirms: who receives it now, and who cannot and why."""

    audience: Audience

    @property
    def reach(self) -> Reach:
        return self.audience.reach()

    @property
    def recipients(self) -> int:
        return self.reach.now

    @property
    def paused(self) -> int:
        return self.audience.paused


@dataclass(frozen=True)
class Published:
    """An announcement just published, and whom its rows reach (as its preview counted them)."""

    announcement: Announcement
    reach: Reach


@dataclass(frozen=True)
class Progress:
    """How far an announcement has gone: sent (delivered and read are a part of sent), failed, pending."""

    total: int
    sent: int
    delivered: int
    read: int
    failed: int
    pending: int

    @property
    def done(self) -> bool:
        return self.pending == 0


@dataclass(frozen=True)
class RecipientLine:
    """One recipient's fate."""

    officer_id: int | None
    officer: str
    cooperative: str
    channel: str
    status: str
    error: str | None
    sent_at: datetime | None

    @property
    def failure(self) -> str | None:
        """Why nothing reached them (no_account, unreachable, paused, failed), or None."""
        return failure_kind(self)


def attachment_from_file(path: Path) -> Attachment:
    """A picture or a document both platforms take, from a file; ValueError (Indonesian / English) saying why not."""
    kind, _ = _file_type(path.name)
    limit, platform = common_limit(kind)
    size = path.stat().st_size
    if size > limit:
        raise ValueError(_too_big(safe_filename(path.name), kind, size, limit, platform))
    return attachment_from_bytes(path.name, path.read_bytes())


def _file_type(filename: str) -> tuple[AttachmentKind, str]:
    found = FILE_TYPES.get(Path(filename).suffix.lower())
    if found is None:
        accepted = ", ".join(suffix.lstrip(".") for suffix in FILE_TYPES)
        name = safe_filename(filename)
        raise ValueError(
            f"{name}: jenis berkas tidak didukung, yang bisa: {accepted} / unsupported file type, accepted: {accepted}"
        )
    return found


def attachment_from_bytes(filename: str, data: bytes) -> Attachment:
    """A picture or a document both platforms take, from a file's name and bytes (an upload); ValueError
    (Indonesian / English) saying why not: its type, its size, or content that does not match its name."""
    name = safe_filename(filename)
    kind, content_type = _file_type(filename)
    limit, platform = common_limit(kind)
    if not data:
        raise ValueError(f"{name}: berkas kosong / the file is empty")
    if len(data) > limit:
        raise ValueError(_too_big(name, kind, len(data), limit, platform))
    suffix = Path(filename).suffix
    if not content_matches(suffix, data):
        wanted, seen = suffix.lstrip(".").upper(), content_type_of(data)
        looks = f"isinya tampaknya {seen}" if seen != "?" else "isinya tidak dikenali"
        looks_en = f"its content looks like {seen}" if seen != "?" else "its content is not recognised"
        raise ValueError(
            f"{name}: bukan berkas {wanted} yang sah ({looks}); buka lalu simpan ulang sebagai {wanted} / "
            f"{name}: not a valid {wanted} file ({looks_en}); open it and save it again as {wanted}"
        )
    return Attachment(kind, name, content_type, data)


async def stored_attachment(repos: Repositories, file_id: int, digest: str) -> Attachment | None:
    """An attachment stored before (by a preview), when its id and SHA-256 match; None otherwise."""
    found = await repos.files.described(file_id, digest)
    if found is None or Path(found[0]).suffix.lower() not in FILE_TYPES:
        return None
    kind, _ = FILE_TYPES[Path(found[0]).suffix.lower()]
    return Attachment(kind, found[0], found[1], b"", file_id=file_id)


def _too_big(name: str, kind: AttachmentKind, size: int, limit: int, platform: str) -> str:
    if kind == "photo":
        return (
            f"{name} berukuran {megabytes(size)}; gambar paling besar {megabytes(limit)} (batas {platform}): "
            f"perkecil gambarnya atau kirim sebagai PDF / {name} is {megabytes(size)}; pictures may be at most "
            f"{megabytes(limit)} ({platform}'s limit): make it smaller or send it as a PDF"
        )
    return (
        f"{name} berukuran {megabytes(size)}; dokumen paling besar {megabytes(limit)} (batas unggah {platform}): "
        f"bagikan tautan untuk berkas sebesar ini / {name} is {megabytes(size)}; documents may be at most "
        f"{megabytes(limit)} ({platform}'s upload limit): share a link for a file this big"
    )


async def preview(repos: Repositories, segment: Segment) -> Preview:
    return Preview(await resolve(repos, segment))


async def publish(
    repos: Repositories,
    *,
    text: str,
    segment: Segment,
    staff_id: int | None,
    now: datetime,
    send_at: datetime | None = None,
    attachment: Attachment | None = None,
    quiet: QuietHours | None = DEFAULT_QUIET,
    office_name: str = "Dinas Koperasi",
) -> Announcement:
    """Save the announcement and enqueue it for everyone the segment reaches (but those who said BERHENTI)."""
    text = text.strip()[:MAX_TEXT]
    attachment = await kept(repos, attachment) if attachment else None  # stored once, each row refers to it
    when = send_at if send_at is not None and send_at > now else now
    announcement = Announcement(
        staff_id=staff_id,
        text=text,
        attachment=attachment.to_json() if attachment else None,
        segment=segment.to_json(),
        send_at=when,
        status="scheduled" if when > now else "sending",
        recipients=0,
        created_at=now,
    )
    await repos.announcements.add(announcement)
    title = text.splitlines()[0][:60] if text else ""
    payloads = {  # the recipient's language picks one ("id" for every language but "en"), as render.text does
        lang: {
            **Reply(render.text(lang, "announcements.notice", text=text), attachment=attachment).to_json(),
            "template_params": [office_name, title],
        }
        for lang in ("id", "en")
    }
    made = await fanout.announcement_rows(  # made in the database, a chunk of cooperatives at a time
        repos, segment, announcement_id=announcement.id, payloads=payloads, when=when, now=now, quiet=quiet
    )
    announcement.recipients = made
    actor = f"staff:{staff_id}" if staff_id else "cli"
    await repos.audit.add(actor, "announcement.published", f"announcement:{announcement.id}", recipients=made)
    return announcement


async def reached(repos: Repositories, announcement: Announcement) -> Reach:
    """Whom an announcement just published reached, as its preview counted them: read from the rows it wrote (the
    segment's recipients are not resolved again)."""
    segment = Segment.from_json(announcement.segment or {})
    return await fanout.written_reach(repos, segment, announcement.id)


async def progress(repos: Repositories, announcement_id: int) -> Progress:
    """Counts from the announcement's outbox rows."""
    return progress_of(await repos.outbox.count_by_status(announcement_id))


def progress_of(counts: dict[str, int]) -> Progress:
    """Progress from the number of outbox rows per status (an announcement's, a training's invitations)."""
    delivered, read = counts.get("delivered", 0), counts.get("read", 0)
    return Progress(
        total=sum(counts.values()),
        sent=counts.get("sent", 0) + delivered + read,
        delivered=delivered + read,
        read=read,
        failed=sum(counts.get(s, 0) for s in FAILED),
        pending=sum(counts.get(s, 0) for s in PENDING),
    )


async def latest_of(repos: Repositories, staff_id: int | None) -> Announcement | None:
    """The author's latest announcement."""
    return await repos.announcements.latest(staff_id)


async def followed(repos: Repositories, announcement_id: int | None, by: OfficeStaff) -> Announcement | None:
    """The announcement whose progress `by` asks for: this one, or their latest. Only admins and pembina follow
    announcements (else NotAllowed); a pembina those of their kecamatan and their own. None: none they may see."""
    if not may_change(by):
        raise NotAllowed(f"staff:{by.id} ({by.role}) does not follow announcements")
    found = await repos.announcements.get(announcement_id) if announcement_id else await latest_of(repos, by.id)
    return found if found is not None and may_read_announcement(found, by) else None


async def recipients(repos: Repositories, announcement_id: int) -> list[RecipientLine]:
    """Per recipient: channel, status (sent, delivered, read, failed with the reason, pending)."""
    return await recipient_lines(repos, await repos.outbox.of_announcement(announcement_id))


async def recipient_lines(repos: Repositories, rows: list[OutboxMessage]) -> list[RecipientLine]:
    """One line per outbox row: who, which cooperative, channel, status, the failure's reason, when sent."""
    people = await repos.officers.with_cooperatives([r.officer_id for r in rows if r.officer_id is not None])
    lines = []
    for row in rows:
        officer, cooperative = people.get(row.officer_id or 0, (None, None))
        lines.append(
            RecipientLine(
                row.officer_id,
                officer.name if officer else "",
                cooperative.name if cooperative else "",
                row.channel,
                row.status,
                row.last_error if row.status in FAILED else None,
                row.sent_at,
            )
        )
    return lines


def failure_reasons(lines: list[RecipientLine]) -> list[tuple[str, int]]:
    """The reasons of failures as stored (the platforms' words), most common first."""
    return Counter(line.error or line.status for line in lines if line.status in FAILED).most_common()


def failure_kind(line: RecipientLine) -> str | None:
    """Why this recipient got nothing, as the templates name it (no_account, unreachable, paused, failed); None when
    it was not a failure."""
    if line.status not in FAILED:
        return None
    if line.error == STOPPED_BY_RECIPIENT:
        return "paused"
    return REASONS.get(line.error or "") or ("unreachable" if line.status == "unreachable" else "failed")


def failure_kinds(lines: list[RecipientLine]) -> list[tuple[str, int]]:
    """The failures by kind, as the templates name them (no_account, unreachable, paused, failed), most first."""
    return Counter(kind for line in lines if (kind := failure_kind(line))).most_common()


async def set_paused(repos: Repositories, officer_id: int, paused: bool, now: datetime) -> int:
    """BERHENTI / MULAI for one officer; on BERHENTI, announcements not yet sent to them are withdrawn."""
    officer = await repos.officers.get(officer_id)
    if officer is None:
        return 0
    officer.announcements_paused = paused
    withdrawn = await repos.outbox.withdraw_announcements(officer_id, now) if paused else 0
    await repos.audit.add(f"officer:{officer_id}", "announcements.paused" if paused else "announcements.resumed")
    return withdrawn
