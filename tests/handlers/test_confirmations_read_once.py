"""Issue 17 "work done twice": an announcement's and a new training's confirmation say whom the preview counted from
what was written (the rows of the announcement, the invitations made by the database), without listing the segment's
officers a second time; and a training nobody can receive any more since its preview is still not saved."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select

from storage.db import Database
from storage.models import OutboxMessage, Training
from tests.attack.test_previews_count_who_can_receive import NO_ACCOUNT, UNREACHABLE, city_with_gaps
from tests.handlers.chat import dispatcher
from tests.handlers.test_announcements_chat import staff_user


@contextmanager
def officer_listings(db: Database) -> Iterator[list[str]]:
    """The statements that list officers by name with their cooperative's zone (what resolving a segment reads)
    while the block runs."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "officers.name" in statement and "coalesce(cooperatives.timezone" in statement:
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", note)


async def test_an_announcements_confirmation_says_the_previews_reach_from_the_rows_it_wrote(db: Database) -> None:
    city = await city_with_gaps(db)
    async with db.transaction() as repos:  # said BERHENTI and has no chat account: counted as without an account
        quiet = await repos.officers.add(city.coops["A"], "Bu Diam", "pengawas")
        quiet.announcements_paused = True
    admin = await staff_user(db, dispatcher(db))
    for text in ("umumkan", "Rapat koordinasi koperasi.", "semua"):
        await admin.say(text)
    missed = f"4 pengurus tidak bisa menerimanya sekarang: 2 {NO_ACCOUNT}, 1 {UNREACHABLE}, 1 menghentikan"
    assert f"*3 pengurus* dari 3 koperasi. {missed}" in await admin.say("sekarang")
    with officer_listings(db) as listed:
        sent = await admin.press("Kirim ke 3 orang")
    assert f"sedang dikirim ke 3 pengurus. {missed}" in sent, sent
    assert listed == []  # the segment's officers were not listed again to say so


async def test_a_new_trainings_confirmation_lists_the_segments_officers_once(db: Database) -> None:
    await city_with_gaps(db)
    admin = await staff_user(db, dispatcher(db))
    for text in ("pelatihan_baru", "Klinik Pajak", "klinik", "10-11-2026 09.00", "12.00", "Aula Dinas", "-", "semua"):
        await admin.say(text)
    assert "*3 pengurus* dari 3 koperasi" in await admin.say("-")
    with officer_listings(db) as listed:
        saved = await admin.press("Undang 3 orang")
    assert "Undangan untuk 3 pengurus sedang dikirim" in saved and f"1 {NO_ACCOUNT}, 1 {UNREACHABLE}" in saved, saved
    # the invitations made by the database (INSERT ... SELECT), not a listing read back to say whom they reached
    assert listed and all(s.lstrip().startswith("INSERT INTO outbox") for s in listed), listed


async def test_a_training_nobody_can_receive_since_its_preview_is_not_saved(db: Database) -> None:
    await city_with_gaps(db)
    admin = await staff_user(db, dispatcher(db))
    for text in ("pelatihan_baru", "Klinik Pajak", "klinik", "10-11-2026 09.00", "12.00", "Aula Dinas", "-"):
        await admin.say(text)
    async with db.transaction() as repos:  # B (konsumen): its one officer b1, blocked in city_with_gaps, is back...
        identity = await repos.identities.find("console", "b1")
        assert identity is not None
        identity.reachable, identity.unreachable_reason = True, None
    await admin.say("jenis:konsumen")
    assert "*1 pengurus* dari 1 koperasi" in await admin.say("-")
    async with db.transaction() as repos:  # ... reachable for the preview, blocked again before Undang
        identity = await repos.identities.find("console", "b1")
        assert identity is not None
        identity.reachable, identity.unreachable_reason = False, "blocked by the user"
    refused = await admin.press("Undang 1 orang")
    assert "pelatihan belum bisa dibuat" in refused and f"1 {UNREACHABLE}" in refused, refused
    assert "Siapa yang diundang?" in refused
    async with db.transaction() as repos:
        assert await repos.session.scalar(select(func.count(Training.id))) == 0
        assert (
            await repos.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "training_invite")
            )
            == 0
        )
