"""A synthetic demo city: about 190 cooperatives, officers, staff and a year of monthly figures.

Every name is made up; every NIK starts with DEMO- and every row is marked is_demo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import forms
from bot.domain.health.rules import default_rules
from bot.domain.names import DEMO_CITY
from bot.domain.periods import Period
from bot.services.assessments import assess_revision, derived_flags
from bot.services.clinic import Actor, ClinicService
from bot.services.cooperative_import import ImportRow
from bot.services.demo_city import FIRST, KECAMATAN, LAST, cooperative_rows, demo_periods
from bot.services.demo_figures import DILIGENCE, category_history, category_targets, figures_in, submitted_at
from bot.services.directory import save_cooperatives
from bot.services.review import AlreadyDecided, ReviewService
from storage.models import Officer, OfficeStaff, Training, TrainingRegistration, utcnow
from storage.repositories import Repositories

WITH_HISTORY = 40  # scored cooperatives with a year of reports; the others joined the bot three months ago
RECENT = 3
SENT_BACK = 4  # reports of the last closed period the pembina sends back
DEMO_LOGIN = "demo.pembina"
YEARLY = ("management.", "compliance.")
TRY_NIK = "DEMO-0040"  # the README's `kopsehat chat --cooperative DEMO-0040`: its newest report is left to send
ZONE = ZoneInfo("Asia/Jakarta")  # the demo city's zone: its reports, reviews and trainings are dated in it


@dataclass(frozen=True)
class DemoCounts:
    """What the demo loaded."""

    cooperatives: int
    officers: int
    reports: int


@dataclass(frozen=True)
class DemoWords:
    """What the demo's office writes, in the office's language: reasons for sending a report back, action plans
    (what, who) and training titles."""

    reasons: tuple[str, ...]
    plans: tuple[tuple[str, str], ...]
    trainings: tuple[str, ...]
    venue: str


async def load_demo(repos: Repositories, now: datetime, seed: int = 2026, words: DemoWords | None = None) -> DemoCounts:
    """Load (or refresh) the demo city as of `now`; running it twice changes nothing new, and no report is stored
    as submitted after `now` (those cooperatives have simply not reported yet). With the office's `words`, a pembina
    also reviews (verifies some of last month's reports, sends a few back), opens action plans and held trainings."""
    rng = random.Random(seed)
    rules = default_rules()
    zone = ZONE
    today = now.astimezone(zone).date()
    rows = cooperative_rows(rng, today)
    given = [ImportRow([line], {k: v for k, v in row.items() if v is not None}) for line, row in enumerate(rows, 2)]
    await save_cooperatives(repos, given, DEMO_CITY, new_kecamatan=KECAMATAN)
    officers = reports = 0
    periods = demo_periods(today)
    scored = [row["nik"] for row in rows if row["type"] == "ksp" or row["has_savings_unit"]]
    targets = category_targets(seed, scored)
    yearly_keys = [q.key for q in forms.load_form().questions if q.key.startswith(YEARLY)]
    for row in rows:
        cooperative = await repos.cooperatives.by_nik(row["nik"])
        assert cooperative is not None
        existing = await repos.officers.of_cooperative(cooperative.id)
        if not existing:
            for role in ("ketua", "bendahara"):
                await repos.officers.add(cooperative.id, f"{rng.choice(FIRST)} {rng.choice(LAST)}", role)
                officers += 1
        existing = await repos.officers.of_cooperative(cooperative.id)
        target = targets.get(row["nik"])
        if target is None:
            continue  # never reported: not assessed
        mine = random.Random(f"{seed}:{row['nik']}")
        history = category_history(mine, target, len(periods))
        scale = mine.uniform(0.5e9, 8e9) if row["type"] == "ksp" else mine.uniform(0.2e9, 3e9)
        reported = periods if scored.index(row["nik"]) % (len(scored) // WITH_HISTORY) == 0 else periods[-RECENT:]
        if not await repos.management.answers(cooperative.id):
            diligence = DILIGENCE[target] + mine.uniform(-0.05, 0.05)
            yearly = {key: mine.random() < diligence for key in yearly_keys}
            # answered with the first report, so that they fall due a year after it, not in the month now open
            first = submitted_at(seed, row["nik"], reported[0], zone)
            await repos.management.save(cooperative.id, yearly, first, existing[-1].id)
        answers = {key: row.answer for key, row in (await repos.management.answers(cooperative.id)).items()}
        submitted_periods = set(await repos.reports.submitted_periods(cooperative.id))
        for index, period in enumerate(periods):
            submitted = submitted_at(seed, row["nik"], period, zone)
            if submitted > now or period in submitted_periods or period not in reported:
                continue
            if row["nik"] == TRY_NIK and period == periods[-1]:
                continue  # `lapor` there opens the month now reported, with last month's figures to keep or change
            report = await repos.reports.get_or_create(cooperative.id, period)
            at = Period.parse(period)
            submitted_periods.add(period)
            flags = derived_flags(cooperative, at, submitted_periods)
            figures = figures_in(
                cooperative,
                at,
                history[index],
                answers,
                flags,
                rules,
                random.Random(f"{seed}:{row['nik']}:{period}"),
                scale,
                index,
            )
            revision = await repos.reports.add_revision(report, figures, at=submitted, officer_id=existing[-1].id)
            await assess_revision(repos, cooperative, at, revision, rules)
            reports += 1
    if words is not None:
        await _office_work(repos, now, seed, words, rows, targets, periods)
    await repos.audit.add("cli", "demo.load", None, cooperatives=len(rows), at=utcnow().isoformat())
    return DemoCounts(len(rows), officers, reports)


async def _pembina(repos: Repositories, seed: int) -> OfficeStaff:
    """The demo's pembina (login demo.pembina), made once."""
    for staff in await repos.staff.all():
        if staff.login == DEMO_LOGIN:
            return staff
    name_rng = random.Random(f"{seed}:pembina")
    staff = await repos.staff.add(f"{name_rng.choice(FIRST)} {name_rng.choice(LAST)}", "pembina")
    staff.login = DEMO_LOGIN
    await repos.session.flush()
    return staff


async def _office_work(
    repos: Repositories,
    now: datetime,
    seed: int,
    words: DemoWords,
    rows: Sequence[dict[str, Any]],
    targets: dict[str, str],
    periods: Sequence[str],
) -> None:
    """A pembina's month: reviews of the last closed period, action plans for those under supervision, trainings."""
    staff = await _pembina(repos, seed)
    actor = Actor(staff_id=staff.id)
    review, clinic = ReviewService(repos), ClinicService(repos)
    rng = random.Random(f"{seed}:office")
    checked = periods[-2]  # the last period whose reports have all arrived; the newest ones wait for review
    last = Period.parse(periods[-1])
    decided_at = datetime(last.year, last.month, 14, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # before `now`
    candidates = sorted(targets)
    back = set(rng.sample(candidates, SENT_BACK))
    verified = set(rng.sample([nik for nik in candidates if nik not in back], len(candidates) // 5))
    plans = 0
    ids = []
    for row in rows:
        cooperative = await repos.cooperatives.by_nik(row["nik"])
        assert cooperative is not None
        ids.append(cooperative.id)
        report = await repos.reports.get(cooperative.id, checked)
        if report is not None and report.status == "submitted" and row["nik"] in back | verified:
            try:
                if row["nik"] in back:
                    reason = words.reasons[len(back & {r["nik"] for r in rows[: rows.index(row)]}) % len(words.reasons)]
                    await review.send_back(report.id, actor, None, reason, decided_at)
                else:
                    await review.verify(report.id, actor, None, decided_at)
            except AlreadyDecided:
                pass  # decided on an earlier run
        chance, age, ahead = rng.random(), rng.randint(20, 80), rng.randint(7, 40)  # drawn alike on every run
        if targets.get(row["nik"]) in ("dalam_pengawasan", "dalam_pengawasan_khusus") and chance < 0.25:
            plans += 1
            if not await clinic.plans(cooperative.id, actor):
                what, who = words.plans[plans % len(words.plans)]
                opened = now - timedelta(days=age)
                due = opened.date() + timedelta(days=14) if plans % 2 else now.date() + timedelta(days=ahead)
                await clinic.add_plan(cooperative.id, what, who, due, actor, opened)
    officers = await repos.officers.of_cooperatives(ids)
    await _trainings(repos, now, seed, words, staff, officers)


async def _trainings(
    repos: Repositories, now: datetime, seed: int, words: DemoWords, staff: OfficeStaff, everyone: Sequence[Officer]
) -> None:
    """Trainings held in the past months, most of the registered officers present."""
    held = {t.title for t in await repos.trainings.recent(200)}
    rng = random.Random(f"{seed}:trainings")
    everyone = list(everyone)
    for number, title in enumerate(words.trainings):
        day = now.astimezone(ZONE) - timedelta(days=20 + 45 * number)
        starts = day.replace(hour=9, minute=0, second=0, microsecond=0)  # 09.00 WIB, whatever zone `now` is in
        if title in held or not everyone:
            continue
        kind = ("bimtek", "pelatihan", "klinik")[number % 3]
        training = Training(
            title=title,
            kind=kind,
            venue=words.venue,
            capacity=40,
            segment={},
            registration_deadline=starts - timedelta(days=2),
            staff_id=staff.id,
            status="done",
            created_at=starts - timedelta(days=14),
        )
        session = await repos.trainings.add(training, starts, starts + timedelta(hours=4))
        for officer in rng.sample(everyone, min(len(everyone), 30)):
            at = starts - timedelta(days=rng.randint(3, 12))
            await repos.trainings.save_registration(
                TrainingRegistration(
                    training_id=training.id, officer_id=officer.id, status="registered", created_at=at, updated_at=at
                )
            )
            if rng.random() < 0.75:
                await repos.trainings.record_attendance(
                    training.id, session.id, officer.id, starts + timedelta(minutes=rng.randint(0, 40))
                )
