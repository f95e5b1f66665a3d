"""The plain receipts (sent, delivered, read) written as one statement (bot.channels.whatsapp.receipts) do to every row
exactly what the per-receipt ORM path (`apply_statuses`) does, for every starting state, way of finding the row and
order of receipts, repeats included; through the webhook they cost one statement, grouped across webhooks, and a
database that is away is still a 503."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.channels.whatsapp.inbound import StatusUpdate
from bot.channels.whatsapp.receipts import Receipts, plain
from bot.channels.whatsapp.status import CHANNEL, MEDIA_RESENT, RULES, apply_statuses, outbox_id_from_callback
from storage.db import Database
from storage.models import OutboxMessage, utcnow
from storage.repositories import receipts as outbox_receipts
from tests.channels.test_whatsapp_webhook import WaBot, envelope, running_bot, status_event
from tests.channels.test_whatsapp_webhook import bot as bot
from tests.conftest import drop_test_database, make_test_database, require_postgres
from tests.databases import statements_run
from tests.fakes.graph_api import FakeGraphAPI

PLAIN = ("sent", "delivered", "read")
STATES = ("pending", "sending", "sent", "delivered", "read", "failed", "unreachable", "needs_template", "waiting")
RESENT_STATES = ("pending", "sending", "sent", "failed")  # also with a payload waiting to be sent again
# how the receipt finds its row: by our callback data (the row with no platform id, the same, another), by the
# platform's id alone, by it after a callback naming a Telegram row, or not at all
MODES = ("callback", "callback_same", "callback_other", "platform", "foreign_callback", "unknown")
ORDERS = [o for n in (1, 2, 3) for o in itertools.product(PLAIN, repeat=n)]
BEFORE = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
COLUMNS = ("status", "updated_at", "last_error", "provider_message_id", "payload", "attempts", "next_attempt_at")


def _row(key: str, status: str, *, resent: bool, pid: str | None, channel: str = CHANNEL) -> OutboxMessage:
    payload: dict[str, Any] = {"text": "Laporan diterima."} | ({MEDIA_RESENT: "wamid.old"} if resent else {})
    return OutboxMessage(
        dedupe_key=key,
        channel=channel,
        recipient="6281234567890",
        kind="reply",
        payload=payload,
        status=status,
        attempts=1,
        next_attempt_at=BEFORE,
        created_at=BEFORE,
        updated_at=BEFORE,
        last_error="(#131047) Re-engagement message" if status == "failed" else None,
        provider_message_id=pid,
    )


def _updates(row: OutboxMessage, mode: str, order: tuple[str, ...], foreign: int) -> list[StatusUpdate]:
    wamid = f"wamid.nobody.{row.dedupe_key}" if mode == "unknown" else f"wamid.{row.dedupe_key}"
    callback: str | None = f"outbox:{foreign}" if mode == "foreign_callback" else f"outbox:{row.id}"
    if mode in ("platform", "unknown"):
        callback = None
    return [StatusUpdate(wamid, s, BEFORE, callback_data=callback) for s in order]  # type: ignore[arg-type]


def _pid(key: str, mode: str) -> str | None:
    return {"callback": None, "callback_other": f"wamid.other.{key}"}.get(mode, f"wamid.{key}")


def _seen(row: OutboxMessage) -> tuple[Any, ...]:
    """The columns a receipt may change; the twins' own key in a platform id said the same way; of `updated_at`,
    whether it moved (the ORM path's second change to a row after an autoflush leaves `updated_at` to its onupdate,
    the clock of that write, instead of the webhook's `now`: the same instant but for microseconds)."""
    values = {column: getattr(row, column) for column in COLUMNS}
    values["updated_at"] = values["updated_at"] != BEFORE
    if values["provider_message_id"]:
        values["provider_message_id"] = values["provider_message_id"].replace(row.dedupe_key, "KEY")
    return tuple(values.values())


async def test_every_state_way_and_order_ends_as_the_orm_path_does(db: Database) -> None:
    """Each case on two twin rows: the old path on one, the statement on the other; then every column compared."""
    cases = [
        (status, resent, mode, order)
        for status in STATES
        for resent in ((False, True) if status in RESENT_STATES else (False,))
        for mode in MODES
        for order in ORDERS
    ]
    async with db.transaction() as repos:
        telegram = _row("telegram", "sent", resent=False, pid="wamid.t", channel="telegram")
        repos.session.add(telegram)
        twins = []
        for n, (status, resent, mode, _) in enumerate(cases):
            pair = [_row(f"{side}{n}", status, resent=resent, pid=_pid(f"{side}{n}", mode)) for side in ("o", "n")]
            repos.session.add_all(pair)
            twins.append(pair)
        await repos.session.flush()
        ids = [(old.id, new.id) for old, new in twins]
        foreign = telegram.id
    now = datetime(2026, 5, 2, 9, 30, tzinfo=UTC)
    old_updates, new_updates = [], []
    for (old, new), (_, _, mode, order) in zip(twins, cases, strict=True):
        old_updates.extend(_updates(old, mode, order, foreign))
        new_updates.extend(_updates(new, mode, order, foreign))
    async with db.transaction() as repos:
        effects = await apply_statuses(repos, old_updates, now, UTC)
    assert not any(e.fallback_queued or e.unreachable or e.media_failure for e in effects)
    rows = [(outbox_id_from_callback(u.callback_data), u.provider_message_id, u.status) for u in new_updates]
    async with db.one_statement() as connection:
        await outbox_receipts.record_receipts(connection, CHANNEL, rows, now, RULES)
    async with db.transaction() as repos:
        found = {r.id: r for r in (await repos.session.scalars(select(OutboxMessage))).all()}
        seen = [(_seen(found[o]), _seen(found[n])) for o, n in ids]
        assert _seen(found[foreign]) == _seen(telegram)  # a receipt never touches another channel's row
    assert [(case, old, new) for case, (old, new) in zip(cases, seen, strict=True) if old != new] == []
    moved = sum(1 for (old, _) in seen if old[1])
    assert moved > len(cases) // 4, "the cases move rows too, not only leave them"


webhooks = st.lists(
    st.lists(st.tuples(st.integers(0, 2), st.sampled_from(PLAIN), st.booleans()), min_size=1, max_size=4),
    min_size=1,
    max_size=6,
)


async def _interleaved(backend: str, webhooks: list[list[tuple[int, str, bool]]], start: list[str]) -> None:
    """Webhooks on three rows: one at a time through the ORM path on one set, all at once through `Receipts` (grouped,
    in the order submitted) on the twin set; the same rows after."""
    with tempfile.TemporaryDirectory() as tmp:
        db, schema = await make_test_database(backend, Path(tmp))
        try:
            async with db.transaction() as repos:
                sets = [
                    [_row(f"{side}{k}", start[k], resent=False, pid=f"wamid.{side}{k}") for k in range(3)]
                    for side in "on"
                ]
                repos.session.add_all([*sets[0], *sets[1]])
            posts: list[list[list[StatusUpdate]]] = [[], []]
            for hook in webhooks:
                for side, rows in enumerate(sets):
                    posts[side].append(
                        [
                            StatusUpdate(
                                f"wamid.{rows[k].dedupe_key}",
                                s,  # type: ignore[arg-type]
                                BEFORE,
                                callback_data=f"outbox:{rows[k].id}" if cb else None,
                            )
                            for k, s, cb in hook
                        ]
                    )
            for updates in posts[0]:
                async with db.transaction() as repos:
                    await apply_statuses(repos, updates, BEFORE + timedelta(hours=1), UTC)
            receipts = Receipts(db)
            await asyncio.gather(*(receipts.apply(updates) for updates in posts[1]))
            async with db.transaction() as repos:
                found = {r.dedupe_key: r for r in (await repos.session.scalars(select(OutboxMessage))).all()}
            for k in range(3):
                old, new = found[f"o{k}"], found[f"n{k}"]
                assert (old.status, old.last_error, old.updated_at == BEFORE) == (
                    new.status,
                    new.last_error,
                    new.updated_at == BEFORE,
                )
        finally:
            await drop_test_database(db, schema)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    hooks=webhooks, start=st.lists(st.sampled_from(("sending", "sent", "failed", "delivered")), min_size=3, max_size=3)
)
def test_grouped_webhooks_end_as_the_orm_path_one_by_one(backend: str, hooks: Any, start: list[str]) -> None:
    if backend == "postgresql":
        require_postgres()
    asyncio.run(_interleaved(backend, hooks, start))


def test_only_receipts_without_a_failure_are_plain() -> None:
    at = utcnow()
    assert plain([StatusUpdate("w", s, at) for s in PLAIN])  # type: ignore[arg-type]
    assert not plain([StatusUpdate("w", "sent", at), StatusUpdate("w", "failed", at, error_code=131047)])


async def _sent_reply(bot: WaBot) -> tuple[OutboxMessage, str]:
    await bot.say("halo")
    [row, *_] = await bot.rows()
    assert row.status == "sent" and row.provider_message_id
    return row, row.provider_message_id.split(",")[0]


async def test_a_receipt_webhook_is_one_update_and_a_repeat_changes_nothing(bot: WaBot) -> None:
    """Fails on main: there a receipt is a SELECT of the row, then its UPDATE, in a transaction of its own."""
    row, wamid = await _sent_reply(bot)
    payload = envelope(
        bot.fake.phone_number_id, statuses=[status_event(wamid, "delivered", callback=f"outbox:{row.id}")]
    )
    with statements_run(bot.db) as seen:
        assert await bot.post(payload) == 200
    assert [s.split()[0] for s, _ in seen if "outbox" in s] == ["UPDATE"]  # (the scheduler may write beside it)
    [after, *_] = await bot.rows()
    assert (after.status, after.updated_at > row.updated_at) == ("delivered", True)
    assert await bot.post(payload) == 200  # Meta sends it again
    [again, *_] = await bot.rows()
    assert (again.status, again.updated_at) == ("delivered", after.updated_at)
    late = envelope(bot.fake.phone_number_id, statuses=[status_event(wamid, "sent", callback=f"outbox:{row.id}")])
    assert await bot.post(late) == 200
    [last, *_] = await bot.rows()
    assert (last.status, last.updated_at) == ("delivered", after.updated_at)


async def test_receipt_webhooks_arriving_together_are_written_together(bot: WaBot) -> None:
    row, wamid = await _sent_reply(bot)
    posts = [
        envelope(bot.fake.phone_number_id, statuses=[status_event(wamid, name, callback=f"outbox:{row.id}")])
        for name in ("read", "sent", "delivered", "read", "sent", "delivered", "read", "sent")
    ]
    with statements_run(bot.db) as seen:
        assert await asyncio.gather(*(bot.post(p) for p in posts)) == [200] * len(posts)
    ours = [s.split()[0] for s, _ in seen if "outbox" in s]
    assert len(ours) < len(posts) and set(ours) == {"UPDATE"}
    [after, *_] = await bot.rows()
    assert (after.status, after.last_error) == ("read", None)


async def test_a_database_away_is_a_503_so_that_meta_sends_the_receipts_again(
    fake_graph: FakeGraphAPI, tmp_path: Path
) -> None:
    """PostgreSQL on a port nobody listens on (an SQLite file does not go away)."""
    require_postgres()
    unreachable = Database("postgresql+asyncpg://postgres@127.0.0.1:9/test")
    async with running_bot(unreachable, fake_graph, tmp_path) as bot:
        payload = envelope(fake_graph.phone_number_id, statuses=[status_event("wamid.X", "delivered")])
        assert await bot.post(payload) == 503
    await unreachable.dispose()


async def test_a_webhook_whose_receipt_cannot_be_written_fails_alone(bot: WaBot) -> None:
    """A callback id no database integer holds: that webhook is answered as on main (logged, 200: Meta would send it
    again forever), and the receipts written in the same group are written all the same."""
    row, wamid = await _sent_reply(bot)
    bad = envelope(bot.fake.phone_number_id, statuses=[status_event("wamid.Y", "read", callback="outbox:" + "9" * 40)])
    good = envelope(bot.fake.phone_number_id, statuses=[status_event(wamid, "read", callback=f"outbox:{row.id}")])
    assert list(await asyncio.gather(bot.post(bad), bot.post(good))) == [200, 200]
    [after, *_] = await bot.rows()
    assert after.status == "read"
