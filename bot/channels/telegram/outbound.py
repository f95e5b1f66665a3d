"""Reply -> Telegram Bot API calls: the sender, paced, following a chat that moved, reusing uploaded files
(platforms.md §1.4-§1.6; the errors in `errors`, the layout in `layout`)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.channels.media import by_id_or_upload
from bot.channels.telegram.direct import send_text
from bot.channels.telegram.errors import TokenBreaker, classify_error, file_id_refused, redact, retry_after_seconds
from bot.channels.telegram.layout import (
    CALLBACK_ANSWER_LIMIT,
    MESSAGE_LIMIT,
    Step,
    file_id_of,
    inline_keyboard,
    steps_of,
    to_html,
)
from bot.channels.telegram.rate import SendLimiter
from bot.channels.textsplit import utf16_len
from bot.chat.messages import Address, Attachment, Pressed, Reply
from bot.delivery.senders import SendOutcome
from bot.words.attachments import MediaIds, MediaKey

log = logging.getLogger(__name__)
T = TypeVar("T")
ChatMoved = Callable[[int, int], Awaitable[None]]


class TelegramSender:
    """Sends Replies through one PTB Bot; never raises for Telegram errors, returns a SendOutcome.

    A refused token (401) opens `breaker`: sends then answer "auth_failed" at once, without calling Telegram. A group
    that became a supergroup (400 with `migrate_to_chat_id`) gets the send once more at its new id, and `on_moved`
    (old id, new id) is told, to store the new id. With `media`, a stored file is uploaded once and then sent by the
    file_id Telegram gave it (bot.channels.media).
    """

    def __init__(
        self,
        bot: Bot,
        *,
        chunk_interval: float = 1.0,
        remembered_questions: int = 4096,
        limiter: SendLimiter | None = None,
        max_flood_wait: float = 30.0,
        flood_retries: int = 3,
        breaker: TokenBreaker | None = None,
        on_moved: ChatMoved | None = None,
        media: MediaIds | None = None,
    ) -> None:
        """With a `limiter`, every call is paced, and a 429 of at most `max_flood_wait` seconds pauses the
        limiter and retries the same call (at most `flood_retries` times) instead of ending the send."""
        self._bot = bot
        self._chunk_interval = chunk_interval
        self.limiter = limiter
        self._max_flood_wait = max_flood_wait
        self._flood_retries = flood_retries
        self._questions: OrderedDict[tuple[int, int], str] = OrderedDict()
        self._max_questions = remembered_questions
        self.breaker = breaker or TokenBreaker()
        self.on_moved = on_moved
        self.media = media
        self._moved: dict[int, int] = {}  # groups that became supergroups: old chat id -> new (rare, never many)

    def remember_question(
        self, chat_id: int | str, message_id: int | str, text: str, *, overwrite: bool = True
    ) -> None:
        """Keep the text of a message with a keyboard, so a later press can edit it to show the answer."""
        key = (int(chat_id), int(message_id))
        if not overwrite and key in self._questions:
            return
        self._questions[key] = text
        self._questions.move_to_end(key)
        while len(self._questions) > self._max_questions:
            self._questions.popitem(last=False)

    async def send(
        self,
        address: Address,
        reply: Reply,
        *,
        business_initiated: bool = False,
    ) -> SendOutcome:
        """Send `reply`; when it answers a press (`reply.answers`, `reply.confirms`), first mark the question answered.

        Telegram has no 24-hour window, so `business_initiated` changes nothing here.
        """
        try:
            chat_id = int(address.user_id)
        except ValueError:
            return SendOutcome("failed", error=f"not a Telegram chat id: {address.user_id[:40]!r}")
        if self.breaker.is_open:
            return self.breaker.held()
        chat_id = self._moved.get(chat_id, chat_id)
        sent: list[str] = []
        try:
            await self._send_following_moves(chat_id, reply, sent, business_initiated)
        except InvalidToken as exc:
            self.breaker.trip("a send", exc)
            return self.breaker.held(tuple(sent))
        except TelegramError as exc:
            outcome = classify_error(exc)
            log.warning(
                "telegram: send to chat %s stopped after %d message(s): %s (%s)",
                chat_id,
                len(sent),
                outcome.status,
                outcome.error,
            )
            return replace(outcome, provider_message_ids=tuple(sent))
        return SendOutcome("sent", provider_message_ids=tuple(sent))

    async def _send_following_moves(self, chat_id: int, reply: Reply, sent: list[str], bulk: bool) -> None:
        """Mark the question answered, then send; a group that became a supergroup gets it there (once)."""
        moved = False
        if reply.answers is not None and reply.confirms:
            try:
                shown = await self._confirm(chat_id, reply.answers, reply.confirms)
            except ChatMigrated as exc:  # the question stays in the old group: the answer goes in the text
                chat_id, moved, shown = await self._follow(chat_id, exc.new_chat_id), True, False
            if not shown and (reply.text.strip() or reply.attachment is not None):
                reply = replace(reply, text=f"✅ {reply.confirms}\n\n{reply.text}")
        try:
            await self._deliver(chat_id, reply, sent, bulk=bulk)
        except ChatMigrated as exc:
            if moved:
                raise
            await self._deliver(await self._follow(chat_id, exc.new_chat_id), reply, sent, bulk=bulk)

    async def _follow(self, old: int, new: int) -> int:
        """Note that chat `old` is now `new`; storing it may fail (logged): the message goes to `new` anyway."""
        log.info("telegram: group %s became supergroup %s; sending there", old, new)
        try:
            await self.chat_moved(old, new)
        except Exception:
            log.exception("telegram: could not store that chat %s is now %s (a restart finds out again)", old, new)
        return new

    async def chat_moved(self, old: int | str, new: int | str) -> None:
        """Chat `old` is now `new`: sends to `old` go to `new` from now on, and `on_moved` stores it."""
        self._moved[int(old)] = int(new)
        if self.on_moved is not None:
            await self.on_moved(int(old), int(new))

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> bool:
        """Stop the button's spinner (call it for every press, duplicates too); False if Telegram refused."""
        if self.breaker.is_open:
            return False
        try:
            return await self._bot.answer_callback_query(
                callback_query_id, text=text[:CALLBACK_ANSWER_LIMIT] if text else None
            )
        except InvalidToken as exc:
            self.breaker.trip("answerCallbackQuery", exc)
        except BadRequest as exc:
            if "query is too old" in exc.message.lower():
                log.debug("telegram: callback %s answered too late (harmless)", callback_query_id)
            else:
                log.warning("telegram: answerCallbackQuery refused: %s", redact(exc.message))
        except TelegramError as exc:
            log.warning("telegram: answerCallbackQuery failed: %s", redact(exc.message))
        return False

    async def _confirm(self, chat_id: int, pressed: Pressed, confirms: str) -> bool:
        """Edit the question to "<question> ✅ <answer>", no keyboard; False if the answer is not shown.

        The question's words come with the press; if Telegram did not include them, from the keyboards sent lately.
        """
        message_id = int(pressed.message_id)
        # Kept (not popped) after use, so that a retried send edits to the same text again.
        question = pressed.question if pressed.question is not None else self._questions.get((chat_id, message_id))
        edited = f"{question} ✅ {confirms}" if question is not None else None
        if edited is not None and utf16_len(edited) > MESSAGE_LIMIT:
            edited = None
        try:
            if edited is not None:
                shown = edited
                await self._paced(
                    chat_id,
                    False,
                    lambda: self._bot.edit_message_text(
                        to_html(shown), chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
                    ),
                )
            else:
                await self._paced(
                    chat_id,
                    False,
                    lambda: self._bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=None
                    ),
                )
            return edited is not None
        except BadRequest as exc:
            lowered = exc.message.lower()
            if "message is not modified" in lowered:  # e.g. a retry after the edit already went through
                return edited is not None
            if "chat not found" in lowered:
                raise
            log.info("telegram: could not edit message %s in chat %s: %s", message_id, chat_id, redact(exc.message))
        return False

    async def _deliver(self, chat_id: int, reply: Reply, sent: list[str], *, bulk: bool = False) -> None:
        """Send the steps of `reply` that are not in `sent` yet (all of them, unless a send is taken up again)."""
        steps = steps_of(reply)
        markup = inline_keyboard(reply.choices) if reply.choices else None
        for index, step in enumerate(steps):
            if index < len(sent):
                continue
            if index and self._chunk_interval:
                await asyncio.sleep(self._chunk_interval)
            last = index == len(steps) - 1
            call = functools.partial(self._send_step, chat_id, step, markup if last else None)
            message_id = await self._paced(chat_id, bulk, call)
            sent.append(str(message_id))
            if last and markup is not None and step.attachment is None:
                self.remember_question(chat_id, message_id, step.text)

    async def _paced(self, chat_id: int, bulk: bool, call: Callable[[], Awaitable[T]]) -> T:
        """Make one API call in its slot; a short flood-control wait pauses everything, then retries it."""
        if self.limiter is None:
            return await call()
        for attempt in range(self._flood_retries + 1):
            await self.limiter.acquire(chat_id, bulk=bulk)
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.limiter.pause(wait)
                if wait > self._max_flood_wait or attempt >= self._flood_retries:
                    raise
                log.info("telegram: flood control, all sends wait %.0f s, then chat %s is retried", wait, chat_id)
        raise AssertionError("unreachable")

    async def _send_step(self, chat_id: int, step: Step, markup: InlineKeyboardMarkup | None) -> int:
        try:
            return await self._send_once(chat_id, step, markup, escaped=True)
        except BadRequest as exc:
            if "can't parse entities" not in exc.message.lower():
                raise
            log.warning("telegram: HTML refused in chat %s (%s); sending as plain text", chat_id, redact(exc.message))
            return await self._send_once(chat_id, step, markup, escaped=False)

    async def _send_once(self, chat_id: int, step: Step, markup: InlineKeyboardMarkup | None, *, escaped: bool) -> int:
        """One call; the id of the message Telegram made."""
        text = to_html(step.text) if escaped else step.text
        parse_mode = ParseMode.HTML if escaped else None
        attachment = step.attachment
        if attachment is None:
            return await send_text(self._bot, chat_id, text, parse_mode=parse_mode, reply_markup=markup)
        send = functools.partial(
            self._send_file, chat_id, attachment.kind, caption=text or None, parse_mode=parse_mode, reply_markup=markup
        )
        key = self._media_key(attachment)
        if key is None or self.media is None:
            return (await send(InputFile(attachment.data, filename=attachment.filename))).message_id

        async def upload() -> tuple[Message, str | None]:
            message = await send(InputFile(attachment.data, filename=attachment.filename))
            return message, file_id_of(message)

        message = await by_id_or_upload(self.media, key, by_id=send, upload=upload, gone=file_id_refused)
        return message.message_id

    async def _send_file(
        self,
        chat_id: int,
        kind: str,
        file: InputFile | str,
        *,
        caption: str | None,
        parse_mode: str | None,
        reply_markup: InlineKeyboardMarkup | None,
    ) -> Message:
        """sendPhoto or sendDocument, uploading `file` or naming a file_id Telegram gave before."""
        if kind == "photo":
            return await self._bot.send_photo(
                chat_id, file, caption=caption, parse_mode=parse_mode, reply_markup=reply_markup
            )
        return await self._bot.send_document(
            chat_id, file, caption=caption, parse_mode=parse_mode, reply_markup=reply_markup
        )

    def _media_key(self, attachment: Attachment) -> MediaKey | None:
        """A stored file as this bot knows it; a document sent by file_id keeps the name it was uploaded with."""
        if attachment.file_id is None:
            return None
        variant = "photo" if attachment.kind == "photo" else f"document:{attachment.filename[:255]}"
        return MediaKey("telegram", self._bot.token.split(":", 1)[0], attachment.file_id, variant)
