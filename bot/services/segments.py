"""Segments: who a training invitation or an announcement reaches, written like `jenis:ksp+kecamatan:Magersari`.

One criterion per `+`-separated part, all of which must hold (AND); staff see the Indonesian words, the English ones
(kept in stored segments) are read too:

    semua (all)                         every cooperative
    jenis:ksp (type:)                   cooperative type (ksp, usp, konsumen, produsen, pemasaran, jasa)
    tag:kkmp                            cooperative tag (kkmp, kopontren, ...)
    kecamatan:Magersari                 kecamatan by name;  kelurahan:Meri  kelurahan or desa by name
    kategori:dalam_pengawasan (category:) latest health category (sehat, cukup_sehat, dalam_pengawasan, ...)
    sudah-lapor:2026-10 (reported:)     report for that month submitted;  belum-lapor:2026-10 (not-reported:) not
    nik:3576010001,3576010002           an explicit list of cooperatives by NIK

A pembina with a kecamatan reaches only that kecamatan, whatever the segment says. Recipients are the active
officers of the matching cooperatives; `Audience.reach()` says how many get a message now and why the others cannot
(no chat account, unreachable on every channel, or they said BERHENTI to announcements).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.services.notices import NO_ACCOUNT, UNREACHABLE, unreachable_reason
from bot.words import render
from storage import audience_counts
from storage.models import OfficeStaff
from storage.repositories import Repositories

KINDS = ("all", "type", "tag", "kecamatan", "kelurahan", "category", "reported", "not-reported", "nik")
WORDS = {  # a kind as staff write and read it
    "all": "semua",
    "type": "jenis",
    "tag": "tag",
    "kecamatan": "kecamatan",
    "kelurahan": "kelurahan",
    "category": "kategori",
    "reported": "sudah-lapor",
    "not-reported": "belum-lapor",
    "nik": "nik",
}
CATEGORIES = ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus")
_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_ALIASES = {
    **{word: kind for kind, word in WORDS.items()},
    **{word.replace("-", "_"): kind for kind, word in WORDS.items()},
    "desa": "kelurahan",
    "notreported": "not-reported",
    "not_reported": "not-reported",
}


class SegmentError(ValueError):
    """A segment that cannot be read or names something unknown; `text(lang)` says what is expected."""

    def __init__(self, problem: str, **values: str) -> None:
        self.problem, self.values = problem, values
        super().__init__(self.text("id"))

    def text(self, lang: str) -> str:
        """The problem in the reader's language (templates segments.*)."""
        return render.text(lang, f"segments.{self.problem}", **self.values)


@dataclass(frozen=True)
class Criterion:
    """One condition: a kind and its value ("" for `all`)."""

    kind: str
    value: str = ""

    def __str__(self) -> str:
        return self.kind if self.kind == "all" else f"{self.kind}:{self.value}"

    @property
    def words(self) -> str:
        """The criterion in the Indonesian words staff see: `belum-lapor:2026-10`."""
        return WORDS[self.kind] if self.kind == "all" else f"{WORDS[self.kind]}:{self.value}"


@dataclass(frozen=True)
class Segment:
    """Criteria that must all hold; `scope_kecamatan_id` limits a pembina to their kecamatan."""

    criteria: tuple[Criterion, ...]
    scope_kecamatan_id: int | None = None

    @property
    def spec(self) -> str:
        return "+".join(str(c) for c in self.criteria)

    @property
    def words(self) -> str:
        """The segment as staff write it in Indonesian: `jenis:ksp+kecamatan:Magersari`."""
        return "+".join(c.words for c in self.criteria)

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "scope_kecamatan_id": self.scope_kecamatan_id}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Segment:
        return parse(str(raw.get("spec") or "all"), scope_kecamatan_id=raw.get("scope_kecamatan_id"))


RESOLVE_PART = 2000  # recipients made between two turns of the event loop
REASONS = {NO_ACCOUNT: "no_account", UNREACHABLE: "unreachable"}  # stored reason -> word of the templates


@dataclass(frozen=True)
class Recipient:
    """An officer the segment reaches; `unreachable` names why no chat account of theirs can get a message now."""

    officer_id: int
    cooperative_id: int
    name: str
    language: str
    timezone: str
    paused: bool
    unreachable: str | None = None  # "no_account" | "unreachable"

    def obstacle(self, announcement: bool) -> str | None:
        """Why this officer cannot get a message now: no account, unreachable, or (announcements only) paused."""
        return self.unreachable or ("paused" if announcement and self.paused else None)


@dataclass(frozen=True)
class Reach:
    """How many get a message now, and how many cannot, by reason (no_account, unreachable, paused)."""

    now: int
    missed: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, counts: Mapping[str | None, int]) -> Reach:
        """From how many officers there are per obstacle (None: those a message reaches now)."""
        missed = tuple((why, counts[why]) for why in ("no_account", "unreachable", "paused") if counts.get(why))
        return cls(counts.get(None, 0), missed)

    @property
    def missing(self) -> int:
        return sum(count for _, count in self.missed)

    def __add__(self, other: Reach) -> Reach:
        """Two parts' reach as one (a fan-out counts each part's)."""
        counts: Counter[str | None] = Counter()
        for part in (self, other):
            counts[None] += part.now
            counts.update(dict(part.missed))
        return Reach.of(counts)


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

    def reach(self, *, announcement: bool = True) -> Reach:
        """Who gets a message now; reminders about a cooperative's own duties (`announcement=False`) also go to
        those who said BERHENTI."""
        return Reach.of(Counter(r.obstacle(announcement) for r in self.recipients))


def parse(text: str, *, scope_kecamatan_id: int | None = None) -> Segment:
    """Read a segment; SegmentError names the part that is wrong."""
    parts = [p.strip() for p in text.strip().split("+")]
    if not text.strip() or any(not p for p in parts):
        raise SegmentError("empty")
    criteria: list[Criterion] = []
    for part in parts:
        kind, _, value = part.partition(":")
        kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
        value = " ".join(value.split())
        if kind == "all":
            criteria.append(Criterion("all"))
            continue
        if kind not in KINDS:
            raise SegmentError("unknown_kind", part=part)
        if not value:
            raise SegmentError("empty_value", part=part, word=WORDS[kind])
        if kind in ("type", "tag", "category"):
            value = value.lower()
        if kind == "category" and value not in CATEGORIES:
            raise SegmentError("bad_category", part=part, categories=", ".join(CATEGORIES))
        if kind in ("reported", "not-reported") and not _PERIOD.match(value):
            raise SegmentError("bad_period", part=part, word=WORDS[kind])
        if kind == "nik":
            niks = [n.strip() for n in value.split(",") if n.strip()]
            if not niks:
                raise SegmentError("empty_nik", part=part)
            value = ",".join(niks)
        criteria.append(Criterion(kind, value))
    if len(criteria) > 1:
        criteria = [c for c in criteria if c.kind != "all"] or [Criterion("all")]
    return Segment(tuple(criteria), scope_kecamatan_id)


def in_scope(stored: dict[str, Any] | None, scope: int | None) -> bool:
    """Whether a stored segment (a training's, an announcement's) is one a staff member limited to the kecamatan
    `scope` may see: everything for the whole city (None), else only what was kept to that kecamatan."""
    return scope is None or (stored or {}).get("scope_kecamatan_id") == scope


def for_staff(text: str, staff: OfficeStaff | None) -> Segment:
    """Read a segment as written by a staff member: a pembina with a kecamatan is kept to it."""
    scope = staff.kecamatan_id if staff is not None and staff.role == "pembina" else None
    return parse(text, scope_kecamatan_id=scope)


async def _criteria(repos: Repositories, segment: Segment) -> list[audience_counts.Criterion]:
    """The segment's criteria for SQL: region names turned into ids; SegmentError for an unknown region or NIK."""
    criteria: list[audience_counts.Criterion] = []
    for criterion in segment.criteria:
        kind, value = criterion.kind, criterion.value
        regions: list[int] = []
        if kind in ("kecamatan", "kelurahan"):
            kinds = ("kecamatan",) if kind == "kecamatan" else ("kelurahan", "desa")
            regions = list(await repos.regions.ids_named(kinds, value))
            if not regions:
                raise SegmentError("region_not_found", word=WORDS[kind], name=value)
        if kind == "nik":
            wanted = set(value.split(","))
            if unknown := sorted(wanted - await audience_counts.known_niks(repos, sorted(wanted))):
                raise SegmentError("nik_not_found", niks=", ".join(unknown))
        if kind not in KINDS:
            raise SegmentError("unknown_kind", part=kind)
        if kind != "all":
            criteria.append((kind, value, regions))
    return criteria


async def sql_criteria(repos: Repositories, segment: Segment) -> list[audience_counts.Criterion]:
    """The segment's criteria as storage's queries take them (SegmentError for an unknown region or NIK)."""
    return await _criteria(repos, segment)


async def cooperative_ids(repos: Repositories, segment: Segment) -> set[int]:
    """The ids of the cooperatives the segment reaches now."""
    criteria = await _criteria(repos, segment)
    return await audience_counts.cooperative_ids(repos, criteria, segment.scope_kecamatan_id)


@dataclass(frozen=True)
class Count:
    """How many cooperatives a segment reaches, and how many of their active officers a message reaches now."""

    segment: Segment
    cooperatives: int
    officers: int
    reach: Reach


async def count(repos: Repositories, segment: Segment, *, announcement: bool = True) -> Count:
    """The segment's numbers counted in the database (nobody loaded): cooperatives, officers and their reach, as
    `resolve(...).reach(announcement=...)` would give them."""
    criteria = await _criteria(repos, segment)
    coops, obstacles = await audience_counts.reach(
        repos, criteria, segment.scope_kecamatan_id, announcement=announcement
    )
    return Count(segment, coops, sum(obstacles.values()), Reach.of(obstacles))


async def resolve(repos: Repositories, segment: Segment) -> Audience:
    """The cooperatives and active officers the segment reaches now (read as plain rows, a part at a time)."""
    criteria = await _criteria(repos, segment)
    scope = segment.scope_kecamatan_id
    people = await audience_counts.recipients(repos, criteria, scope)
    accounts = await repos.identities.of_officers([p[0] for p in people])
    recipients: list[Recipient] = []
    for start in range(0, len(people), RESOLVE_PART):  # a province's officers: the event loop's turn between parts
        for officer_id, coop_id, name, language, zone, paused in people[start : start + RESOLVE_PART]:
            unreachable = REASONS.get(unreachable_reason(accounts[officer_id]) or "")
            recipients.append(Recipient(officer_id, coop_id, name, language, zone, paused, unreachable))
        await asyncio.sleep(0)
    return Audience(segment, await audience_counts.cooperative_count(repos, criteria, scope), tuple(recipients))


async def audience_of(
    repos: Repositories, text: str, *, scope_kecamatan_id: int | None
) -> tuple[Audience | None, SegmentError | None]:
    """Who a segment typed by staff reaches now, or what is wrong with it (a form shows it beside the field)."""
    try:
        return await resolve(repos, parse(text, scope_kecamatan_id=scope_kecamatan_id)), None
    except SegmentError as exc:
        return None, exc


def suggestions(period: str) -> tuple[tuple[str, str], ...]:
    """Common segments as (spec, template of the button's title), for buttons."""
    return (
        ("all", "segments.button_all"),
        (f"not-reported:{period}", "segments.button_not_reported"),
        ("type:ksp", "segments.button_ksp"),
    )
