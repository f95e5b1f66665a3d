"""The office's directory of cooperatives: importing rows and listing them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.models import Cooperative
from storage.repositories import Repositories


@dataclass(frozen=True)
class ImportCounts:
    """How many cooperatives an import created and updated."""

    created: int
    updated: int


async def save_cooperatives(repos: Repositories, rows: list[dict[str, Any]], city: str) -> ImportCounts:
    """Upsert validated rows (by NIK, or by name where NIK is empty), creating regions as needed."""
    created = updated = 0
    kota = await repos.regions.get_or_create("kota", city)
    for row in rows:
        values = dict(row)
        kecamatan_name, kelurahan_name = values.pop("kecamatan"), values.pop("kelurahan")
        kecamatan = await repos.regions.get_or_create("kecamatan", kecamatan_name, kota.id) if kecamatan_name else None
        kelurahan = (
            await repos.regions.get_or_create("kelurahan", kelurahan_name, kecamatan.id if kecamatan else None)
            if kelurahan_name
            else None
        )
        values["kecamatan_id"] = kecamatan.id if kecamatan else None
        values["kelurahan_id"] = kelurahan.id if kelurahan else None
        _, was_created = await repos.cooperatives.upsert(values)
        created += was_created
        updated += not was_created
    await repos.audit.add("cli", "cooperatives.import", None, created=created, updated=updated)
    return ImportCounts(created, updated)


@dataclass(frozen=True)
class CooperativeRow:
    """One line of the cooperatives table."""

    cooperative: Cooperative
    kecamatan: str
    kelurahan: str


async def list_cooperatives(
    repos: Repositories, *, type_: str | None = None, tag: str | None = None, kecamatan: str | None = None
) -> list[CooperativeRow]:
    """Cooperatives filtered by type, tag and kecamatan name, with their region names."""
    kecamatan_id = None
    if kecamatan:
        region = await repos.regions.find("kecamatan", kecamatan)
        if region is None:
            return []
        kecamatan_id = region.id
    found = await repos.cooperatives.search(type_=type_, tag=tag, kecamatan_id=kecamatan_id)
    ids = [i for c in found for i in (c.kecamatan_id, c.kelurahan_id) if i]
    names = await repos.regions.names(ids)
    return [CooperativeRow(c, names.get(c.kecamatan_id or 0, ""), names.get(c.kelurahan_id or 0, "")) for c in found]
