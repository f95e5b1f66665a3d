"""One-time keys of the office's forms that make something (a new training, an announcement): the form carries a
key made when it was opened; the first POST with it makes the thing and stores the key beside what it made, and the
same POST again (a double click, the back button, a retry on a slow network) finds the key and leads to that instead
of making a second one."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

from storage.repositories import Repositories

FIELD = "kunci"  # the form's field
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class KeyTaken(Exception):
    """The key belongs to another staff member's form, or to another kind of form."""


def new_key() -> str:
    """A key for a form being opened."""
    return secrets.token_urlsafe(24)


def well_formed(key: str | None) -> bool:
    return key is not None and _SHAPE.fullmatch(key) is not None


def carried(key: str | None) -> str:
    """The key a form posted, to render into it again (the same form keeps its key while it is previewed), or a new
    key when it brought none."""
    return key if key is not None and well_formed(key) else new_key()


async def earlier(repos: Repositories, key: str, *, staff_id: int, kind: str) -> int | None:
    """The id of what this staff member's form with `key` made before; None when the key is new."""
    found = await repos.submissions.get(key)
    if found is None:
        return None
    if found.staff_id != staff_id or found.kind != kind:
        raise KeyTaken(key)
    return found.target_id


async def once(
    repos: Repositories,
    key: str | None,
    *,
    staff_id: int,
    kind: str,
    at: datetime,
    make: Callable[[], Awaitable[int | None]],
) -> int | None:
    """The id of what the form with `key` makes, made once. The first POST calls `make` (the new thing's id, or None
    when it made nothing: the key stays free); the same form posted again, also while the first is still in its
    transaction, gets the first one's id and makes nothing. None: nothing made (also: a form without a key)."""
    if key is None or not well_formed(key):
        return None
    before = await earlier(repos, key, staff_id=staff_id, kind=kind)
    if before is not None:
        return before
    claimed = await repos.submissions.claim(key, staff_id, kind, at)
    if claimed is None:  # another request brought the same key and has finished meanwhile
        return await earlier(repos, key, staff_id=staff_id, kind=kind)
    made = await make()
    if made is None:
        await repos.submissions.forget(claimed)
    else:
        await repos.submissions.settle(claimed, made)
    return made
