"""A reply laid out as Telegram messages: HTML text within the limits, the inline keyboard, and the steps (texts,
files with captions) one reply takes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, WebAppInfo

from bot.channels.telegram.inbound import encode_callback
from bot.channels.textsplit import split_text
from bot.chat.messages import Attachment, Choice, Reply

TEXT_LIMIT = 4000  # safe budget under Telegram's 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
MESSAGE_LIMIT = 4096
_PAIR_TITLE_MAX = 16  # two buttons share a row when both titles are at most this long
_KEYBOARD_ONLY_TEXT = "Silakan pilih:"
# *word* (the templates' WhatsApp-style emphasis): stars hugging non-space text, not inside a word. The pattern
# begins with the star (what is before it is looked at from there), so the search skips to the stars at once instead
# of trying a look-behind at every character: a quarter of the time on a reply's text.
_EMPHASIS = re.compile(r"\*(?<![\w*]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def _bold(match: re.Match[str]) -> str:
    return f"<b>{match[1]}</b>"  # a function, not a template ("<b>\\1</b>"), which re expands in Python each time


def to_html(text: str) -> str:
    """Plain template text as Telegram HTML: escaped, with *word* shown bold."""
    escaped = html.escape(text, quote=False)
    return _EMPHASIS.sub(_bold, escaped) if "*" in escaped else escaped


def inline_keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    """Buttons in rows: two short titles share a row, a long title gets a row of its own."""
    rows: list[list[InlineKeyboardButton]] = []
    pending: InlineKeyboardButton | None = None
    for choice in choices:
        button = _button(choice)
        if len(choice.title) > _PAIR_TITLE_MAX:
            if pending is not None:
                rows.append([pending])
                pending = None
            rows.append([button])
        elif pending is None:
            pending = button
        else:
            rows.append([pending, button])
            pending = None
    if pending is not None:
        rows.append([pending])
    return InlineKeyboardMarkup(rows)


def _button(choice: Choice) -> InlineKeyboardButton:
    """A callback button; a link button, or a Mini App's (`web_app`, https only) for a choice with a URL."""
    if choice.url is not None and choice.web_app and choice.url.startswith("https://"):
        return InlineKeyboardButton(choice.title, web_app=WebAppInfo(choice.url))
    if choice.url is not None:
        return InlineKeyboardButton(choice.title, url=choice.url)
    return InlineKeyboardButton(choice.title, callback_data=encode_callback(choice.id))


@dataclass(frozen=True)
class Step:
    """One API call of a reply: a text chunk, or the attachment with its caption."""

    text: str
    attachment: Attachment | None = None


def file_id_of(message: Message) -> str | None:
    """The file_id of what `message` carries: the largest size of a photo, or the document."""
    if message.photo:
        return message.photo[-1].file_id
    return message.document.file_id if message.document is not None else None


def steps_of(reply: Reply) -> list[Step]:
    """The calls a reply takes, in order: attachment (short caption), caption overflow, text chunks."""
    steps: list[Step] = []
    if reply.attachment is not None:
        captions = split_text(reply.attachment.caption, CAPTION_LIMIT)
        steps.append(Step(captions[0] if captions else "", reply.attachment))
        steps.extend(Step(chunk) for chunk in split_text("\n\n".join(captions[1:]), TEXT_LIMIT))
    steps.extend(Step(chunk) for chunk in split_text(reply.text, TEXT_LIMIT))
    if not steps and reply.choices:
        steps.append(Step(_KEYBOARD_ONLY_TEXT))
    return steps
