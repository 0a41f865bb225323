"""Backups of the database: SQLite by its online backup API, PostgreSQL with pg_dump.

A SQLite backup is taken while the bot runs (the backup API copies a consistent snapshot
even with WAL and other writers), checked with `PRAGMA integrity_check`, and the oldest
copies beyond `keep` are removed. A restore checks the copy first, moves the current file
aside (never deletes it) and puts the copy in its place; the bot must be stopped.
PostgreSQL is dumped with `pg_dump --format=custom` (restored with `pg_restore`); the
password goes through the environment, never on the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_PATTERN = "thidua-*.db"
PG_PATTERN = "thidua-*.dump"


class BackupError(Exception):
    """A backup or restore that could not be done; `key` names the catalog message."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class BackupResult:
    """Where a backup was written, how big it is, and which old copies were removed."""

    path: Path
    size: int
    removed: tuple[Path, ...]


def sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def _check_sqlite(path: Path) -> None:
    """Raise BackupError unless path is a sound SQLite database made by this bot."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError("backup.not_a_database", file=path.name) from exc
    if verdict is None or verdict[0] != "ok":
        raise BackupError("backup.damaged", file=path.name)
    if "alembic_version" not in tables or "persons" not in tables:
        raise BackupError("backup.not_a_database", file=path.name)


def _prune(folder: Path, pattern: str, keep: int) -> tuple[Path, ...]:
    copies = sorted(folder.glob(pattern))
    old = copies[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return tuple(old)


def backup_sqlite(url: str, folder: Path, now: datetime, keep: int = 14) -> BackupResult:
    """Copy the live SQLite database into folder/thidua-<time>.db and check the copy."""
    source = sqlite_file(url)
    if source is None:
        raise BackupError("backup.not_sqlite")
    if not source.exists():
        raise BackupError("backup.no_database", file=str(source))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"thidua-{_stamp(now)}.db"
    partial = target.with_suffix(".db.part")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    _check_sqlite(partial)
    partial.replace(target)
    return BackupResult(target, target.stat().st_size, _prune(folder, SQLITE_PATTERN, keep))


def restore_sqlite(url: str, copy: Path, now: datetime) -> Path:
    """Put a checked backup in place of the database; return where the old file went."""
    target = sqlite_file(url)
    if target is None:
        raise BackupError("backup.not_sqlite")
    if not copy.is_file():
        raise BackupError("backup.no_file", file=str(copy))
    _check_sqlite(copy)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f"{target.name}.before-restore-{_stamp(now)}")
    if target.exists():
        # A checkpoint folds the WAL into the file, so the set-aside copy is complete.
        with sqlite3.connect(target) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.move(str(target), aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(copy, partial)
    partial.replace(target)
    return aside


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """Turn a SQLAlchemy PostgreSQL URL into pg_dump arguments and environment."""
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return [*args, "--dbname", str(parsed.database or "thidua")], env


def backup_postgres(url: str, folder: Path, now: datetime, keep: int = 14) -> BackupResult:
    """Dump a PostgreSQL database with pg_dump (custom format) into folder."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("backup.no_pg_dump")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"thidua-{_stamp(now)}.dump"
    args, env = _libpq(url)
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(target),
                           *args], env={**os.environ, **env}, capture_output=True, check=False)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError("backup.pg_dump_failed", code=done.returncode)
    return BackupResult(target, target.stat().st_size, _prune(folder, PG_PATTERN, keep))
