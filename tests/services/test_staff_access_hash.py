"""An unknown login is checked against a hash as costly as a staff member's, so that the office's sign-in answers an
unknown login no sooner than a wrong password (the time does not tell which logins exist): the hash kept for it has
the parameters (time, memory, lanes) the staff's passwords are hashed with, and no password matches it."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from bot.services.staff_access import UNKNOWN_LOGIN_HASH


def test_the_unknown_logins_hash_has_the_hashers_parameters() -> None:
    hasher = PasswordHasher()  # as bot.services.staff_access hashes the staff's passwords
    assert not hasher.check_needs_rehash(UNKNOWN_LOGIN_HASH)


@pytest.mark.parametrize("password", ["", "password123", "0" * 32])
def test_no_password_matches_the_unknown_logins_hash(password: str) -> None:
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(UNKNOWN_LOGIN_HASH, password)
