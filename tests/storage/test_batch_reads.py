"""A batch's two reads (its senders with its message ids recorded; its reports, locked) find exactly what they are
asked for, for any number of keys: on PostgreSQL the keys are bound as arrays, elsewhere as IN lists."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database
from tests.databases import statements_run

T0 = datetime(2026, 11, 9, 3, 14, tzinfo=UTC)


async def test_senders_are_found_by_either_id_whatever_their_number(db: Database) -> None:
    async with db.transaction() as repos:
        made = await repos.chats.make_many(
            "whatsapp", [("6281100", "ID.11", "Sri"), ("6281200", None, "Budi"), ("6281300", None, None)]
        )
    ids = {sender: row[0].id for sender, row in made.items()}
    batches: list[list[tuple[str, str | None]]] = [
        [("ID.11", None)],
        [("6281200", None), ("ID.11", "6281100"), ("6289999", None)],
        [("6281300", None), ("6281100", None), ("6281200", "ID.12"), ("ID.99", None), ("6281100", "ID.11")],
    ]
    for n, senders in enumerate(batches):
        messages = [("whatsapp", f"m{n}-{k}", s[0], T0) for k, s in enumerate(senders)]
        async with db.transaction() as repos:
            found, fresh = await repos.chats.record_and_load("whatsapp", senders, messages)
        assert fresh == {(c, m) for c, m, _, _ in messages}
        assert {s: row[0].id for s, row in found.items()} == {
            s: ids[known]
            for s in senders
            for known in ids
            if s[0] in (known[0], known[1]) or (s[1] and s[1] in (known[0], known[1]))
        }
        assert all(row[1].handler is None and row[1].progress == {} for row in found.values())
    async with db.transaction() as repos:
        again, fresh = await repos.chats.record_and_load("whatsapp", [("ID.11", None)], [("whatsapp", "m0-0", "x", T0)])
    assert fresh == set() and again[("ID.11", None)][0].id == ids[("6281100", "ID.11")]


async def test_the_reports_locked_are_exactly_the_pairs_asked(db: Database) -> None:
    async with db.transaction() as repos:
        coops = []
        for n in range(3):
            coop, _ = await repos.cooperatives.upsert({"name": f"KSP {n}", "nik": f"35760177{n}", "type": "ksp"})
            coops.append(coop.id)
        await repos.reports.open_many([(c, p) for c in coops for p in ("2026-09", "2026-10")])
    for asked in ([(coops[0], "2026-10")], [(coops[2], "2026-09"), (coops[0], "2026-10"), (coops[1], "2026-10")]):
        async with db.transaction() as repos:
            await repos.reports.lock_many(asked)
            for coop_id in coops:
                for period in ("2026-09", "2026-10"):
                    with statements_run(db) as run:
                        report = await repos.reports.get(coop_id, period, lock=True)
                    assert report is not None and (report.cooperative_id, report.period) == (coop_id, period)
                    # held since `lock_many` (no statement) exactly when asked for
                    assert (len(run) == 0) == ((coop_id, period) in asked), (coop_id, period, asked)
