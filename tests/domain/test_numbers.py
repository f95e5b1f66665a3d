"""Indonesian amounts, integers and yes/no answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.numbers import (
    AmountProblem,
    format_decimal,
    format_percent,
    format_rupiah,
    format_rupiah_short,
    parse_amount,
    parse_integer,
    parse_yes_no,
    to_plain,
)

READ = [
    ("1.250.000", "1250000"),
    ("1.250.000,50", "1250000.50"),
    ("12,3 jt", "12300000"),
    ("12,3jt", "12300000"),
    ("Rp 1,25 jt", "1250000"),
    ("Rp12.300.000,00", "12300000"),
    ("12300000", "12300000"),
    ("250rb", "250000"),
    ("250 ribu", "250000"),
    ("1,2 M", "1200000000"),
    ("2 M", "2000000000"),
    ("1,5 miliar", "1500000000"),
    ("1,5 milyar", "1500000000"),
    ("2 juta", "2000000"),
    ("0", "0"),
    ("-5.000.000", "-5000000"),
    ("1.250", "1250"),
    ("1,5", "1.50"),
    ("12.5 jt", "12500000"),
    ("12.50 jt", "12500000"),
    ("1.250 jt", "1250000000"),
    ("rp 12.300.000", "12300000"),
    ("IDR 12.300.000", "12300000"),
    ("idr12300000", "12300000"),
    ("Rp. 1.000,-", "1000"),
    ("-Rp1.000", "-1000"),
    ("Rp -1.000", "-1000"),
    ("−2 jt", "-2000000"),
    ("+2 jt", "2000000"),
    ("  12 300 000  ", "12300000"),
    ("\u00a01.000\u00a0", "1000"),
    ("50k", "50000"),
    ("12 juta rupiah", "12000000"),
    ("12 JT", "12000000"),
    ("2jt.", "2000000"),
    ("1,234567 jt", "1234567"),
    ("-0", "0"),
    ("1,2345678 jt", "1234567.80"),
    ("1,5 triliun", "1500000000000"),
    ("12,3 million", "12300000"),
]


@pytest.mark.parametrize(("text", "expected"), READ)
def test_reads_the_indonesian_ways(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


REFUSED = [
    ("dua juta", "words"),
    ("satu juta", "words"),
    ("sama", "words"),
    ("12.3.4", "unreadable"),
    ("1,2,3", "unreadable"),
    ("", "empty"),
    ("   ", "empty"),
    ("😀", "words"),
    ("12 😀", "unreadable"),
    ("5" * 5000, "too_long"),
    ("12.5", "ambiguous"),
    ("1,250", "ambiguous"),
    ("1,250,000", "unreadable"),
    ("1,250.00", "unreadable"),
    ("2m", "ambiguous_unit"),
    ("2 m", "ambiguous_unit"),
    ("1,234 ", "ambiguous"),
    ("1,234567891 jt", "too_many_decimals"),
    ("1,555", "ambiguous"),
    ("0,000001 rb", "too_many_decimals"),
    ("12 3", "unreadable"),
    ("1.000.", "unreadable"),
    ("--5", "unreadable"),
    ("-Rp-5", "unreadable"),
    ("12 apel", "words"),
    ("9" * 16, "too_large"),
    ("9.999.999 M", "too_large"),
    ("١٢٣", "words"),
]


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_refuses_with_a_code(text: str, code: str) -> None:
    assert parse_amount(text) == AmountProblem(code)  # type: ignore[arg-type]


def test_storage_form_has_no_exponent() -> None:
    assert to_plain(Decimal("1.2E+9")) == "1200000000"
    assert to_plain(Decimal("1250000.5")) == "1250000.50"
    assert to_plain(Decimal("-0")) == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("12300000", "Rp12.300.000"),
        ("1250000.50", "Rp1.250.000,50"),
        ("1250000.5", "Rp1.250.000,50"),
        ("1250000.00", "Rp1.250.000"),
        ("-1000", "-Rp1.000"),
        ("0", "Rp0"),
        ("999", "Rp999"),
        ("1000", "Rp1.000"),
        ("0.05", "Rp0,05"),
    ],
)
def test_format_rupiah(value: str, text: str) -> None:
    assert format_rupiah(Decimal(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1200000000", "Rp1,2 miliar"),
        ("12300000", "Rp12,3 juta"),
        ("250000", "Rp250 ribu"),
        ("2000000", "Rp2 juta"),
        ("999960000", "Rp1 miliar"),
        ("950000000", "Rp950 juta"),
        ("999", "Rp999"),
        ("-1200000000", "-Rp1,2 miliar"),
        ("1500000000000", "Rp1,5 triliun"),
    ],
)
def test_format_rupiah_short(value: str, text: str) -> None:
    assert format_rupiah_short(Decimal(value)) == text


def test_format_rupiah_short_in_english() -> None:
    assert format_rupiah_short(Decimal("12300000"), "en") == "Rp12,3 million"


def test_format_decimal_and_percent() -> None:
    assert format_decimal(Decimal("72.4")) == "72,40"
    assert format_decimal(Decimal("1234.5")) == "1.234,50"
    assert format_decimal(Decimal("-3.3")) == "-3,30"
    assert format_decimal(Decimal("-0.001")) == "0,00"
    assert format_decimal(Decimal("2.345"), 1) == "2,3"
    assert format_decimal(Decimal("7"), 0) == "7"
    assert format_percent(Decimal("12.5")) == "12,50%"
    assert format_percent(Decimal("12.5"), 1) == "12,5%"


@pytest.mark.parametrize(
    "text", ["ya", "Ya", "y", "iya", "yes", "benar", "Betul", "sudah", "ada", "ya.", "Ya, bu", "OK", "Iya!"]
)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text", ["tidak", "Tidak", "t", "tdk", "no", "bukan", "belum", "nggak", "gak", "tidak ada", "Belum, pak"]
)
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["1", "0", "2", "", "mungkin", "ya tidak", "😀", "ya" * 3000, "a b c d e f"])
def test_neither_yes_nor_no(text: str) -> None:
    assert parse_yes_no(text) is None


def test_parse_integer() -> None:
    assert parse_integer("12") == 12
    assert parse_integer("1.250") == 1250
    assert parse_integer("-3") == -3
    assert parse_integer("1,5") == AmountProblem("not_whole")
    assert parse_integer("2 jt") == AmountProblem("not_whole")
    assert parse_integer("dua") == AmountProblem("words")


@given(st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False, allow_infinity=False))
def test_format_then_parse_round_trips(value: Decimal) -> None:
    assert parse_amount(format_rupiah(value)) == value


@given(st.decimals(min_value=1000, max_value=10**14, places=0, allow_nan=False, allow_infinity=False))
def test_short_format_reads_back_close(value: Decimal) -> None:
    read = parse_amount(format_rupiah_short(value))
    assert isinstance(read, Decimal)
    assert abs(read - value) <= value * Decimal("0.05")


@given(st.text(max_size=200))
def test_parse_never_raises(text: str) -> None:
    result = parse_amount(text)
    assert isinstance(result, Decimal | AmountProblem)
    if isinstance(result, Decimal):
        assert result == result.quantize(Decimal("0.01"))
    parse_integer(text)
    parse_yes_no(text)


@given(st.from_regex(r"[-+ Rrpj.,t0-9MkbuIDiar]{0,30}", fullmatch=True))
def test_parse_never_raises_on_near_misses(text: str) -> None:
    assert isinstance(parse_amount(text), Decimal | AmountProblem)
