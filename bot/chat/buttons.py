"""Every button the bot offers: its route, action, arguments (parsed and range-checked) and who may press it.

A pressed button's id is untrusted input, whichever way it came: Telegram callback data (`v1:` and the id), a
WhatsApp interactive reply or template quick-reply id, or an option chosen by typing its number or its words. The
dispatcher reads it here before any handler runs: an id that is not declared below, or whose arguments are out of
range, is answered "tombol ini sudah tidak berlaku"; a button pressed by someone it is not for is refused. Which
records a person may act on (their own cooperative, their kecamatan) is checked again by the services, for every door.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.domain.names import TRAINING_KINDS
from bot.services import segments
from bot.services.clinic_notices import PLAN_ROUTE
from bot.services.cycle import RAT_ROUTE
from bot.services.trainings import ROUTE as TRAININGS

# Who may press a button: anyone; a cooperative's officer or office staff (member); officers only; staff of any role
# (viewers read); staff who change and send (admin, pembina).
Who = Literal["anyone", "member", "officer", "staff", "sender"]
SENDER_ROLES = frozenset({"admin", "pembina"})
ID_MAX = 2**31 - 1  # a record id: what an integer column of both databases holds
Value = int | str
Parse = Callable[[str], Value | None]

_PERIOD = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def record_id(text: str) -> int | None:
    """A record's id: a positive integer a database column holds ("00012" and "+5" are not ids)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10 or text.startswith("0"):
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def period(text: str) -> str | None:
    """A reporting month, YYYY-MM with a month 1-12 in this century."""
    return text if _PERIOD.fullmatch(text) else None


def key(text: str) -> str | None:
    """A short word of the report's form (a question or section key, an option)."""
    return text if _KEY.fullmatch(text) else None


def index_below(limit: int) -> Parse:
    """The number of an offered option, 0 to limit - 1."""

    def parse(text: str) -> int | None:
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 and int(text) < limit else None

    return parse


def one_of(*words: str) -> Parse:
    def parse(text: str) -> str | None:
        return text if text in words else None

    return parse


@dataclass(frozen=True)
class Button:
    """A declared button: `route:action[:argument...]`; `go:<route>` buttons start a route."""

    route: str
    action: str
    who: Who
    args: tuple[Parse, ...] = ()

    def allows(self, *, officer: bool, staff_role: str | None) -> bool:
        """Whether someone who is (or is not) an officer, and staff of this role (or not staff), may press it."""
        if self.who == "anyone":
            return True
        if self.who == "officer":
            return officer
        if self.who == "staff":
            return staff_role is not None
        if self.who == "sender":
            return staff_role in SENDER_ROLES
        return officer or staff_role is not None


@dataclass(frozen=True)
class Press:
    """A pressed button, read: the declaration and its arguments' values."""

    button: Button
    values: tuple[Value, ...] = ()

    @property
    def route(self) -> str:
        return self.button.route

    @property
    def action(self) -> str:
        return self.button.action

    def number(self, position: int = 0) -> int:
        """The argument at `position`, declared as a number."""
        value = self.values[position]
        if not isinstance(value, int):
            raise TypeError(f"argument {position} of {self.route}:{self.action} is not a number")
        return value

    def word(self, position: int = 0) -> str:
        """The argument at `position`, declared as a word."""
        return str(self.values[position])


def _go(route: str, who: Who) -> Button:
    return Button("go", route, who)


_PLAN_CHANGES = ("kelola", "ubah_apa", "ubah_siapa", "ubah_tenggat", "batal", "batal_ya")
_SUGGESTED = len(segments.suggestions("2000-01"))
_REPORT_WORDS = (
    *("yes", "no", "keep", "same", "back", "still", "changed", "submit", "cancel", "skip", "pause", "help"),
    "correct",
)

DECLARED: tuple[Button, ...] = (
    _go("lapor", "officer"),
    _go("status", "officer"),
    _go(RAT_ROUTE, "officer"),
    _go(PLAN_ROUTE, "member"),
    _go("rekap", "staff"),
    _go("bantuan", "anyone"),
    _go("menu", "member"),  # a reminder template's second quick reply
    _go("formulir", "officer"),
    Button("formulir", "open", "officer"),  # the report as a form on the phone (a link where the platform has one)
    Button("bahasa", "id", "anyone"),
    Button("bahasa", "en", "anyone"),
    *(Button("lapor", word, "officer") for word in _REPORT_WORDS),
    *(Button("lapor", word, "officer", (key,)) for word in ("opt", "edit", "item")),
    Button("lapor", "correct", "officer", (period,)),  # the office sent that month's report back
    *(Button(RAT_ROUTE, word, "officer") for word in ("keep", "today", "yesterday", "not_yet")),
    *(Button(TRAININGS, action, "officer", (record_id,)) for action in ("daftar", "tidak", "batal")),
    Button(TRAININGS, "peserta", "staff", (record_id,)),
    Button(TRAININGS, "kode", "sender", (record_id,)),
    Button("pelatihan_baru", "kind", "sender", (one_of(*TRAINING_KINDS),)),
    Button("pelatihan_baru", "seg", "sender", (index_below(_SUGGESTED),)),
    *(Button("pelatihan_baru", word, "sender") for word in ("nodeadline", "save", "cancel")),
    Button("umumkan", "seg", "sender", (index_below(_SUGGESTED),)),
    *(Button("umumkan", word, "sender") for word in ("now", "send", "cancel")),
    Button("umumkan", "status", "sender", (record_id,)),
    Button("rekap", "daftar", "staff", (period,)),
    *(Button("rekap", action, "sender", (period,)) for action in ("ingatkan", "kirim", "batal")),
    Button(PLAN_ROUTE, "selesai", "member", (record_id,)),
    Button(PLAN_ROUTE, "tambah", "sender", (record_id,)),
    *(Button(PLAN_ROUTE, action, "sender", (record_id,)) for action in _PLAN_CHANGES),
)
_BY_NAME = {(b.route, b.action, len(b.args)): b for b in DECLARED}
MAX_ID_BYTES = 48  # what an option id may be (bot.chat.messages.Choice)


def read(button_id: str) -> Press | None:
    """The declared button this id presses, with its arguments; None: not declared, or an argument out of range."""
    if not button_id or len(button_id.encode()) > MAX_ID_BYTES:
        return None
    route, _, rest = button_id.partition(":")
    action, _, tail = rest.partition(":")
    parts = tail.split(":") if tail else []
    button = _BY_NAME.get((route, action, len(parts)))
    if button is None:
        return None
    values = tuple(parse(part) for parse, part in zip(button.args, parts, strict=True))
    if any(value is None for value in values):
        return None
    return Press(button, tuple(v for v in values if v is not None))
