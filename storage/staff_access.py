"""Storage of the office web app's sign-in: staff logins, one-time login links, failed sign-ins, the server key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from storage.models import LoginFailure, OfficeStaff, StaffLoginLink
from storage.repositories import Repositories


async def staff_by_login(repos: Repositories, login: str) -> OfficeStaff | None:
    """The staff member with this login (case-insensitive)."""
    stmt = select(OfficeStaff).where(func.lower(OfficeStaff.login) == login.strip().lower())
    return (await repos.session.scalars(stmt)).first()


async def logins_like(repos: Repositories, prefix: str) -> set[str]:
    """The logins taken that start with `prefix` (to derive a free one)."""
    stmt = select(OfficeStaff.login).where(OfficeStaff.login.like(f"{prefix}%"))
    return {str(login) for login in (await repos.session.scalars(stmt)).all() if login}


async def add_link(repos: Repositories, staff_id: int, token_hash: str, expires_at: datetime) -> None:
    """Store a login link's hash."""
    repos.session.add(StaffLoginLink(staff_id=staff_id, token_hash=token_hash, expires_at=expires_at))
    await repos.session.flush()


async def use_link(repos: Repositories, token_hash: str, now: datetime) -> int | None:
    """Mark the unused, unexpired link with this hash used; its staff id (None: no such link, used or expired).
    One UPDATE: of two requests with the same link at once, one wins."""
    stmt = (
        update(StaffLoginLink)
        .where(
            StaffLoginLink.token_hash == token_hash,
            StaffLoginLink.used_at.is_(None),
            StaffLoginLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(StaffLoginLink.staff_id)
    )
    row = (await repos.session.execute(stmt)).first()
    return None if row is None else int(row[0])


async def record_failure(repos: Repositories, login: str | None, address: str, at: datetime) -> None:
    """Note a failed sign-in."""
    repos.session.add(LoginFailure(login=login, address=address[:64], at=at))
    await repos.session.flush()


async def failures_since(repos: Repositories, login: str | None, address: str, since: datetime) -> tuple[int, int]:
    """Failed sign-ins since `since`: (for this login, from this address)."""
    by_login = select(func.count(LoginFailure.id)).where(LoginFailure.login == login, LoginFailure.at >= since)
    by_address = select(func.count(LoginFailure.id)).where(
        LoginFailure.address == address[:64], LoginFailure.at >= since
    )
    login_count = int(await repos.session.scalar(by_login) or 0) if login else 0
    return login_count, int(await repos.session.scalar(by_address) or 0)


async def prune(repos: Repositories, before: datetime) -> None:
    """Forget failed sign-ins and login links older than `before`."""
    await repos.session.execute(delete(LoginFailure).where(LoginFailure.at < before))
    old_links = or_(StaffLoginLink.expires_at < before, StaffLoginLink.used_at < before)
    await repos.session.execute(delete(StaffLoginLink).where(old_links))
