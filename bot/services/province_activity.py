"""The province's past activity: trainings of a kecamatan's officers (registered, most of them present) and the
announcements the office sent, written set-based."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.services.demo_city import WORDS_A
from storage import bulk
from storage.repositories import Repositories


async def past_activity(
    repos: Repositories,
    rng: random.Random,
    ids: dict[str, int],
    coops: list[dict[str, Any]],
    officers: list[dict[str, Any]],
    now: datetime,
    texts: Sequence[str],
) -> None:
    """Past trainings of a kecamatan's officers (registered, most of them present) and announcements sent."""
    by_kecamatan: dict[int, list[dict[str, Any]]] = {}
    coop_area = {c["id"]: c["kecamatan_id"] for c in coops}
    for officer in officers:
        by_kecamatan.setdefault(coop_area[officer["cooperative_id"]], []).append(officer)
    areas = sorted(by_kecamatan)
    trainings: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    attendance: list[dict[str, Any]] = []
    for number in range(max(2, len(coops) // 300)):
        training_id = ids["trainings"] + number
        starts = now - timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 6))
        starts = starts.replace(minute=0, second=0, microsecond=0)
        kind = rng.choice(("bimtek", "pelatihan", "klinik"))
        trainings.append(
            {
                "id": training_id,
                "title": f"{kind.title()} {rng.choice(WORDS_A)} {number + 1}",
                "kind": kind,
                "venue": "Aula Dinas Koperasi",
                "capacity": 40,
                "segment": {},
                "registration_deadline": starts - timedelta(days=2),
                "status": "done",
                "created_at": starts - timedelta(days=14),
            }
        )
        session_id = ids["training_sessions"] + number
        sessions.append(
            {"id": session_id, "training_id": training_id, "starts_at": starts, "ends_at": starts + timedelta(hours=4)}
        )
        pool = by_kecamatan[areas[number % len(areas)]]
        for officer in rng.sample(pool, min(len(pool), rng.randint(15, 40))):
            at = starts - timedelta(days=rng.randint(3, 12))
            registrations.append(
                {
                    "id": ids["training_registrations"] + len(registrations),
                    "training_id": training_id,
                    "officer_id": officer["id"],
                    "status": "registered",
                    "position": 0,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if rng.random() < 0.75:
                attendance.append(
                    {
                        "id": ids["attendance"] + len(attendance),
                        "training_id": training_id,
                        "session_id": session_id,
                        "officer_id": officer["id"],
                        "at": starts + timedelta(minutes=rng.randint(0, 40)),
                    }
                )
    announcements = [
        {
            "id": ids["announcements"] + number,
            "text": text,
            "segment": {"spec": "all", "scope_kecamatan_id": None},
            "status": "done",
            "recipients": len(officers),
            "send_at": now - timedelta(days=30 * number + 2),
            "created_at": now - timedelta(days=30 * number + 3),
        }
        for number, text in enumerate(texts)
    ]
    for name, rows in (
        ("trainings", trainings),
        ("training_sessions", sessions),
        ("training_registrations", registrations),
        ("attendance", attendance),
        ("announcements", announcements),
    ):
        await bulk.insert_rows(repos, name, rows)
