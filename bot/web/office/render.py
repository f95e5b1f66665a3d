"""HTML pages of the office web app: one autoescaping Jinja2 environment; the words in templates/{id,en}/words.j2."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.domain.numbers import format_decimal, format_percent, format_rupiah
from bot.domain.periods import Period, format_date, format_datetime, format_time, to_zone, zone_abbrev
from bot.words.render import Lang, as_lang


def _period(value: str | Period, lang: Lang = "id") -> str:
    return (value if isinstance(value, Period) else Period.parse(value)).label(lang)


def _short_period(value: Period) -> str:
    return f"{value.month:02d}/{value.year % 100:02d}"


def _date(value: date | None, lang: Lang = "id") -> str:
    return format_date(value, lang, weekday=False) if value is not None else "-"


def _moment(value: datetime | None, zone: str, lang: Lang = "id") -> str:
    return format_datetime(value, zone, lang) if value is not None else "-"


def _span(start: datetime, end: datetime, zone: str, lang: Lang = "id") -> str:
    """ "Sabtu, 12 Desember 2026 09.00 WIB – 12.00 WIB" (the end's date too when it is another day)."""
    same_day = start.astimezone(to_zone(zone)).date() == end.astimezone(to_zone(zone)).date()
    return f"{format_datetime(start, zone, lang)} – {(format_time if same_day else format_datetime)(end, zone, lang)}"


def _score(value: Decimal | None, lang: Lang = "id") -> str:
    return format_decimal(Decimal(value), 2, lang) if value is not None else "-"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The environment of the pages; a missing variable is an error, every value is escaped."""
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rupiah"] = lambda v: format_rupiah(Decimal(v))
    env.filters["score"] = _score
    env.filters["percent"] = lambda v, places=0: format_percent(Decimal(v), places)
    env.filters["number"] = lambda v, lang="id": format_decimal(Decimal(v), 0, lang)
    env.filters["period"] = _period
    env.filters["short_period"] = _short_period
    env.filters["date"] = _date
    env.filters["moment"] = _moment
    env.filters["span"] = _span
    env.filters["zone"] = zone_abbrev
    return env


def page(template: str, lang: str, status: int = 200, **values: Any) -> web.Response:
    """A page rendered in `lang`, as HTML."""
    chosen = as_lang(lang)
    words = environment().get_template(f"{chosen}/words.j2").make_module()
    html = environment().get_template(template).render(lang=chosen, w=words, **values)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def words(lang: str) -> Any:
    """The words module of `lang` (for what is not a page: the workbook's headers)."""
    return environment().get_template(f"{as_lang(lang)}/words.j2").make_module()
