"""Logging of every `thidua` command: one line per event, quiet when idle, no SQL at INFO.

Libraries that log SQL statements, connection chatter or request URLs (which hold the bot
token) stay at WARNING; with LOG_LEVEL=DEBUG the SQL statements are shown, but never their
parameters (the engine hides them, and a filter drops the parameter lines).
"""

from __future__ import annotations

import logging
import sys

# Libraries whose INFO/DEBUG output is SQL, statement parameters or message contents.
NOISY_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg")
# Libraries that log every HTTP request (with the token in the URL) or Alembic's chatter.
# APScheduler logs every run of every job (each minute's tick, every ten seconds' pump).
CHATTY_LOGGERS = ("httpx", "httpcore", "aiohttp.access", "alembic.runtime.migration",
                  "apscheduler")
# The line SQLAlchemy logs after each statement: its parameters.
_PARAMETER_LINES = ("[%s] %r", "[%s] %s")


class _NoSqlParameters(logging.Filter):
    """Drop the records of SQLAlchemy's engine that carry statement parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg in _PARAMETER_LINES)


_FILTER = _NoSqlParameters()


def quiet_noisy_loggers(level: str = "INFO") -> None:
    """Keep SQL and request logs at WARNING (SQL at INFO only when level is DEBUG)."""
    debug = level.strip().upper() == "DEBUG"
    for name in NOISY_LOGGERS:
        library = logging.getLogger(name)
        floor = logging.INFO if debug and name == "sqlalchemy.engine" else logging.WARNING
        library.setLevel(floor)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine"):
        engine_logger = logging.getLogger(name)
        if _FILTER not in engine_logger.filters:
            engine_logger.addFilter(_FILTER)


def setup_logging(level: str) -> None:
    """Log to stderr at level, libraries quietened (see the module docstring)."""
    logging.basicConfig(stream=sys.stderr, level=level.strip().upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_noisy_loggers(level)
