"""A fake Telegram Bot API: a real aiohttp server on 127.0.0.1 that PTB talks to through `base_url`.

Use the `fake_telegram` fixture (import it into a conftest) or `async with FakeTelegram() as fake:`.
It checks the token, validates what the real API validates (HTML, lengths, callback_data), records every
call, and can be told to fail: `fail_next(...)`, `block_chat(...)`, `forget_chat(...)`,
`expire_callback(...)`, `revoke_token()` (every call 401 until `restore_token()`), `migrate_chat(...)`,
`forget_file(...)` (a file_id it gave is refused from then on, as Telegram refuses one it no longer knows).
An uploaded photo or document gets file_ids shaped like Telegram's (one per photo size), which sendPhoto and
sendDocument accept instead of an upload; `uploads()` lists the calls that uploaded a file.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import html
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest
from aiohttp import web

DEFAULT_TOKEN = "123456789:TEST-fake_token-AAbbCCdd"
UPLOAD_BODY_LIMIT = 51_000_000  # bots upload documents of up to 50 MB (and photos of up to 10 MB), plus the form

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections", "from_chat_id", "cache_time"}
)
_BOOL_FIELDS = frozenset(
    {"drop_pending_updates", "disable_notification", "show_alert", "protect_content", "has_spoiler"}
)
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "blockquote",
    }
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: invalid request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_BLOCKED = "Forbidden: bot was blocked by the user"
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"
_WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
_FILE_ID_PREFIX = {"photo": "AgACAgIAAxkDAAI", "document": "BQACAgIAAxkDAAI"}  # as Telegram's bot file_ids begin


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class _File:
    """A file Telegram keeps: where getFile finds it, its bytes, and what it was uploaded as."""

    kind: str  # photo | document
    path: str
    data: bytes
    unique_id: str
    name: str | None = None
    mime_type: str | None = None
    size_ids: tuple[str, ...] = ()  # a photo's file_ids, smallest size to largest


@dataclass
class ApiCall:
    """One request the fake received; `status` is the HTTP status it answered (0 while still hanging)."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    status: int = 0
    result: Any = None
    description: str | None = None  # of an error answer


@dataclass
class _Failure:
    method: str | None
    error_code: int
    description: str
    retry_after: int | None
    hang: float | None
    remaining: int
    parameters: dict[str, Any] = field(default_factory=dict)
    skip: int = 0


class ApiError(Exception):
    """Raised by a method handler to answer `{"ok": false, ...}`."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees: HTML parsed the way Telegram does, or ApiError `can't parse entities`."""
    if parse_mode is None:
        return text
    if parse_mode != "HTML":
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} in this fake")
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            tag = _TAG.match(text, i)
            if tag is None or tag.group(2).lower() not in _ALLOWED_TAGS:
                raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag at offset {i}")
            name = tag.group(2).lower()
            if tag.group(1):
                if not stack or stack.pop() != name:
                    raise ApiError(400, f"Bad Request: can't parse entities: Unexpected end tag at {i}")
            else:
                stack.append(name)
            i = tag.end()
        elif ch == "&":
            entity = _ENTITY.match(text, i)
            if entity is None:
                raise ApiError(400, f"Bad Request: can't parse entities: Unsupported entity at offset {i}")
            out.append(html.unescape(entity.group(0)))
            i = entity.end()
        elif ch == ">":
            raise ApiError(400, f"Bad Request: can't parse entities: Unexpected '>' at offset {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to {stack[-1]}")
    return "".join(out)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram:
    """The fake API server; `url` is the base to give the bot (PTB base_url = f"{url}/bot")."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, max_poll_wait: float = 0.5) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.max_poll_wait = max_poll_wait
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.answered_callbacks: list[tuple[str, str | None]] = []
        self.url = ""
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._closing = asyncio.Event()
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._unknown: set[int] = set()
        self._migrated: dict[int, int] = {}
        self.token_revoked = False
        self._expired_callbacks: set[str] = set()
        self._files: dict[str, _File] = {}
        self._message_ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._next_update_id: int | None = None
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
        }

    # -- lifecycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=UPLOAD_BODY_LIMIT)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- control -----------------------------------------------------------------------------------------

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (an update_id is assigned when missing); returns its update_id."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id or 900000001)
        self._next_update_id = max(self._next_update_id or 0, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def fail_next(
        self,
        method: str | None = None,
        *,
        error_code: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        hang: float | None = None,
        times: int = 1,
        parameters: dict[str, Any] | None = None,
        after: int = 0,
    ) -> None:
        """Make `times` calls (of `method`, or any; after `after` good ones) fail with `error_code`, or hang."""
        if retry_after is not None:
            error_code = 429
        default = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}").format(retry_after=retry_after)
        failure = _Failure(method, error_code, description or default, retry_after, hang, times)
        failure.parameters = dict(parameters or {})
        failure.skip = after
        self._failures.append(failure)

    def rate_limit_next(self, retry_after: int, method: str | None = None, times: int = 1) -> None:
        """Answer 429 with `parameters.retry_after` for the next `times` calls."""
        self.fail_next(method, error_code=429, retry_after=retry_after, times=times)

    def hang_next(self, seconds: float, method: str | None = None, times: int = 1) -> None:
        """Sleep `seconds` before answering the next `times` calls (longer than the client's timeout)."""
        self.fail_next(method, hang=seconds, times=times)

    def block_chat(self, chat_id: int | str) -> None:
        """Sends to this chat answer 403 `bot was blocked by the user`."""
        self._blocked.add(int(chat_id))

    def unblock_chat(self, chat_id: int | str) -> None:
        self._blocked.discard(int(chat_id))

    def forget_chat(self, chat_id: int | str) -> None:
        """Sends to this chat answer 400 `chat not found`."""
        self._unknown.add(int(chat_id))

    def migrate_chat(self, chat_id: int | str, new_chat_id: int | str) -> None:
        """The group became a supergroup: calls for `chat_id` answer 400 with `parameters.migrate_to_chat_id`."""
        self._migrated[int(chat_id)] = int(new_chat_id)

    def revoke_token(self) -> None:
        """The token was revoked (BotFather): every call answers 401 Unauthorized until `restore_token()`."""
        self.token_revoked = True

    def restore_token(self) -> None:
        self.token_revoked = False

    def forget_file(self, file_id: str) -> None:
        """Telegram no longer knows this file_id (nor the other sizes of its photo): sends by it answer 400."""
        known = self._files.get(file_id)
        for size_id in known.size_ids if known is not None and known.size_ids else (file_id,):
            self._files.pop(size_id, None)

    def user_document(self, data: bytes, filename: str, mime_type: str) -> dict[str, Any]:
        """A document a user sends: kept as Telegram keeps it (getFile and the download find it); the `document`
        object of the message that carries it."""
        file_id, file = self._keep_file("document", UploadedFile(filename, mime_type, data))
        return {
            "file_id": file_id,
            "file_unique_id": file.unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }

    def expire_callback(self, callback_query_id: str) -> None:
        """answerCallbackQuery for this id answers 400 `query is too old ...`."""
        self._expired_callbacks.add(callback_query_id)

    # -- assertions --------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def uploads(self, method: str | None = None) -> list[ApiCall]:
        """The calls (of `method`, or any) that carried a file upload (multipart), answered or not."""
        return [call for call in self.calls if call.files and method in (None, call.method)]

    def sent_texts(self, chat_id: int | str) -> list[str]:
        """What the user of this chat sees, in order: texts and captions of accepted sends (HTML parsed)."""
        out: list[str] = []
        for call in self.calls:
            if call.status != 200 or call.method not in ("sendMessage", "sendPhoto", "sendDocument"):
                continue
            if str(call.params.get("chat_id")) != str(chat_id):
                continue
            result = call.result if isinstance(call.result, dict) else {}
            out.append(str(result.get("text", result.get("caption", ""))))
        return out

    # -- HTTP --------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = ApiCall(method, params, files)
        self.calls.append(call)
        if request.match_info["token"] != self.token or self.token_revoked:
            return self._answer(call, ApiError(401, "Unauthorized"))
        failure = self._take_failure(method)
        if failure is not None and failure.hang is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.hang)
            if self._closing.is_set():
                return self._answer(call, ApiError(503, "Service Unavailable: fake is shutting down"))
            failure = None
        if failure is not None:
            parameters = dict(failure.parameters)
            if failure.retry_after is not None:
                parameters["retry_after"] = failure.retry_after
            return self._answer(call, ApiError(failure.error_code, failure.description, parameters or None))
        handler = self._methods.get(method)
        if handler is None:
            return self._answer(call, ApiError(404, "Not Found"))
        try:
            self._check_chat(params)
            call.result = await handler(params, files)
        except ApiError as error:
            return self._answer(call, error)
        return self._answer(call, None)

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for file in self._files.values():
            if file.path == request.match_info["path"]:
                return web.Response(body=file.data)
        return web.Response(status=404)

    def _answer(self, call: ApiCall, error: ApiError | None) -> web.Response:
        if error is None:
            call.status = 200
            return web.json_response({"ok": True, "result": call.result})
        call.status, call.description = error.error_code, error.description
        body: dict[str, Any] = {"ok": False, "error_code": error.error_code, "description": error.description}
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.error_code)

    def _take_failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method in (None, method):
                if failure.skip > 0:
                    failure.skip -= 1
                    return None
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _check_chat(self, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return
        if chat_id in self._blocked:
            raise ApiError(403, _BLOCKED)
        if chat_id in self._unknown:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._migrated:
            raise ApiError(400, _UPGRADED, {"migrate_to_chat_id": self._migrated[chat_id]})

    # -- methods -----------------------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Kopsehat",
            "username": "kopsehat_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _new_message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": self._bot_user(),
            "chat": {"id": chat_id, "type": _chat_type(chat_id)},
            "date": int(time.time()),
            **{key: value for key, value in content.items() if value is not None},
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _get_me(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self._bot_user()

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if not str(params.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(params)
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        hook = self.webhook or {}
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "allowed_updates"):
            if key in hook:
                info[key] = hook[key]
        return info

    async def _get_updates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and int(params.get("timeout") or 0) > 0:
            self._new_update.clear()
            wait = min(float(params["timeout"]), self.max_poll_wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), wait)
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]

    async def _send_message(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        text = visible_text(str(params.get("text", "")), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = _check_markup(params.get("reply_markup"))
        return self._new_message(int(params["chat_id"]), text=text, reply_markup=markup)

    async def _edit_message_text(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        text = visible_text(str(params.get("text", "")), params.get("parse_mode"))
        if _utf16_len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        message = self._stored(params)
        markup = _check_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        message["text"] = text
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        return message

    async def _edit_message_reply_markup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        message = self._stored(params)
        markup = _check_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _answer_callback_query(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if not query_id or query_id in self._expired_callbacks:
            raise ApiError(400, _TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answered_callbacks.append((query_id, None if text is None else str(text)))
        return True

    async def _send_photo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        _file_id, photo = self._file_param("photo", params, files)
        sizes = []
        for size_id, side in zip(photo.size_ids, (90, 800), strict=True):
            size = self._files[size_id]
            sizes.append(
                {
                    "file_id": size_id,
                    "file_unique_id": size.unique_id,
                    "width": side,
                    "height": side,
                    "file_size": len(size.data),
                }
            )
        return self._media_message(params, {"photo": sizes})

    async def _send_document(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        file_id, file = self._file_param("document", params, files)
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": file.unique_id, "file_size": len(file.data)}
        if file.name is not None:  # kept from the upload: a document sent again by file_id keeps its name
            document["file_name"] = file.name
        if file.mime_type is not None:
            document["mime_type"] = file.mime_type
        return self._media_message(params, {"document": document})

    def _media_message(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        caption = visible_text(str(params.get("caption", "")), params.get("parse_mode"))
        if _utf16_len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = _check_markup(params.get("reply_markup"))
        return self._new_message(int(params["chat_id"]), caption=caption or None, reply_markup=markup, **content)

    def _file_param(self, kind: str, params: dict[str, Any], files: dict[str, UploadedFile]) -> tuple[str, _File]:
        """The file a send carries: uploaded now (kept under new file_ids), or named by a file_id given before."""
        upload = files.get(kind)
        if upload is None:
            for key, candidate in files.items():
                if params.get(kind) == f"attach://{key}":
                    upload = candidate
        if upload is not None:
            return self._keep_file(kind, upload)
        given = params.get(kind)
        if isinstance(given, str) and given in self._files:
            if self._files[given].kind != kind:
                raise ApiError(400, "Bad Request: type of file mismatch")
            return given, self._files[given]
        if given:
            raise ApiError(400, _WRONG_FILE)
        raise ApiError(400, f"Bad Request: there is no {kind} in the request")

    def _keep_file(self, kind: str, upload: UploadedFile) -> tuple[str, _File]:
        """Keep an upload as Telegram does: a document under one file_id, a photo under one per size (a thumbnail,
        then the picture itself); the file_id and file of the document, or of the photo's largest size."""
        suffix = (upload.filename or "file").rsplit(".", 1)[-1]
        if kind == "document":
            file_id, unique_id = self._new_file_id(kind)
            path = f"documents/file_{unique_id}.{suffix}"
            self._files[file_id] = _File(kind, path, upload.data, unique_id, upload.filename, upload.content_type)
            return file_id, self._files[file_id]
        sizes = [(self._new_file_id(kind), data) for data in (upload.data[:100], upload.data)]
        size_ids = tuple(file_id for (file_id, _), _ in sizes)
        for (file_id, unique_id), data in sizes:
            self._files[file_id] = _File(kind, f"photos/file_{unique_id}.{suffix}", data, unique_id, size_ids=size_ids)
        return size_ids[-1], self._files[size_ids[-1]]

    def _new_file_id(self, kind: str) -> tuple[str, str]:
        """A (file_id, file_unique_id) pair shaped like Telegram's: URL-safe base64, the file_id ~60 characters."""
        number = next(self._file_ids)
        digest = hashlib.sha256(f"{self.bot_id}:{kind}:{number}".encode()).digest()
        body = base64.urlsafe_b64encode(number.to_bytes(4, "big") + digest).decode().rstrip("=")
        return _FILE_ID_PREFIX[kind] + body, "AQAD" + body[-12:]

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = list(commands)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        """("default" | "chat:<id>" | other scope type, language code or "") as kept in `commands`."""
        scope = params.get("scope") or {"type": "default"}
        kind = str(scope.get("type", "default"))
        if kind == "chat":
            self._check_chat({"chat_id": int(scope.get("chat_id", 0))})
            kind = f"chat:{int(scope['chat_id'])}"
        return kind, str(params.get("language_code") or "")

    async def _get_file(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        file = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": file.unique_id,
            "file_size": len(file.data),
            "file_path": file.path,
        }


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def _check_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    return markup


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json()
        return (dict(body) if isinstance(body, dict) else {}), files
    if request.method == "GET":
        form: Any = request.query
    else:
        form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(value.filename, value.content_type, value.file.read())
        else:
            params[key] = _decode_form_value(key, str(value))
    return params, files


def _decode_form_value(key: str, value: str) -> Any:
    """PTB sends form fields with non-string values JSON-encoded; undo that for the fields that need it."""
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if key in _BOOL_FIELDS:
        return value.lower() == "true"
    return value


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Telegram API for one test."""
    async with FakeTelegram() as fake:
        yield fake
