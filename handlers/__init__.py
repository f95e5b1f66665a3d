"""Handlers: one module per thing a user can do, channel-neutral; each exposes its `router`, joined here into one."""

from __future__ import annotations

from bot.chat.routing import Route, Router
from handlers import (
    announcements,
    attention,
    form,
    help,
    office_login,
    onboarding,
    plans,
    rat,
    recap,
    report,
    status,
    trainings,
    workbook,
)

# The order matters where words overlap: the first route whose words match a text wins.
router = Router.joined(
    help.router,
    onboarding.router,
    report.router,
    workbook.router,
    form.router,
    status.router,
    trainings.router,
    announcements.router,
    recap.router,
    rat.router,
    plans.router,
    attention.router,
    office_login.router,
)


def route_for_text(text: str) -> Route | None:
    """The route a typed command or keyword asks for: "/lapor", "lapor", "DAFTAR KODE", "/start KODE"."""
    return router.for_text(text)


__all__ = ["Route", "Router", "route_for_text", "router"]
