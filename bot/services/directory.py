"""The office's directory of cooperatives: importing rows and listing them.

An import matches each cooperative of the file to a stored one by NIK, otherwise by name; a blank cell keeps what is
stored. A kecamatan must already be known in the city, or be named as new (`new_kecamatan`): a misspelt one is a
problem naming the closest known names, never a second kecamatan. Kelurahan are added as they come.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.services.cooperative_import import ImportRow, RowProblem
from storage.models import Cooperative
from storage.repositories import Repositories

NEW_DEFAULTS: dict[str, Any] = {"tags": [], "fiscal_year_start_month": 1, "has_savings_unit": False}
SUGGESTED = 3


@dataclass(frozen=True)
class ImportCounts:
    """How many cooperatives an import created, changed, and found as they were."""

    created: int
    updated: int
    unchanged: int = 0


class ImportRejected(Exception):
    """The rows cannot be saved as they are; nothing was written."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class _Plan:
    problems: list[RowProblem]
    matches: list[tuple[ImportRow, Cooperative | None]]


def _kecamatan_problem(name: str, known: list[str], city: str) -> str:
    close = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=SUGGESTED, cutoff=0.6)
    spelled = {k.lower(): k for k in known}
    if close:
        return f"kecamatan {name!r} tidak dikenal di {city}; maksudnya {' atau '.join(spelled[c] for c in close)}?"
    if known:
        listed = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        return (
            f"kecamatan {name!r} tidak dikenal di {city} (yang ada: {listed}); "
            f"bila memang kecamatan baru, tambahkan --new-kecamatan {name!r}"
        )
    return f"kecamatan {name!r} belum ada di {city}; untuk impor pertama tambahkan --new-kecamatan {name!r}"


async def _plan(repos: Repositories, rows: list[ImportRow], city: str, new_kecamatan: Iterable[str]) -> _Plan:
    """Which stored cooperative each row is, and every problem; reads only."""
    problems: list[RowProblem] = []
    kota = await repos.regions.find("kota", city)
    known = [r.name for r in await repos.regions.children("kecamatan", kota.id)] if kota else []
    allowed = {k.lower() for k in known} | {" ".join(n.split()).lower() for n in new_kecamatan}
    stored = await repos.cooperatives.search()
    by_nik = {c.nik: c for c in stored if c.nik}
    by_name: dict[str, list[Cooperative]] = {}
    for cooperative in stored:
        by_name.setdefault(cooperative.name.lower(), []).append(cooperative)
    claimed: dict[int, int] = {}
    matches: list[tuple[ImportRow, Cooperative | None]] = []
    for row in rows:
        values, line = row.values, row.line
        kecamatan = values.get("kecamatan")
        if kecamatan and kecamatan.lower() not in allowed:
            problems.append(RowProblem(line, _kecamatan_problem(kecamatan, known, city)))
        named = by_name.get(values["name"].lower(), [])
        if values.get("nik"):
            found = by_nik.get(values["nik"])
            if found is None:  # known by name only until now: this row gives it its NIK
                unnumbered = [c for c in named if not c.nik and c.id not in claimed]
                found = unnumbered[0] if len(unnumbered) == 1 else None
        elif len(named) > 1:
            niks = ", ".join(c.nik or "-" for c in named)
            reason = f"ada {len(named)} koperasi bernama {values['name']!r} (NIK {niks}): isi NIK-nya"
            problems.append(RowProblem(line, reason))
            continue
        else:
            found = named[0] if named else None
        if found is not None and found.id in claimed:
            problems.append(RowProblem(line, f"koperasi yang sama dengan baris {claimed[found.id]} ({found.name})"))
            continue
        if found is not None:
            claimed[found.id] = line
        matches.append((row, found))
    return _Plan(sorted(problems, key=lambda p: p.row), matches)


async def import_problems(
    repos: Repositories, rows: list[ImportRow], city: str, *, new_kecamatan: Iterable[str] = ()
) -> list[RowProblem]:
    """What stops these rows being saved (unknown kecamatan, ambiguous names...); writes nothing."""
    return (await _plan(repos, rows, city, new_kecamatan)).problems


async def save_cooperatives(
    repos: Repositories,
    rows: list[ImportRow],
    city: str,
    *,
    default_zone: str = "Asia/Jakarta",
    new_kecamatan: Iterable[str] = (),
) -> ImportCounts:
    """Create or complete the cooperatives of the rows; ImportRejected (nothing written) when any row has a problem."""
    plan = await _plan(repos, rows, city, list(new_kecamatan))
    if plan.problems:
        raise ImportRejected(plan.problems)
    created = updated = unchanged = 0
    kota = await repos.regions.get_or_create("kota", city)
    for row, existing in plan.matches:
        values = dict(row.values)
        kecamatan_name, kelurahan_name = values.pop("kecamatan", None), values.pop("kelurahan", None)
        if kecamatan_name:
            values["kecamatan_id"] = (await repos.regions.get_or_create("kecamatan", kecamatan_name, kota.id)).id
            if existing is not None and existing.kecamatan_id != values["kecamatan_id"] and not kelurahan_name:
                values["kelurahan_id"] = None  # the old kelurahan lies in the old kecamatan
        if kelurahan_name:
            parent = values.get("kecamatan_id", existing.kecamatan_id if existing else None)
            values["kelurahan_id"] = (await repos.regions.get_or_create("kelurahan", kelurahan_name, parent)).id
        if existing is None:
            await repos.cooperatives.add(NEW_DEFAULTS | {"timezone": default_zone} | values)
            created += 1
            continue
        if not values.get("nik"):
            values.pop("name")  # the name found it: a different spelling of its case changes nothing
        changed = {key: value for key, value in values.items() if getattr(existing, key) != value}
        for key, value in changed.items():
            setattr(existing, key, value)
        updated += bool(changed)
        unchanged += not changed
    await repos.session.flush()
    await repos.audit.add("cli", "cooperatives.import", None, created=created, updated=updated, unchanged=unchanged)
    return ImportCounts(created, updated, unchanged)


@dataclass(frozen=True)
class CooperativeRow:
    """One line of the cooperatives table."""

    cooperative: Cooperative
    kecamatan: str
    kelurahan: str


class UnknownKecamatan(LookupError):
    """A kecamatan name the city does not have (a typo, not a kecamatan without cooperatives)."""


async def list_cooperatives(
    repos: Repositories, *, type_: str | None = None, tag: str | None = None, kecamatan: str | None = None
) -> list[CooperativeRow]:
    """Cooperatives filtered by type, tag and kecamatan name, with their region names; UnknownKecamatan for a
    kecamatan name the city does not have."""
    kecamatan_id = None
    if kecamatan:
        region = await repos.regions.find("kecamatan", kecamatan)
        if region is None:
            raise UnknownKecamatan(kecamatan)
        kecamatan_id = region.id
    found = await repos.cooperatives.search(type_=type_, tag=tag, kecamatan_id=kecamatan_id)
    ids = [i for c in found for i in (c.kecamatan_id, c.kelurahan_id) if i]
    names = await repos.regions.names(ids)
    return [CooperativeRow(c, names.get(c.kecamatan_id or 0, ""), names.get(c.kelurahan_id or 0, "")) for c in found]
