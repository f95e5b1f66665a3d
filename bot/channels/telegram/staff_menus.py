"""The command menu of office staff chats: given at start and when a chat registers as staff, taken away when a
chat no longer is, and moved with a chat that became a supergroup."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.channels.telegram.api import clear_staff_commands, redact, set_staff_commands
from bot.channels.telegram.errors import TokenBreaker
from bot.chat.messages import ChannelName
from storage.db import Database

log = logging.getLogger(__name__)
CHANNEL: ChannelName = "telegram"


class StaffMenus:
    """Which chats this process gave the staff menu, and the calls that give or take it."""

    def __init__(self, bot: Bot, db: Database, breaker: TokenBreaker, commands: tuple[str, ...]) -> None:
        self.bot, self.db, self.breaker, self.commands = bot, db, breaker, commands
        self.given: set[int] = set()  # chats given the staff menu by this process

    async def sync(self) -> None:
        """Every chat linked to office staff gets the staff command menu."""
        try:
            async with self.db.transaction() as repos:
                chats = await repos.identities.staff_external_ids(CHANNEL)
        except Exception:
            log.exception("telegram: could not read the staff chats; their menus are set when they next register")
            return
        for chat in chats:
            await self.set(chat, staff=True)

    async def refresh(self, chat: str) -> None:
        """Give the chat the staff menu if it is linked to office staff now, or take it away if no longer."""
        try:
            async with self.db.transaction() as repos:
                staff = await repos.identities.is_staff_chat(CHANNEL, chat)
        except Exception:
            log.exception("telegram: could not tell whether chat %s is office staff", chat)
            return
        await self.set(chat, staff=staff)

    async def moved(self, old: int, new: int) -> None:
        """Chat `old` is now `new`: a staff menu given to the old one is given to the new one."""
        if old in self.given:
            self.given.discard(old)
            await self.refresh(str(new))

    async def set(self, chat: str, *, staff: bool) -> None:
        try:
            chat_id = int(chat)
        except ValueError:
            return
        if staff == (chat_id in self.given) or self.breaker.is_open:
            return
        try:
            if staff:
                await set_staff_commands(self.bot, chat_id, self.commands)
                self.given.add(chat_id)
            else:
                await clear_staff_commands(self.bot, chat_id)
                self.given.discard(chat_id)
        except InvalidToken as exc:
            self.breaker.trip("setMyCommands", exc)
        except TelegramError as exc:
            log.warning("telegram: the staff menu of chat %s was not changed: %s", chat_id, redact(exc.message)[:200])
