"""Approved WhatsApp templates per notice kind, read from KOPSEHAT_WHATSAPP_TEMPLATES (JSON or TOML)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from bot.chat.messages import NoticeKind

NOTICE_KINDS: frozenset[str] = frozenset(get_args(NoticeKind))
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PARAMETER_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SPACES = re.compile(r"\s+")

TemplateParams = Mapping[str, str] | Sequence[str]


class TemplateConfigError(Exception):
    """The templates file is missing or wrong; the message names the file and the entry."""


class TemplateParamsError(ValueError):
    """The values given for a template do not fit its parameters."""


@dataclass(frozen=True)
class TemplateSpec:
    """One approved template: its name and language at Meta, and which named values fill {{1}}..{{n}}.

    `buttons` names the values that become quick-reply payloads, button index 0, 1, ... in order.
    `parameter_format` "named" sends `parameter_name` with each value (templates created with named
    parameters); "positional" fills {{1}}..{{n}} in the order of `parameters`.
    """

    name: str
    language: str
    parameters: tuple[str, ...] = ()
    buttons: tuple[str, ...] = ()
    parameter_format: Literal["positional", "named"] = "positional"

    def values(self, params: TemplateParams) -> tuple[list[str], list[str]]:
        """(body values, button payloads) in order, whitespace normalised as Meta requires."""
        if isinstance(params, Mapping):
            wanted = (*self.parameters, *self.buttons)
            missing = [name for name in wanted if name not in params]
            if missing:
                raise TemplateParamsError(f"template {self.name!r} needs values for {', '.join(missing)}")
            body = [params[name] for name in self.parameters]
            buttons = [params[name] for name in self.buttons]
        else:
            values = list(params)
            expected = len(self.parameters) + len(self.buttons)
            if len(values) != expected:
                raise TemplateParamsError(f"template {self.name!r} takes {expected} values, got {len(values)}")
            body, buttons = values[: len(self.parameters)], values[len(self.parameters) :]
        return [_clean(v) for v in body], [v.strip() for v in buttons]


def _clean(value: str) -> str:
    # Meta rejects newlines, tabs and long runs of spaces in parameters (132018) and empty ones.
    return _SPACES.sub(" ", value).strip() or "-"


def load_templates(path: Path | str) -> dict[str, TemplateSpec]:
    """Read the notice kind -> template mapping; keys starting with "_" are comments."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateConfigError(f"{path}: cannot read WhatsApp templates file: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateConfigError(f"{path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}") from None
    if not isinstance(raw, dict):
        raise TemplateConfigError(f"{path}: expected an object mapping notice kinds to templates")
    specs: dict[str, TemplateSpec] = {}
    for kind, entry in raw.items():
        if kind.startswith("_"):
            continue
        if kind not in NOTICE_KINDS:
            known = ", ".join(sorted(NOTICE_KINDS))
            raise TemplateConfigError(f"{path}: entry {kind!r}: unknown notice kind (known: {known})")
        specs[kind] = _spec(entry, f"{path}: entry {kind!r}")
    return specs


def _spec(entry: Any, where: str) -> TemplateSpec:
    if not isinstance(entry, dict):
        raise TemplateConfigError(f"{where}: expected an object with name, language, parameters")
    unknown = set(entry) - {"name", "language", "parameters", "buttons", "parameter_format"}
    if unknown:
        raise TemplateConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    name = entry.get("name")
    if not isinstance(name, str) or not _TEMPLATE_NAME.match(name):
        raise TemplateConfigError(f"{where}: 'name' must be the template's name (a-z, 0-9, _), got {name!r}")
    language = entry.get("language")
    if not isinstance(language, str) or not re.match(r"^[a-z]{2,3}(_[A-Z]{2})?$", language):
        raise TemplateConfigError(f"{where}: 'language' must be like 'id' or 'en_US', got {language!r}")
    parameters = _names(entry.get("parameters", []), f"{where}: 'parameters'")
    buttons = _names(entry.get("buttons", []), f"{where}: 'buttons'")
    parameter_format = entry.get("parameter_format", "positional")
    if parameter_format not in ("positional", "named"):
        raise TemplateConfigError(f"{where}: 'parameter_format' must be 'positional' or 'named'")
    return TemplateSpec(name, language, parameters, buttons, parameter_format)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and _PARAMETER_NAME.match(v) for v in value):
        raise TemplateConfigError(f'{where} must be a list of value names like "name", "period"')
    if len(set(value)) != len(value):
        raise TemplateConfigError(f"{where} names a value twice")
    return tuple(value)
