"""Segments: who a training invitation or an announcement reaches, written like `type:ksp+kecamatan:Magersari`.

One criterion per `+`-separated part, all of which must hold (AND):

    all                         every cooperative
    type:ksp                    cooperative type (ksp, usp, konsumen, produsen, pemasaran, jasa)
    tag:kkmp                    cooperative tag (kkmp, kopontren, ...)
    kecamatan:Magersari         kecamatan by name;  kelurahan:Meri  kelurahan or desa by name
    category:dalam_pengawasan   latest health category (sehat, cukup_sehat, dalam_pengawasan, dalam_pengawasan_khusus)
    reported:2026-10            report for that month submitted;  not-reported:2026-10  not submitted
    nik:3576010001,3576010002   an explicit list of cooperatives by NIK

A pembina with a kecamatan reaches only that kecamatan, whatever the segment says. Recipients are the active
officers of the matching cooperatives; those who said BERHENTI are counted apart (`paused`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storage.models import OfficeStaff
from storage.repositories import CooperativeFacts, Repositories

KINDS = ("all", "type", "tag", "kecamatan", "kelurahan", "category", "reported", "not-reported", "nik")
CATEGORIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")
_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_ALIASES = {"notreported": "not-reported", "not_reported": "not-reported", "belum-lapor": "not-reported"}


class SegmentError(ValueError):
    """A segment that cannot be read or names something unknown; the message says what is expected."""


@dataclass(frozen=True)
class Criterion:
    """One condition: a kind and its value ("" for `all`)."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class Segment:
    """Criteria that must all hold; `scope_kecamatan_id` limits a pembina to their kecamatan."""

    criteria: tuple[Criterion, ...]
    scope_kecamatan_id: int | None = None

    @property
    def spec(self) -> str:
        return "+".join(str(c) for c in self.criteria)

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "scope_kecamatan_id": self.scope_kecamatan_id}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Segment:
        return parse(str(raw.get("spec") or "all"), scope_kecamatan_id=raw.get("scope_kecamatan_id"))


@dataclass(frozen=True)
class Recipient:
    """An officer the segment reaches."""

    officer_id: int
    cooperative_id: int
    name: str
    language: str
    timezone: str
    paused: bool


@dataclass(frozen=True)
class Audience:
    """Who a segment reaches now."""

    segment: Segment
    cooperatives: int
    recipients: tuple[Recipient, ...]

    @property
    def reachable(self) -> tuple[Recipient, ...]:
        """Recipients of announcements: everyone but those who stopped them."""
        return tuple(r for r in self.recipients if not r.paused)

    @property
    def paused(self) -> int:
        return sum(r.paused for r in self.recipients)


def parse(text: str, *, scope_kecamatan_id: int | None = None) -> Segment:
    """Read a segment; SegmentError names the part that is wrong."""
    parts = [p.strip() for p in text.strip().split("+")]
    if not text.strip() or any(not p for p in parts):
        raise SegmentError("segment kosong / empty segment: tulis misalnya all, type:ksp, kecamatan:Magersari")
    criteria: list[Criterion] = []
    for part in parts:
        kind, _, value = part.partition(":")
        kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
        value = " ".join(value.split())
        if kind in ("all", "semua"):
            criteria.append(Criterion("all"))
            continue
        if kind not in KINDS:
            raise SegmentError(f"{part!r}: jenis tidak dikenal; pilih salah satu dari {', '.join(KINDS)}")
        if not value:
            raise SegmentError(f"{part!r}: nilainya kosong, misalnya {kind}:...")
        if kind in ("type", "tag", "category"):
            value = value.lower()
        if kind == "category" and value not in CATEGORIES:
            raise SegmentError(f"{part!r}: kategori harus salah satu dari {', '.join(CATEGORIES)}")
        if kind in ("reported", "not-reported") and not _PERIOD.match(value):
            raise SegmentError(f"{part!r}: periode ditulis TTTT-BB, misalnya {kind}:2026-10")
        if kind == "nik":
            niks = [n.strip() for n in value.split(",") if n.strip()]
            if not niks:
                raise SegmentError(f"{part!r}: tulis NIK koperasi dipisah koma")
            value = ",".join(niks)
        criteria.append(Criterion(kind, value))
    if len(criteria) > 1:
        criteria = [c for c in criteria if c.kind != "all"] or [Criterion("all")]
    return Segment(tuple(criteria), scope_kecamatan_id)


def for_staff(text: str, staff: OfficeStaff | None) -> Segment:
    """Read a segment as written by a staff member: a pembina with a kecamatan is kept to it."""
    scope = staff.kecamatan_id if staff is not None and staff.role == "pembina" else None
    return parse(text, scope_kecamatan_id=scope)


async def _matching(repos: Repositories, criterion: Criterion, facts: list[CooperativeFacts]) -> set[int]:
    kind, value = criterion.kind, criterion.value
    if kind == "all":
        return {c.id for c in facts}
    if kind == "type":
        return {c.id for c in facts if c.type.lower() == value}
    if kind == "tag":
        return {c.id for c in facts if value in (t.lower() for t in c.tags)}
    if kind in ("kecamatan", "kelurahan"):
        kinds = ("kecamatan",) if kind == "kecamatan" else ("kelurahan", "desa")
        ids = set(await repos.regions.ids_named(kinds, value))
        if not ids:
            raise SegmentError(f"{kind} {value!r} tidak ditemukan")
        if kind == "kecamatan":
            return {c.id for c in facts if c.kecamatan_id in ids}
        return {c.id for c in facts if c.kelurahan_id in ids}
    if kind == "category":
        categories = await repos.assessments.latest_categories()
        return {c.id for c in facts if categories.get(c.id) == value}
    if kind in ("reported", "not-reported"):
        reported = set(await repos.reports.submitted_cooperative_ids(value))
        return {c.id for c in facts if (c.id in reported) == (kind == "reported")}
    if kind == "nik":
        wanted = set(value.split(","))
        found = {c.id for c in facts if c.nik in wanted}
        known = {c.nik for c in facts if c.nik in wanted}
        if unknown := sorted(wanted - known):
            raise SegmentError(f"NIK tidak ditemukan: {', '.join(unknown)}")
        return found
    raise SegmentError(f"jenis tidak dikenal: {kind}")


async def _chosen(repos: Repositories, segment: Segment, facts: list[CooperativeFacts]) -> set[int]:
    chosen = {c.id for c in facts}
    for criterion in segment.criteria:
        chosen &= await _matching(repos, criterion, facts)
    if segment.scope_kecamatan_id is not None:
        chosen &= {c.id for c in facts if c.kecamatan_id == segment.scope_kecamatan_id}
    return chosen


async def cooperative_ids(repos: Repositories, segment: Segment) -> set[int]:
    """The ids of the cooperatives the segment reaches now."""
    return await _chosen(repos, segment, await repos.cooperatives.facts())


async def resolve(repos: Repositories, segment: Segment) -> Audience:
    """The cooperatives and active officers the segment reaches now."""
    facts = await repos.cooperatives.facts()
    chosen = await _chosen(repos, segment, facts)
    zones = {c.id: c.timezone for c in facts}
    recipients = tuple(
        Recipient(o.id, o.cooperative_id, o.name, o.language, zones[o.cooperative_id], o.paused)
        for o in await repos.officers.active()
        if o.cooperative_id in chosen
    )
    return Audience(segment, len(chosen), recipients)


def suggestions(period: str) -> tuple[tuple[str, str], ...]:
    """Common segments as (spec, Indonesian title), for buttons."""
    return (("all", "Semua koperasi"), (f"not-reported:{period}", "Belum lapor"), ("type:ksp", "KSP saja"))
