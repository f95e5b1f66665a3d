"""The demo city's places and people: its kecamatan, the mix of cooperative types, made-up names, the rows of
its cooperatives, and the months it reports. Every name is made up; every NIK starts with DEMO-."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

KECAMATAN = {
    "Magersari": ["Balongsari", "Gedongan", "Gunung Gedangan", "Kedundung", "Wates", "Magersari"],
    "Prajurit Kulon": ["Blooto", "Mentikan", "Pulorejo", "Prajurit Kulon", "Surodinawan", "Kauman"],
    "Kranggan": ["Kranggan", "Meri", "Sentanan", "Purwotengah", "Jagalan", "Miji"],
}


# the province's mix of types (type, tags, count, has_savings_unit): 43 KSP, 93 konsumen, 21 produsen, 7 pemasaran,
# 1 jasa, 18 KKMP, 7 kopontren
MIX: list[tuple[str, tuple[str, ...], int, bool]] = [
    ("ksp", (), 43, False),
    ("konsumen", (), 93, False),
    ("produsen", (), 21, False),
    ("pemasaran", (), 7, False),
    ("jasa", (), 1, False),
    ("konsumen", ("kkmp",), 18, True),
    ("konsumen", ("kopontren",), 7, True),
]


# the demo city: the seeds' 192 cooperatives, 164 of them KSP or with a savings unit (scored by the official framework,
# so each gets a category) and 28 that have never reported
CITY_MIX: list[tuple[str, tuple[str, ...], int, bool]] = [
    ("ksp", (), 43, False),
    ("konsumen", (), 72, True),
    ("konsumen", (), 21, False),
    ("produsen", (), 15, True),
    ("produsen", (), 6, False),
    ("pemasaran", (), 7, True),
    ("jasa", (), 1, False),
    ("konsumen", ("kkmp",), 18, True),
    ("konsumen", ("kopontren",), 7, True),
    ("konsumen", (), 2, True),
]


# the seeds' city, of those assessed: 19 Sehat, 68 Cukup Sehat, 32 Dalam Pengawasan, 45 Dalam Pengawasan Khusus
SHARES = (("sehat", 19), ("cukup_sehat", 68), ("dalam_pengawasan", 32), ("dalam_pengawasan_khusus", 45))
PREFIX = {
    "ksp": "KSP",
    "konsumen": "Koperasi Konsumen",
    "produsen": "Koperasi Produsen",
    "pemasaran": "Koperasi Pemasaran",
    "jasa": "Koperasi Jasa",
}


WORDS_A = [
    "Maju",
    "Sejahtera",
    "Makmur",
    "Mandiri",
    "Sumber",
    "Karya",
    "Tunas",
    "Mitra",
    "Bina",
    "Harapan",
    "Cahaya",
    "Setia",
    "Rukun",
    "Sentosa",
    "Bakti",
    "Berkah",
    "Amanah",
    "Usaha",
    "Jaya",
    "Sinar",
]


WORDS_B = [
    "Bersama",
    "Abadi",
    "Sentosa",
    "Mulia",
    "Lestari",
    "Rezeki",
    "Utama",
    "Dharma",
    "Tani",
    "Warga",
    "Guyub",
    "Santoso",
    "Barokah",
    "Makmur",
    "Bahagia",
    "Raharjo",
    "Wijaya",
    "Rahayu",
    "Luhur",
    "Pratama",
]


FIRST = [
    "Siti",
    "Budi",
    "Sri",
    "Agus",
    "Dewi",
    "Slamet",
    "Endang",
    "Bambang",
    "Tri",
    "Wahyu",
    "Nur",
    "Eko",
    "Rina",
    "Joko",
    "Yuli",
    "Hadi",
    "Lilik",
    "Sugeng",
    "Ani",
    "Heru",
]


LAST = [
    "Rahayu",
    "Santoso",
    "Wulandari",
    "Prasetyo",
    "Lestari",
    "Hidayat",
    "Susanti",
    "Purnomo",
    "Handayani",
    "Setiawan",
    "Kurniawan",
    "Maryati",
    "Wibowo",
    "Utami",
    "Saputra",
]


def demo_periods(today: date, months: int = 12) -> list[str]:
    """The `months` reporting periods before the one being reported now, oldest first."""
    year, month = today.year, today.month
    periods = []
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        periods.append(f"{year:04d}-{month:02d}")
    return list(reversed(periods))


def _latest_on_or_before(today: date, month: int, day: int) -> date:
    """The last `day`/`month` that is not after `today`."""
    this_year = date(today.year, month, day)
    return this_year if this_year <= today else date(today.year - 1, month, day)


def cooperative_rows(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """The demo city's cooperatives as import rows, their dates around `today` (none of them ahead of it)."""
    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    places = [(kec, kel) for kec, kels in KECAMATAN.items() for kel in kels]
    for type_, tags, count, savings in CITY_MIX:
        for _ in range(count):
            while True:
                core = f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}"
                kecamatan, kelurahan = rng.choice(places)
                if "kkmp" in tags:
                    name = f"Koperasi Kelurahan Merah Putih {kelurahan}"
                elif "kopontren" in tags:
                    name = f"Kopontren {core}"
                else:
                    name = f"{PREFIX[type_]} {core}"
                if name not in names:
                    names.add(name)
                    break
            number = len(rows) + 1
            rat = _latest_on_or_before(today, rng.randint(2, 6), rng.randint(1, 28))
            if rng.random() >= 0.8:
                rat = rat.replace(year=rat.year - 2)  # a RAT more than a year old
            ods = rat + timedelta(days=rng.randint(14, 60))
            rows.append(
                {
                    "name": name,
                    "nik": f"DEMO-{number:04d}",
                    "legal_entity_number": f"AHU-DEMO-{number:05d}",
                    "type": type_,
                    "tags": sorted(tags),
                    "kecamatan": kecamatan,
                    "kelurahan": kelurahan,
                    "timezone": "Asia/Jakarta",
                    "fiscal_year_start_month": 1,
                    "rat_date": rat,
                    "nik_valid_until": today + timedelta(days=rng.randint(-120, 780)),
                    "ods_updated_on": ods if rng.random() < 0.7 and ods <= today else None,
                    "has_savings_unit": savings,
                    "members": rng.randint(20, 1500),
                    "address": None,
                    "is_demo": True,
                }
            )
    return rows
