"""Reports to review, submitted the way the chat submits them: a KSP's last period and this one, with the checks'
warnings confirmed by the officer with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.forms import stored_decimal
from bot.domain.numbers import to_plain
from bot.domain.periods import Period
from storage.db import Database
from storage.models import ChannelIdentity
from tests.services.common import ksp_answers, services

REASON = "Kas naik karena setoran simpanan anggota"


@dataclass(frozen=True)
class Submitted:
    """A cooperative with one officer and a report waiting for review."""

    cooperative_id: int
    nik: str
    officer_id: int
    report_id: int
    period: Period


def moved(answers: dict[str, str], **shift: int) -> dict[str, str]:
    """The answers with figures moved by whole rupiah (the books stay balanced when the shifts sum to zero)."""
    out = dict(answers)
    for key, delta in shift.items():
        value = stored_decimal(out[key])
        assert value is not None
        out[key] = to_plain(value + delta)
    return out


async def submitted_report(
    db: Database, kecamatan_id: int, nik: str, period: Period, at: datetime, *, chat: int | None = None
) -> Submitted:
    """A KSP in `kecamatan_id` reports `period` before and `period` (cash up 60 jt, bank down as much: two changes
    the checks warn about, each confirmed with a reason); its officer is on Telegram as `chat` when given."""
    async with db.transaction() as repos:
        coop, _ = await repos.cooperatives.upsert(
            {"name": f"KSP Review {nik}", "nik": nik, "type": "ksp", "kecamatan_id": kecamatan_id}
        )
        officer = await repos.officers.add(coop.id, "Bu Siti", "bendahara")
        if chat is not None:
            repos.session.add(ChannelIdentity(channel="telegram", external_id=str(chat), officer_id=officer.id))
    before = ksp_answers()
    async with services(db) as s:
        await s.reports.submit(coop.id, period.previous(), before, officer_id=officer.id, at=at - timedelta(days=30))
    now = moved(before, cash=60_000_000, bank=-60_000_000)
    async with services(db) as s:
        checked = await s.reports.check(coop.id, period, now)
        assert checked.warnings and not checked.blocking
        confirmed = {w.id: REASON for w in checked.warnings}
        await s.reports.submit(coop.id, period, now, officer_id=officer.id, at=at, confirmed=confirmed)
    async with db.reading() as repos:
        report = await repos.reports.get(coop.id, str(period))
    assert report is not None
    return Submitted(coop.id, nik, officer.id, report.id, period)


async def correct(db: Database, done: Submitted, at: datetime) -> None:
    """The officer corrects the report (cash back down by 10 jt, bank up as much), as the correction flow does."""
    async with services(db) as s:
        state = await s.reports.correction(done.cooperative_id, done.period)
        assert state is not None and state.latest is not None
        yearly = {k: v for k, v in ksp_answers().items() if k.startswith(("management.", "compliance."))}
        fixed = moved({**state.latest.figures, **yearly}, cash=-10_000_000, bank=10_000_000)
        checked = await s.reports.check(done.cooperative_id, done.period, fixed)
        await s.reports.submit(
            done.cooperative_id,
            done.period,
            fixed,
            officer_id=done.officer_id,
            at=at,
            reason="salah ketik kas",
            confirmed={w.id: REASON for w in checked.warnings},
        )
