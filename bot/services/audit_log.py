"""The audit log as the office reads it (admins): newest first, page by page, each actor named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.repositories import Repositories

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditLine:
    """One entry: when, who (kind and name: staff, officer, system, cli), what, on what, the details."""

    at: datetime
    actor_kind: str  # staff | officer | system | cli | other
    actor_name: str
    action: str
    subject: str
    data: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    """One page of the log."""

    lines: list[AuditLine]
    page: int
    pages: int
    total: int


def _id_of(actor: str, kind: str) -> int | None:
    head, _, tail = actor.partition(":")
    return int(tail) if head == kind and tail.isdigit() else None


async def page(repos: Repositories, number: int) -> AuditPage:
    """Page `number` (from 1; beyond the last: the last) of the log."""
    _, total = await repos.audit.page(0, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    entries, total = await repos.audit.page((number - 1) * PAGE_SIZE, PAGE_SIZE)
    staff = {s.id: s.name for s in await repos.staff.all()}
    officer_ids = [i for e in entries if (i := _id_of(e.actor, "officer")) is not None]
    officers = await repos.officers.with_cooperatives(officer_ids)
    lines = []
    for entry in entries:
        kind, _, _ = entry.actor.partition(":")
        name = entry.actor
        if (staff_id := _id_of(entry.actor, "staff")) is not None:
            name = staff.get(staff_id, entry.actor)
        elif (officer_id := _id_of(entry.actor, "officer")) is not None and officer_id in officers:
            officer, cooperative = officers[officer_id]
            name = f"{officer.name} ({cooperative.name})"
        known = kind if kind in ("staff", "officer", "system", "cli") else "other"
        lines.append(AuditLine(entry.at, known, name, entry.action, entry.subject or "", dict(entry.data or {})))
    return AuditPage(lines, number, pages, total)
