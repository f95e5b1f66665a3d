"""The server's secret key, for keyed hashes and the office web app's session cookies.

KOPSEHAT_SECRET_KEY when it is set (`configure` at start); otherwise a random key made once, on the first start, and
kept in the database (table `server_keys`), so that every process and every restart uses the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from storage.repositories import Repositories

MAIN = "main"
_configured: bytes | None = None


def configure(secret: str | None) -> None:
    """Use KOPSEHAT_SECRET_KEY (None: the key kept in the database)."""
    global _configured
    _configured = secret.encode() if secret else None


async def server_key(repos: Repositories) -> bytes:
    """The key: the configured one, or the one in the database (made now if there is none; needs a writing
    transaction the first time)."""
    if _configured is not None:
        return _configured
    return bytes.fromhex(await repos.server_keys.get_or_create(MAIN, secrets.token_hex(32)))


def keyed_hash(key: bytes, purpose: str, text: str) -> str:
    """HMAC-SHA256 of `text` for one `purpose` (so a hash made for one use is worthless for another), hex."""
    return hmac.new(key, f"kopsehat-{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def derived_key(key: bytes, purpose: str) -> bytes:
    """32 bytes for one `purpose`, derived from the server key (the session cookie's key is not the hash key)."""
    return hmac.new(key, f"kopsehat-key:{purpose}".encode(), hashlib.sha256).digest()
