"""One Jinja2 environment for every message: templates/<lang>/<file>.j2 hold macros, one per message."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.domain.numbers import format_decimal, format_percent, format_rupiah, format_rupiah_short
from bot.domain.periods import Period, format_date, format_datetime, format_time

Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = ("id", "en")


def as_lang(value: str | None, default: Lang = "id") -> Lang:
    """A supported language code."""
    return "en" if value == "en" else "id" if value == "id" else default


def _period_label(value: str | Period, lang: Lang = "id") -> str:
    period = value if isinstance(value, Period) else Period.parse(value)
    return period.label(lang)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The environment; StrictUndefined makes a missing variable an error, never an empty hole."""
    env = Environment(
        loader=PackageLoader("bot.words", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["rupiah"] = lambda v: format_rupiah(Decimal(v))
    env.filters["rupiah_short"] = lambda v, lang="id": format_rupiah_short(Decimal(v), lang)
    env.filters["decimal"] = lambda v, places=2, lang="id": format_decimal(Decimal(v), places, lang)
    env.filters["percent"] = lambda v, places=2: format_percent(Decimal(v), places)
    env.filters["period"] = _period_label
    env.filters["date"] = lambda v, lang="id": format_date(v.date() if isinstance(v, datetime) else v, lang)
    env.filters["datetime"] = lambda v, tz, lang="id": format_datetime(v, tz, lang)
    env.filters["time"] = lambda v, tz, lang="id": format_time(v, tz, lang)
    return env


_modules: dict[tuple[Lang, str], Any] = {}  # each message file of each language, compiled once per process


def _module(lang: Lang, file: str) -> Any:
    found = _modules.get((lang, file))
    if found is None:
        found = _modules[lang, file] = environment().get_template(f"{lang}/{file}.j2").make_module()
    return found


def preload() -> frozenset[str]:
    """Compile every message file of every language now (at start-up), not on its first use: a file's first message
    otherwise holds the event loop 10-60 ms while Jinja compiles it, in the middle of a province's fan-out. The
    files compiled ("id/trainings")."""
    for name in environment().list_templates(extensions=["j2"]):
        lang, _, file = name.removesuffix(".j2").partition("/")
        _module(as_lang(lang), file)
    return frozenset(f"{lang}/{file}" for lang, file in _modules)


def text(lang: str, message: str, /, **values: Any) -> str:
    """Render `message` ("file.macro") in `lang`, trimmed of blank lines at the ends."""
    file, macro = message.split(".", 1)
    module = _module(as_lang(lang), file)
    rendered = str(getattr(module, macro)(**values))
    return "\n".join(line.rstrip() for line in rendered.strip().splitlines())
