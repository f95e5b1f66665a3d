"""The review list at province scale: it opens on the period reported now, with the periods before one click away
and their counts; it counts up to a bound ("Lebih dari ..."); a page continues after the last report shown, so
reports decided meanwhile do not shift the next one. On both databases."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime

import pytest

from bot.domain.health import keys
from bot.services import review
from storage.repositories import QueueFilter
from tests.web.conftest import Office
from tests.web.review_city import submitted_report

NOW = datetime.now(UTC)


def shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-report="(\d+)"', page)]


def counted(page: str) -> dict[str, str]:
    """The periods beside the list and their counts (label: count)."""
    strip = re.search(r'<nav class="periods" id="per-periode".*?</nav>', page, re.S)
    assert strip is not None
    return dict(re.findall(r'<a href="[^"]*"[^>]*>([^<]+?) <span class="count">\(([^<]+)\)</span></a>', strip.group(0)))


def link(page: str, pattern: str) -> str:
    found = re.search(rf'<a (?:id="[^"]*" )?href="(/kantor/laporan\?[^"]*)"[^>]*>{pattern}', page)
    assert found is not None, pattern
    return markup.unescape(found.group(1))


def headline(page: str) -> str:
    found = re.search(r'<strong id="jumlah">([^<]+)</strong>', page)
    assert found is not None
    return found.group(1)


async def waiting_everywhere(office: Office, n: int) -> list[int]:
    """`n` KSPs in Magersari that reported the period reported now and the one before (both waiting): the ids of
    the reports of the period reported now."""
    period = office.city.open_period
    kecamatan = office.city.kecamatan["Magersari"]
    return [(await submitted_report(office.db, kecamatan, f"35760991{i:02d}", period, NOW)).report_id for i in range(n)]


async def test_the_list_opens_on_the_period_reported_now_and_the_periods_before_are_one_click_away(
    office: Office,
) -> None:
    ours = await waiting_everywhere(office, 2)
    now, before = office.city.open_period, office.city.open_period.previous()
    await office.sign_in("ibu.admin")
    page = await (await office.client.get("/kantor/laporan")).text()
    rows = shown(page)
    assert set(ours) <= set(rows) and headline(page) == f"{len(rows)} laporan"
    assert "selected>" + now.label("id") in page  # the period select says which period this is
    counts = counted(page)
    assert list(counts) == [p.label("id") for p in (now, before, before.previous())]
    assert counts[now.label("id")] == str(len(rows))

    earlier = await (await office.client.get(link(page, before.label("id")))).text()
    assert counts[before.label("id")] == str(len(shown(earlier))) and not set(shown(earlier)) & set(rows)
    assert len(shown(earlier)) >= 2 and "selected>Menunggu pemeriksaan" in earlier  # the state chosen is kept
    oldest = await (await office.client.get(link(page, before.previous().label("id")))).text()
    every = await (await office.client.get(link(page, "Semua periode"))).text()
    assert set(rows) | set(shown(earlier)) | set(shown(oldest)) < set(shown(every))  # and older periods
    assert headline(every) == f"{len(shown(every))} laporan"


async def test_the_count_stops_at_its_bound_and_pages_continue_after_the_last_report_shown(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review, "COUNT_BOUND", 5)  # the province's 1,000, at the city's size
    monkeypatch.setattr(review, "QUEUE_LIMIT", 4)
    await waiting_everywhere(office, 2)
    async with office.db.reading() as repos:
        every = await repos.reviews.queue(
            keys.PERDEP, QueueFilter(None, states=("waiting",)), period=str(office.city.open_period)
        )
    assert len(every) > 9  # the city's and ours
    await office.sign_in("ibu.admin")
    first = await (await office.client.get("/kantor/laporan")).text()
    assert headline(first) == "Lebih dari 5 laporan" and len(shown(first)) == 4
    assert counted(first)[office.city.open_period.label("id")] == "5+"
    assert "Ditampilkan 4 laporan pertama" in first
    following = link(first, "Berikutnya")

    seen, page = shown(first), first
    while 'id="berikutnya"' in page:
        page = await (await office.client.get(link(page, "Berikutnya"))).text()
        assert not set(shown(page)) & set(seen) and "Kembali ke awal" in page
        seen += shown(page)
    assert seen == [r.report_id for r in every]  # every waiting report once, in the list's order

    for report_id in shown(first)[:3]:  # decided meanwhile: the next page stays where it was
        path = f"/kantor/laporan/{report_id}"
        form = {"csrf": await office.csrf(path), "revisi": "1"}
        assert (await office.client.post(f"{path}/verifikasi", data=form, allow_redirects=False)).status == 303
    again = await (await office.client.get(following)).text()
    assert shown(again) == seen[4:8]
    start = await (await office.client.get("/kantor/laporan")).text()
    assert shown(start) == [shown(first)[3], *seen[4:7]]

    await office.sign_in("pak.pembina")  # a report of another kecamatan is no place to start a page from
    own = await (await office.client.get("/kantor/laporan")).text()
    elsewhere = next(r.report_id for r in every if r.kecamatan == "Prajurit Kulon")
    assert shown(await (await office.client.get(f"/kantor/laporan?setelah={elsewhere}")).text()) == shown(own)
