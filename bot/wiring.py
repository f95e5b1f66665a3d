"""Building the shared pieces from settings (used by `run` and `chat`)."""

from __future__ import annotations

from bot.chat.context import BotInfo
from bot.chat.render import as_lang
from bot.config import Settings
from bot.delivery.notices import QuietHours
from bot.domain.health.rules import Rules, load_rules


def load_assessment_rules(settings: Settings) -> Rules:
    """The scoring rules: KOPSEHAT_ASSESSMENT_RULES or the packaged file (RulesError names file and entry)."""
    return load_rules(settings.assessment_rules)


def bot_info(settings: Settings, rules: Rules) -> BotInfo:
    """Deployment facts handlers mention."""
    return BotInfo(
        telegram_username=settings.telegram_bot_username,
        whatsapp_number=settings.whatsapp_number,
        office_zone=settings.timezone,
        default_language=as_lang(settings.language),
        rules=rules,
        deadline_day=settings.report_deadline_day,
        office_url=settings.office_url,
        quiet_hours=QuietHours(*settings.quiet_window) if settings.quiet_window else None,
    )
