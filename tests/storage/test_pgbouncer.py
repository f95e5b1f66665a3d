"""kopsehat through PgBouncer in session mode (docs/deploy.md): it starts, writes, reads and keeps JIT off. PgBouncer
refuses a connection that sends a startup parameter it does not know (`jit` was one), so this runs the real
PgBouncer from Debian's package in front of the test PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import URL, make_url

from bot.config import Settings
from bot.runtime import prepare_database
from storage.models import Cooperative
from tests.conftest import IN_CI, require_postgres
from tests.databases import whole_databases

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(direct: URL, name: str, port: int) -> Path:
    """A folder with PgBouncer's settings for database `name` on `port`, readable by nobody (PgBouncer will not
    run as root: as root it is started as nobody)."""
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    (folder / "users.txt").write_text(f'"{direct.username}" "{direct.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n{name} = host={direct.host or '127.0.0.1'} port={direct.port or 5432} dbname={name}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = {'md5' if direct.password else 'trust'}\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = session\ndefault_pool_size = 5\nmax_client_conn = 50\n"
    )
    folder.chmod(0o755)
    for file in folder.iterdir():
        file.chmod(0o644)
    return folder


@pytest.fixture
async def pooled_url() -> AsyncIterator[str]:
    """A database at the current schema, reached through PgBouncer (session mode) on a port of its own."""
    url = require_postgres()
    if not os.access(PGBOUNCER, os.X_OK):
        if IN_CI:
            pytest.fail("pgbouncer is not installed: .ci/run installs Debian's package")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    async with whole_databases(url, 1, upgraded=1) as (database,):
        direct = make_url(database)
        port = _free_port()
        folder = _config(direct, str(direct.database), port)
        as_nobody = ["-u", "nobody"] if os.geteuid() == 0 else []
        bouncer = await asyncio.create_subprocess_exec(
            PGBOUNCER, *as_nobody, str(folder / "pgbouncer.ini"), stderr=asyncio.subprocess.DEVNULL
        )
        try:
            for _ in range(50):  # until PgBouncer listens
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    await asyncio.sleep(0.1)
            yield direct.set(port=port).render_as_string(hide_password=False)
        finally:
            bouncer.terminate()
            await bouncer.wait()
            shutil.rmtree(folder, ignore_errors=True)


async def test_kopsehat_starts_writes_and_reads_through_pgbouncer(pooled_url: str) -> None:
    settings = Settings(_env_file=None, database_url=pooled_url)  # type: ignore[call-arg]
    db = await prepare_database(settings)  # the ping and the schema check, through the pooler
    try:
        async with db.transaction() as repos:
            repos.session.add(Cooperative(name="Koperasi Lewat Pooler", nik="3576000099", type="ksp"))
        async with db.one_statement() as connection:
            await connection.execute(update(Cooperative).values(members=120))
        async with db.reading() as repos:
            found = (await repos.session.scalars(select(Cooperative))).one()
            jit = (await repos.session.execute(text("SHOW jit"))).scalar_one()
        assert (found.name, found.members) == ("Koperasi Lewat Pooler", 120)
        assert jit == "off"  # set on each new connection, not as a startup parameter PgBouncer would refuse
    finally:
        await db.dispose()
