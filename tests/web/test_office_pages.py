"""The office's pages and export show what the database holds, in Indonesian, scoped to the staff member."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from bot.domain.health import keys
from bot.domain.periods import Period
from storage.models import Assessment, Cooperative, Report, ReportRevision
from tests.web.conftest import Office


async def expected_counts(office: Office, kecamatan_id: int | None = None) -> tuple[str, Counter[str], int]:
    """Each cooperative's latest assessment (its latest period, in it the newest) counted in Python from every stored
    row, and the newest period among them: what the list shows per cooperative."""
    async with office.db.reading() as repos:
        coops = {c.id: c for c in (await repos.session.scalars(select(Cooperative))).all()}
        rows = list((await repos.session.scalars(select(Assessment).order_by(Assessment.id))).all())
    inside = {i for i, c in coops.items() if kecamatan_id is None or c.kecamatan_id == kecamatan_id}
    latest: dict[int, Assessment] = {}
    indicative: set[int] = set()
    for a in rows:
        if a.cooperative_id not in inside:
            continue
        if a.framework != keys.PERDEP:
            indicative.add(a.cooperative_id)
        elif a.cooperative_id not in latest or a.period >= latest[a.cooperative_id].period:
            latest[a.cooperative_id] = a
    counts = Counter(str(a.category) for a in latest.values())
    counts["indicative_only"] = len(indicative - set(latest))
    counts["not_assessed"] = len(inside) - len(latest) - counts["indicative_only"]
    return max(a.period for a in rows if a.cooperative_id in inside), counts, len(inside)


def cell(html: str, category: str) -> int:
    found = re.search(rf'data-category="{category}".*?class="num total">(\d+)<', html, re.S)
    assert found is not None, category
    return int(found.group(1))


async def test_the_overview_counts_equal_the_database(office: Office) -> None:
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/")).text()
    period, counts, total = await expected_counts(office)
    for category in ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus"):
        assert cell(html, category) == counts[category], category
    assert cell(html, "indicative_only") == counts["indicative_only"]
    assert cell(html, "not_assessed") == counts["not_assessed"]
    assert re.search(r'id="jumlah">(\d+)<', html).group(1) == str(total)  # type: ignore[union-attr]
    assert f"Kesehatan koperasi saat ini (penilaian s.d. {Period.parse(period).label('id')})" in html
    assert "Dalam Pengawasan Khusus" in html and "<svg" in html and "<script" not in html
    async with office.db.reading() as repos:
        open_period = str(office.city.open_period)
        reported = len((await repos.session.scalars(select(Report.id).where(Report.period == open_period))).all())
    assert f"{reported} dari {total} koperasi sudah melapor" in html


async def test_a_pembina_counts_only_their_kecamatan(office: Office) -> None:
    await office.sign_in("pak.pembina")
    html = await (await office.client.get("/kantor/")).text()
    _, counts, total = await expected_counts(office, office.city.kecamatan["Magersari"])
    assert total == 12
    for category in ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus", "not_assessed"):
        assert cell(html, category) == counts[category], category
    assert "Prajurit Kulon" not in html and "Kecamatan Magersari" in html


async def test_the_list_filters_sorts_and_pages(office: Office) -> None:
    await office.sign_in("ibu.admin")
    ksp = await (await office.client.get("/kantor/koperasi?jenis=ksp")).text()
    assert "6 koperasi" in ksp and "Koperasi KSP Nomor 01" in ksp and "PRODUSEN" not in ksp
    by_nik = await (await office.client.get("/kantor/koperasi?q=3576000017")).text()
    assert "1 koperasi" in by_nik and "Koperasi KSP Nomor 17" in by_nik
    kkmp = await (await office.client.get("/kantor/koperasi?tag=kkmp")).text()
    assert "8 koperasi" in kkmp
    missing = await (await office.client.get("/kantor/koperasi?lapor=missing")).text()
    assert "8 koperasi" in missing and "Belum melapor" in missing
    never = await (await office.client.get("/kantor/koperasi?kategori=none")).text()
    async with office.db.reading() as repos:
        assessed = set(
            (
                await repos.session.scalars(
                    select(Assessment.cooperative_id).where(Assessment.framework == keys.PERDEP)
                )
            ).all()
        )
    assert f"{24 - len(assessed)} koperasi" in never
    scores = re.findall(
        r'class="num">(\d+,\d\d)<br>', await (await office.client.get("/kantor/koperasi?urut=score")).text()
    )
    values = [float(s.replace(",", ".")) for s in scores]
    assert values == sorted(values, reverse=True) and values
    rubbish = await office.client.get("/kantor/koperasi?jenis=<script>&kategori=x&hal=abc&urut=;drop")
    assert rubbish.status == 200 and "24 koperasi" in await rubbish.text()
    assert "<script" not in await rubbish.text()


async def test_the_export_has_the_list_rows(office: Office) -> None:
    await office.sign_in("pak.pembina")
    page = await (await office.client.get("/kantor/koperasi?jenis=ksp")).text()
    response = await office.client.get("/kantor/koperasi.xlsx?jenis=ksp")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(await response.read()))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("NIK", "Nama koperasi", "Jenis") and rows[0][-2] == "Waktu lapor (waktu setempat)"
    assert sheet.freeze_panes == "A2"
    names = [str(r[1]) for r in rows[1:]]
    assert names and all(name in page for name in names) and len(names) == 3  # Magersari's KSP only
    assert all(str(r[0]).startswith("35760") for r in rows[1:])
    scored = [r for r in rows[1:] if r[7] is not None]
    assert scored and all(
        r[8] in ("Sehat", "Cukup Sehat", "Dalam Pengawasan", "Dalam Pengawasan Khusus") for r in scored
    )
    assert sheet.column_dimensions["B"].width == 40


async def test_the_record_shows_identity_officers_reports_and_scores(office: Office) -> None:
    await office.sign_in("ibu.admin")
    nik = office.city.niks["Koperasi KSP Nomor 01"]
    html = await (await office.client.get(f"/kantor/koperasi/{nik}")).text()
    assert "Rekam medis Koperasi KSP Nomor 01" in html
    assert "AHU-0000" in html and "Magersari" in html
    assert "Bu Bendahara 1" in html and "Ya (Telegram)" in html
    assert "Revisi 1" in html and "<polyline" in html and "Perdep 06/2016" in html
    two = await (await office.client.get(f"/kantor/koperasi/{office.city.niks['Koperasi USP Nomor 02']}")).text()
    assert "Belum punya akun chat" in two


async def test_a_cooperative_that_has_not_reported_the_newest_period_keeps_its_category(office: Office) -> None:
    """One cooperative's report of the open period is scored: the others, not yet scored for it, are still counted
    by their last report (as the list shows them), not as 'not assessed'."""
    async with office.db.transaction() as repos:
        coop = (await repos.session.scalars(select(Cooperative).where(Cooperative.type == "ksp"))).first()
        assert coop is not None
        revision = (
            await repos.session.scalars(
                select(ReportRevision.id).join(Report).where(Report.cooperative_id == coop.id).limit(1)
            )
        ).one()
        await repos.assessments.add(
            Assessment(
                cooperative_id=coop.id,
                revision_id=revision,
                period=str(office.city.open_period),
                framework=keys.PERDEP,
                total=Decimal("85.00"),
                category="sehat",
                result={},
                rules_hash="t",
                created_at=datetime.now(UTC),
            )
        )
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/")).text()
    period, counts, _ = await expected_counts(office)
    assert period == str(office.city.open_period)
    assert counts["not_assessed"] < 10  # most were scored the period before
    assert cell(html, "not_assessed") == counts["not_assessed"]
    for category in ("sehat", "cukup_sehat", "dalam_pengawasan", "dalam_pengawasan_khusus"):
        assert cell(html, category) == counts[category], category
        listed = await (await office.client.get(f"/kantor/koperasi?kategori={category}")).text()
        assert f"{counts[category]} koperasi" in listed, category  # the list's count, the same
