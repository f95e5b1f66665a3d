"""Indonesian amounts, integers and yes/no answers: parsing what officers type, and formatting for the chat.

Reading rules for `parse_amount` (money is rupiah, at most 2 decimals; never float):

* Optional sign (``-``, ``+`` or ``−``), optional currency (``Rp``, ``Rp.``, ``rp``, ``IDR``) in either
  order, an amount, an optional unit, an optional ``,-`` ("no sen") at the end; spaces between them are fine.
* Without a unit the dot groups thousands and the comma starts the sen: ``1.250`` is 1250, ``1.250.000,50``
  is 1250000.50, ``1,5`` is 1.5. A dot followed by anything but groups of exactly 3 digits (``12.5``,
  ``12.3.4``), a comma followed by 3 digits (``1,250``: English thousands or three decimals?), more than one
  comma, or a mix like ``1,250.00`` is refused as ``ambiguous``/``unreadable``: the officer is asked again.
* With a unit (``rb``/``ribu``/``k``, ``jt``/``juta``, ``M``/``miliar``/``milyar``) the comma is always
  decimal (``12,3 jt``), and a dot is decimal when 1–2 digits follow it and nothing else (``12.5 jt``); a dot
  followed by groups of 3 digits groups thousands (``1.250 jt`` is 1.25 miliar). Lower-case ``m`` alone is
  refused as ``ambiguous_unit`` (miliar in Indonesian, million in English: a factor of a thousand).
* Digit groups may also be separated by single spaces (``1 250 000``), only in groups of exactly 3.
* Refused with a code (see `AmountProblem`): empty text, more than 64 characters, words instead of digits
  (``dua juta``), a result with more than 2 decimals, more than 15 integer digits.

`parse_yes_no` knows ya/y/iya/yes/benar/betul/sudah/ada/pernah/ok and tidak/t/tdk/no/n/bukan/belum/nggak/gak;
digits are NOT yes/no (``1`` is an option number; the engine maps option numbers, not this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final, Literal

AmountProblemCode = Literal[
    "empty",
    "too_long",
    "words",
    "unreadable",
    "ambiguous",
    "ambiguous_unit",
    "too_many_decimals",
    "too_large",
    "not_whole",
]

MAX_INPUT_LENGTH: Final = 64
MAX_INTEGER_DIGITS: Final = 15
CENT: Final = Decimal("0.01")
ONE: Final = Decimal(1)


@dataclass(frozen=True)
class AmountProblem:
    """Why a text could not be read as an amount; `code` picks the friendly re-ask."""

    code: AmountProblemCode


_UNITS: Final[dict[str, int]] = {
    "rb": 3, "rbu": 3, "ribu": 3, "k": 3, "thousand": 3,
    "jt": 6, "jta": 6, "juta": 6, "million": 6,
    "miliar": 9, "milyar": 9, "mlyr": 9, "mlr": 9, "billion": 9,
    "triliun": 12, "trilyun": 12, "trillion": 12,
}  # fmt: skip

_SHAPE: Final = re.compile(
    r"""^(?P<sign1>[-+−]?)\s*(?:(?:rp|idr)\.?\s*)?(?P<sign2>[-+−]?)\s*
        (?P<number>[0-9][0-9., ]*?)\s*
        (?P<unit>[A-Za-z]+)?\.?\s*(?P<nosen>,\s*-)?(?:\s*rupiah)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_PLAIN: Final = re.compile(r"^[0-9]+$")
_DOT_GROUPS: Final = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")
_SPACE_GROUPS: Final = re.compile(r"^[0-9]{1,3}(?: [0-9]{3})+$")
_SHORT_DOT_DECIMAL: Final = re.compile(r"^[0-9]+\.[0-9]{1,2}$")


def _integer_part(text: str) -> str | None:
    """Digits of an integer written plainly or grouped by dots or single spaces, else None."""
    if _PLAIN.match(text):
        return text
    if _DOT_GROUPS.match(text):
        return text.replace(".", "")
    if _SPACE_GROUPS.match(text):
        return text.replace(" ", "")
    return None


def _read_number(text: str, has_unit: bool) -> Decimal | AmountProblemCode:
    """The number before the unit, by the rules in the module docstring."""
    if text.count(",") > 1:
        return "unreadable"
    if "," in text:
        whole, frac = text.split(",")
        if "." in frac or " " in frac or not frac or not _PLAIN.match(frac):
            return "unreadable"
        if not has_unit and len(frac) == 3:
            return "ambiguous"
        digits = _integer_part(whole)
        if digits is None:
            return "ambiguous" if "." in whole else "unreadable"
        return Decimal(f"{digits}.{frac}")
    if has_unit and _SHORT_DOT_DECIMAL.match(text):
        return Decimal(text)
    digits = _integer_part(text)
    if digits is None:
        return "ambiguous" if _SHORT_DOT_DECIMAL.match(text) else "unreadable"
    return Decimal(digits)


def _unit_exponent(unit: str) -> int | AmountProblemCode:
    if unit == "m":
        return "ambiguous_unit"
    if unit == "M":
        return 9
    exponent = _UNITS.get(unit.lower())
    if exponent is None:
        return "words"
    return exponent


def normalize(value: Decimal) -> Decimal:
    """An amount as a plain Decimal: whole rupiah without exponent, or exactly 2 places when there are sen."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(ONE)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_plain(value: Decimal) -> str:
    """The storage form of an amount: ``"12300000"``, ``"1250000.50"``, ``"-5000"`` (no exponent)."""
    return f"{normalize(value):f}"


def parse_amount(text: str) -> Decimal | AmountProblem:
    """Read an amount as Indonesians type it; never raises (the caller decides about negatives)."""
    raw = text.strip()
    if not raw:
        return AmountProblem("empty")
    if len(raw) > MAX_INPUT_LENGTH:
        return AmountProblem("too_long")
    if not any("0" <= ch <= "9" for ch in raw):
        return AmountProblem("words")
    raw = re.sub(r"\s+", " ", raw)
    if not raw.isascii() and any(ch != "−" for ch in raw if not ch.isascii()):
        return AmountProblem("unreadable")
    match = _SHAPE.match(raw)
    if match is None:
        return AmountProblem("words" if re.search(r"[A-Za-z]{3,}", raw) else "unreadable")
    if match["sign1"] and match["sign2"]:
        return AmountProblem("unreadable")
    unit = match["unit"]
    number_text = match["number"].strip()
    exponent = 0
    if unit is not None:
        found = _unit_exponent(unit)
        if isinstance(found, str):
            return AmountProblem(found)
        exponent = found
        if match["nosen"]:
            return AmountProblem("unreadable")
    if raw.rstrip().endswith(".") and unit is None:
        return AmountProblem("unreadable")
    number = _read_number(number_text, has_unit=unit is not None)
    if isinstance(number, str):
        return AmountProblem(number)
    value = number.scaleb(exponent)
    if (match["sign1"] or match["sign2"]) in ("-", "−"):
        value = -value
    try:
        if value != value.quantize(CENT):
            return AmountProblem("too_many_decimals")
    except InvalidOperation:
        return AmountProblem("too_large")
    if abs(value) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        return AmountProblem("too_large")
    return normalize(value)


def parse_integer(text: str) -> int | AmountProblem:
    """Read a whole number: ``12``, ``1.250``, ``-3``; decimals and units are refused."""
    found = parse_amount(text)
    if isinstance(found, AmountProblem):
        return found
    if found != found.to_integral_value() or re.search(r"[A-Za-z]", text):
        return AmountProblem("not_whole")
    return int(found)


_YES: Final = frozenset(
    {
        "ya",
        "y",
        "iya",
        "iyaa",
        "iye",
        "yes",
        "benar",
        "betul",
        "bener",
        "sudah",
        "sdh",
        "udah",
        "ada",
        "pernah",
        "ok",
        "oke",
        "okay",
        "setuju",
    }
)
_NO: Final = frozenset(
    {
        "tidak",
        "t",
        "tdk",
        "tak",
        "no",
        "n",
        "bukan",
        "bkn",
        "belum",
        "blm",
        "nggak",
        "ngga",
        "gak",
        "ga",
        "enggak",
        "engga",
        "nope",
        "tidak ada",
        "tdk ada",
        "belum ada",
        "blm ada",
        "gak ada",
        "nggak ada",
        "ga ada",
    }
)
_POLITE: Final = re.compile(r"\s+(bu|pak|bapak|ibu|kak|mas|mbak|min)$")


def parse_yes_no(text: str) -> bool | None:
    """``True`` for a yes, ``False`` for a no, ``None`` when the text is neither (digits included)."""
    words = re.sub(r"[^\w\s]", " ", text.lower()).split()
    if not words or len(words) > 4:
        return None
    phrase = _POLITE.sub("", " ".join(words))
    if phrase in _YES:
        return True
    if phrase in _NO:
        return False
    return None


def _group(digits: str) -> str:
    """Thousands grouped by dots: ``"12300000"`` -> ``"12.300.000"``."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def format_decimal(value: Decimal, places: int = 2, lang: str = "id") -> str:
    """Decimal notation rounded half-up: ``72,40``, ``1.234,50``, ``-3,30``; English ``1,234.50`` for lang "en"."""
    exponent = Decimal(1).scaleb(-places)
    rounded = value.quantize(exponent, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    if lang == "en":
        return f"{sign}{int(whole):,}" + (f".{frac}" if places > 0 else "")
    return f"{sign}{_group(whole)}" + (f",{frac}" if places > 0 else "")


def format_percent(value: Decimal, places: int = 2) -> str:
    """A percentage with a comma: ``12,50%``."""
    return f"{format_decimal(value, places)}%"


def format_rupiah(value: Decimal) -> str:
    """``Rp12.300.000``; sen only when there are some (``Rp1.250.000,50``); negative as ``-Rp1.000``."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    sen = "" if frac in ("", "00") else f",{frac}"
    return f"{sign}Rp{_group(whole)}{sen}"


_SHORT_UNITS: Final = (
    (12, "triliun", "trillion"),
    (9, "miliar", "billion"),
    (6, "juta", "million"),
    (3, "ribu", "thousand"),
)


def format_rupiah_short(value: Decimal, lang: str = "id") -> str:
    """A large amount in words, one decimal at most: ``Rp1,2 miliar``, ``Rp12,3 juta``, ``Rp250 ribu``."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    for index, (exponent, word_id, word_en) in enumerate(_SHORT_UNITS):
        if magnitude < Decimal(10) ** exponent:
            continue
        scaled = magnitude.scaleb(-exponent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if scaled >= 1000 and index > 0:
            exponent, word_id, word_en = _SHORT_UNITS[index - 1]
            scaled = Decimal(1)
        text = format_decimal(scaled, 1).removesuffix(",0")
        return f"{sign}Rp{text} {word_id if lang == 'id' else word_en}"
    return format_rupiah(value)
