"""thidua backup / restore: a SQLite copy taken while the bot runs brings the data back."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import create_app
from bot.core.config import Settings
from storage.backup import BackupError, backup_postgres, backup_sqlite, restore_sqlite
from storage.people import people_stats

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def _people(url: str) -> int:
    app = create_app(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        await app.start()
        async with app.sessions() as session:
            return (await people_stats(session)).people
    finally:
        await app.close()


async def _add_person(url: str, name: str) -> None:
    app = create_app(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        await app.start()
        await app.role_of("console", name)
    finally:
        await app.close()


async def test_backup_then_restore_brings_back_what_was_there(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
    await _add_person(url, "lan")
    await _add_person(url, "cuong")
    assert await _people(url) == 2

    result = backup_sqlite(url, tmp_path / "backups", NOW)
    assert result.path.exists() and result.size > 0

    await _add_person(url, "minh")  # written after the backup: gone after the restore
    assert await _people(url) == 3

    aside = restore_sqlite(url, result.path, NOW + timedelta(minutes=5))
    assert await _people(url) == 2
    with sqlite3.connect(aside) as conn:  # the replaced file is kept, not deleted
        assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] == 3


async def test_old_backups_beyond_the_limit_are_removed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
    await _add_person(url, "lan")
    made = [backup_sqlite(url, tmp_path / "b", NOW + timedelta(days=i), keep=3)
            for i in range(5)]
    left = sorted(p.name for p in (tmp_path / "b").glob("thidua-*.db"))
    assert left == sorted(r.path.name for r in made[-3:])
    assert len(made[-1].removed) == 1


@pytest.mark.parametrize("content", [b"", b"not a database\x00\x01", b"SQLite format 3\x00"])
def test_a_broken_or_foreign_file_is_never_restored(tmp_path: Path, content: bytes) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
    (tmp_path / "thidua.db").write_bytes(b"")
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    with pytest.raises(BackupError) as caught:
        restore_sqlite(url, bad, NOW)
    assert caught.value.key in {"backup.not_a_database", "backup.damaged"}
    assert (tmp_path / "thidua.db").read_bytes() == b""  # nothing replaced


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'thidua.db'}"
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(BackupError) as caught:
        restore_sqlite(url, other, NOW)
    assert caught.value.key == "backup.not_a_database"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
                    or shutil.which("pg_dump") is None, reason="PostgreSQL with pg_dump only")
async def test_postgres_is_dumped_with_pg_dump(tmp_path: Path) -> None:
    url = os.environ["TEST_DATABASE_URL"]
    app = create_app(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        await app.start()
    finally:
        await app.close()
    result = backup_postgres(url, tmp_path, NOW)
    assert result.size > 0
    assert result.path.read_bytes()[:5] == b"PGDMP"
