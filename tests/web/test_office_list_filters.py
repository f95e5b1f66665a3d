"""The list's kelurahan filter offers only the kelurahan of one kecamatan, so the page stays small in a province with
thousands of kelurahan; a kelurahan in the URL still filters, and never past a pembina's kecamatan."""

from __future__ import annotations

import re
from io import BytesIO

from openpyxl import load_workbook

from storage.models import Cooperative, Region
from tests.web.conftest import Office

FIRST = "pilih kecamatan dulu, lalu tekan Terapkan."


def kelurahan_offered(html: str) -> set[str]:
    """The names the kelurahan select offers (its "Semua" left out)."""
    found = re.search(r'<select name="kelurahan">(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', found.group(1))) if found else set()


def selected_kelurahan(html: str) -> str | None:
    found = re.search(r'<select name="kelurahan">.*?<option value="\d+" selected>([^<]+)<', html, re.S)
    return found.group(1) if found else None


async def test_without_a_kecamatan_no_kelurahan_are_offered_and_the_page_says_to_choose_one(office: Office) -> None:
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/koperasi")).text()
    assert "24 koperasi" in html and kelurahan_offered(html) == set() and 'name="kelurahan"' not in html
    assert FIRST in html
    chosen = office.city.kecamatan["Magersari"]
    html = await (await office.client.get(f"/kantor/koperasi?kecamatan={chosen}")).text()
    assert kelurahan_offered(html) == {"Magersari Utara", "Magersari Selatan"} and FIRST not in html
    assert "12 koperasi" in html


async def test_a_kelurahan_in_the_url_without_its_kecamatan_still_filters(office: Office) -> None:
    await office.sign_in("ibu.admin")
    village = office.city.kelurahan["Prajurit Kulon Utara"]
    html = await (await office.client.get(f"/kantor/koperasi?kelurahan={village}")).text()
    assert "6 koperasi" in html and "Koperasi KSP Nomor 01" not in html
    assert kelurahan_offered(html) == {"Prajurit Kulon Utara", "Prajurit Kulon Selatan"}
    assert selected_kelurahan(html) == "Prajurit Kulon Utara"
    book = load_workbook(BytesIO(await (await office.client.get(f"/kantor/koperasi.xlsx?kelurahan={village}")).read()))
    rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
    assert len(rows) == 6 and {r[4] for r in rows} == {"Prajurit Kulon Utara"}
    unknown = await (await office.client.get("/kantor/koperasi?kelurahan=999999")).text()
    assert "0 koperasi" in unknown and FIRST in unknown


async def test_a_pembina_is_offered_their_own_kelurahan_and_never_sees_another_kecamatan(office: Office) -> None:
    await office.sign_in("pak.pembina")
    html = await (await office.client.get("/kantor/koperasi")).text()
    assert kelurahan_offered(html) == {"Magersari Utara", "Magersari Selatan"} and FIRST not in html
    own = office.city.kelurahan["Magersari Utara"]
    assert "6 koperasi" in await (await office.client.get(f"/kantor/koperasi?kelurahan={own}")).text()
    other, other_kecamatan = office.city.kelurahan["Prajurit Kulon Utara"], office.city.kecamatan["Prajurit Kulon"]
    for query in (f"kelurahan={other}", f"kecamatan={other_kecamatan}&kelurahan={other}"):
        html = await (await office.client.get(f"/kantor/koperasi?{query}")).text()
        assert "0 koperasi" in html and "Prajurit Kulon" not in html, query
        assert kelurahan_offered(html) == {"Magersari Utara", "Magersari Selatan"}


async def test_the_list_page_stays_small_in_a_city_with_many_kelurahan(office: Office) -> None:
    """40 more kecamatan of 30 kelurahan each, one cooperative in each kelurahan: 1,224 kelurahan in all."""
    async with office.db.transaction() as repos:
        for k in range(40):
            kecamatan = Region(kind="kecamatan", name=f"Kecamatan Besar {k:02d}")
            repos.session.add(kecamatan)
            await repos.session.flush()
            villages = [
                Region(kind="kelurahan", name=f"Kelurahan Panjang {k:02d}-{v:02d}", parent_id=kecamatan.id)
                for v in range(30)
            ]
            repos.session.add_all(villages)
            await repos.session.flush()
            repos.session.add_all(
                Cooperative(
                    name=f"Koperasi Besar {k:02d}-{v:02d}",
                    nik=f"39{k:04d}{v:04d}",
                    type="konsumen",
                    tags=[],
                    kecamatan_id=kecamatan.id,
                    kelurahan_id=village.id,
                    timezone="Asia/Jakarta",
                )
                for v, village in enumerate(villages)
            )
        last = kecamatan.id
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/koperasi")).text()
    assert "1224 koperasi" in html and kelurahan_offered(html) == set()
    assert len(html.encode()) < 40_000  # 1,224 kelurahan offered took 80 KB more
    chosen = await (await office.client.get(f"/kantor/koperasi?kecamatan={last}")).text()
    assert "30 koperasi" in chosen and len(kelurahan_offered(chosen)) == 30
    assert all(name.startswith("Kelurahan Panjang 39-") for name in kelurahan_offered(chosen))


def offered(html: str, name: str) -> list[str]:
    """The names a select offers (its "Semua" left out)."""
    found = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S)
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', found.group(1)) if found else []


async def a_province(office: Office) -> dict[str, int]:
    """The city's kecamatan in Kota Mojokerto, and Kabupaten Jombang's two kecamatan with two cooperatives each."""
    async with office.db.transaction() as repos:
        kota = await repos.regions.get_or_create("kota", "Kota Mojokerto")
        for kecamatan_id in office.city.kecamatan.values():
            region = await repos.regions.get(kecamatan_id)
            assert region is not None
            region.parent_id = kota.id
        kabupaten = await repos.regions.get_or_create("kabupaten", "Kabupaten Jombang")
        ids = {"Kota Mojokerto": kota.id, "Kabupaten Jombang": kabupaten.id}
        for k, name in enumerate(("Diwek", "Ploso")):
            kecamatan = await repos.regions.get_or_create("kecamatan", name, kabupaten.id)
            ids[name] = kecamatan.id
            for n in range(2):
                await repos.cooperatives.upsert(
                    {
                        "name": f"Koperasi {name} {n}",
                        "nik": f"3517{k}{n:05d}",
                        "type": "konsumen",
                        "kecamatan_id": kecamatan.id,
                    }
                )
    return ids


async def test_in_a_province_the_kabupaten_comes_first_then_only_its_kecamatan(office: Office) -> None:
    await office.sign_in("ibu.admin")
    city = await (await office.client.get("/kantor/koperasi")).text()
    assert 'name="kabupaten"' not in city and offered(city, "kecamatan") == ["Magersari", "Prajurit Kulon"]

    ids = await a_province(office)
    html = await (await office.client.get("/kantor/koperasi")).text()
    assert offered(html, "kabupaten") == ["Kabupaten Jombang", "Kota Mojokerto"]
    assert 'name="kecamatan"' not in html and "Kecamatan: pilih kabupaten/kota dulu, lalu tekan Terapkan." in html
    assert "28 koperasi" in html
    chosen = await (await office.client.get(f"/kantor/koperasi?kabupaten={ids['Kabupaten Jombang']}")).text()
    assert offered(chosen, "kecamatan") == ["Diwek", "Ploso"] and "4 koperasi" in chosen
    assert "Koperasi Diwek 0" in chosen and "Koperasi KSP Nomor 01" not in chosen
    assert f'<option value="{ids["Kabupaten Jombang"]}" selected>' in chosen
    one = await (await office.client.get(f"/kantor/koperasi?kecamatan={ids['Ploso']}")).text()
    assert f'<option value="{ids["Kabupaten Jombang"]}" selected>' in one  # its kabupaten, chosen for it
    assert offered(one, "kecamatan") == ["Diwek", "Ploso"] and "2 koperasi" in one
    workbook = await office.client.get(f"/kantor/koperasi.xlsx?kabupaten={ids['Kota Mojokerto']}")
    rows = list(load_workbook(BytesIO(await workbook.read())).worksheets[0].iter_rows(values_only=True))[1:]
    assert len(rows) == 24

    await office.sign_in("pak.pembina")  # one kecamatan: nothing to choose
    own = await (await office.client.get("/kantor/koperasi")).text()
    assert 'name="kabupaten"' not in own and 'name="kecamatan"' not in own and "12 koperasi" in own
    outside = await (await office.client.get(f"/kantor/koperasi?kabupaten={ids['Kabupaten Jombang']}")).text()
    assert "0 koperasi" in outside


async def test_the_review_list_offers_the_kabupaten_first_too(office: Office) -> None:
    ids = await a_province(office)
    await office.sign_in("ibu.admin")
    html = await (await office.client.get("/kantor/laporan")).text()
    assert offered(html, "kabupaten") == ["Kabupaten Jombang", "Kota Mojokerto"] and 'name="kecamatan"' not in html
    there = await (await office.client.get(f"/kantor/laporan?kabupaten={ids['Kabupaten Jombang']}")).text()
    assert offered(there, "kecamatan") == ["Diwek", "Ploso"] and "0 laporan" in there
    here = await (await office.client.get(f"/kantor/laporan?kabupaten={ids['Kota Mojokerto']}")).text()
    assert "Koperasi KSP Nomor 01" in here and offered(here, "kecamatan") == ["Magersari", "Prajurit Kulon"]
