"""The same books by chat, by the phone form and by a filled workbook store the same revision, on SQLite and
PostgreSQL: figures typed the Indonesian way, each path for a cooperative of its own, through the real dispatcher,
aiohttp's test client and the workbook read in chat."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.health.rules import default_rules
from bot.domain.numbers import parse_amount
from bot.services import Services
from storage.db import Database
from tests.handlers.chat import Clock, User, complete_report, dispatcher, registered
from tests.handlers.test_workbook_chat import send_file
from tests.services.common import ksp_answers
from tests.services.workbook_files import fill
from tests.web.conftest import AiohttpClient
from tests.web.form import PERIOD, Sent, form_app, form_path, form_view, section_fields
from tests.web.test_report_form import cooperative_of
from tests.web.test_report_form import fill as fill_screens

DERIVED = ("total_assets", "gross_surplus", "surplus_before_tax")  # computed on every path, never typed
REASON = "sesuai buku kas"
_niks = itertools.count(3576030001)
_users = itertools.count(1)
BOOKS = {k: Decimal(v) for k, v in ksp_answers().items() if k not in DERIVED and v not in ("ya", "tidak")}
YEARLY = sorted(k for k, v in ksp_answers().items() if v in ("ya", "tidak"))


def typed(amount: Decimal, form: str) -> str:
    """An amount as an officer types it: 1.250.000, Rp 1.250.000, 1,25 jt (when it has no odd thousands), 1250000."""
    whole = int(amount)
    dotted = f"{whole:,}".replace(",", ".")
    if form == "jt" and whole % 1000 == 0:
        millions = (Decimal(whole) / 1_000_000).normalize()
        return f"{millions:f}".replace(".", ",") + " jt"
    return {"rp": f"Rp {dotted}", "plain": str(whole)}.get(form, dotted)


@st.composite
def books(draw: st.DrawFn) -> dict[str, str]:
    """Balanced KSP books, scaled, with money moved between lines of one side, every amount in a form of its own,
    and each management item answered ya or tidak."""
    quarters = draw(st.integers(min_value=1, max_value=40))
    amounts = {k: v * quarters / 4 for k, v in BOOKS.items()}
    to_bank = draw(st.integers(min_value=0, max_value=int(amounts["cash"])))  # assets stay what they were
    to_deposits = draw(st.integers(min_value=0, max_value=int(amounts["voluntary_savings"])))  # so do liabilities
    amounts["cash"] -= to_bank
    amounts["bank"] += to_bank
    amounts["voluntary_savings"] -= to_deposits
    amounts["time_deposits"] += to_deposits
    forms = draw(
        st.lists(st.sampled_from(["dotted", "rp", "jt", "plain"]), min_size=len(amounts), max_size=len(amounts))
    )
    yearly = draw(st.lists(st.sampled_from(["ya", "tidak"]), min_size=len(YEARLY), max_size=len(YEARLY)))
    return {
        **{k: typed(v, f) for (k, v), f in zip(sorted(amounts.items()), forms, strict=True)},
        **dict(zip(YEARLY, yearly, strict=True)),
    }


async def _kirim_in_chat(user: User) -> None:
    """*Kirim* under the summary; open warnings confirmed with a reason."""
    text = await user.press("Kirim")
    if "tulis alasannya" in text:
        text = await user.say(REASON)
    assert "sudah kami terima" in text, text[-800:]


async def _stored(db: Database, cooperative: int) -> tuple[dict[str, str], dict[str, str], list[tuple[str, bool]]]:
    """The latest revision's figures, the cooperative's management answers, the warnings confirmed with it."""
    async with db.transaction() as repos:
        services = Services(repos, default_rules())
        latest = (await services.reports.open(cooperative, PERIOD)).latest
        answers = await services.reports.carried_answers(cooperative)
        report = await repos.reports.get(cooperative, str(PERIOD))
        assert latest is not None and report is not None
        revision = await repos.reports.revision(report.id, report.latest_revision)
        assert revision is not None
    warnings = sorted((w["id"], w["confirmed"]) for w in revision.warnings or [])
    return dict(latest.figures), {k: a.value for k, a in answers.items()}, warnings


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=books())
async def test_chat_form_and_workbook_store_the_same_revision_for_the_same_books(
    db: Database, aiohttp_client: AiohttpClient, values: dict[str, str]
) -> None:
    d = dispatcher(db, Clock())
    by_chat, by_form, by_book = [await registered(db, d, f"u{next(_users)}", nik=str(next(_niks))) for _ in range(3)]

    await complete_report(db, by_chat, values)  # (1) chat: every question answered, then Kirim
    await _kirim_in_chat(by_chat)

    client = await aiohttp_client(form_app(db, d, Sent()))  # (2) the form: each screen saved, then kirim
    path = await form_path(by_form)
    form_cooperative, _ = await cooperative_of(db, by_form.user_id)
    await fill_screens(client, path, section_fields(await form_view(db, form_cooperative), values))
    kirim = [("aksi", "kirim")]
    for warning in (await form_view(db, form_cooperative)).checked.warnings:
        kirim += [("konfirmasi", warning.id), (f"alasan:{warning.id}", REASON)]
    sent = await client.post(path, data=kirim)
    assert sent.status == 200 and "Laporan terkirim" in await sent.text()

    await by_book.send("template")  # (3) the workbook: filled as in Excel, sent back as a document, then Kirim
    [template] = by_book.last
    assert template.attachment is not None
    read = await send_file(by_book, fill(template.attachment.data, values))
    assert "Buku kerja terbaca" in read, read[-800:]
    await _kirim_in_chat(by_book)

    chat, form, book = [
        await _stored(db, (await cooperative_of(db, u.user_id))[0]) for u in (by_chat, by_form, by_book)
    ]
    assert form == chat
    assert book == chat
    figures, management, _ = chat  # and it is what was typed
    assert {k: Decimal(figures[k]) for k in BOOKS} == {k: parse_amount(values[k]) for k in BOOKS}
    assert management == {k: values[k] for k in YEARLY}
