"""One bot process per SQLite file: an exclusive lock file beside the database.

`thidua run` holds `<database>.lock` (fcntl.flock) for its whole life; a second `thidua run`
on the same file, or a restore, is refused at once. The operating system releases the lock
when the process ends, even after a crash or SIGKILL, so a stale lock file never blocks.
PostgreSQL serves several processes and takes no lock.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from storage.backup import sqlite_file


class DatabaseBusy(Exception):
    """Another process holds the database."""


class DatabaseLock:
    """A held lock; `release()` (or the end of the process) lets others in."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        """Release the lock (the file stays: removing it would race with a new holder)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def lock_path(url: str) -> Path | None:
    """Return the lock file of a SQLite database URL (None: no lock needed)."""
    database = sqlite_file(url)
    return None if database is None else database.with_name(database.name + ".lock")


def hold_database(url: str) -> DatabaseLock | None:
    """Take the database's exclusive lock or raise DatabaseBusy; None for PostgreSQL."""
    path = lock_path(url)
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise DatabaseBusy(str(path)) from exc
    return DatabaseLock(path, fd)
