"""Wiring of the whatsapp channel into `kopsehat run` (webhook/polling, sender, health probe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime import Runtime


def attach_whatsapp(runtime: Runtime) -> None:
    """Register the channel's routes, sender, component and probe on the runtime."""
    from bot.runtime import StartupError

    raise StartupError("the whatsapp channel is not wired into kopsehat run yet")
