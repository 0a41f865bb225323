"""Logs never carry a secret: every record (message, arguments, traceback) is redacted.

Libraries put secrets in their errors: aiogram and aiohttp embed the request URL, which
holds the bot token (`…/bot123456:AA…/setMyCommands`). `install_log_redaction` hooks the
record factory, so every handler (present or added later, the last-resort one included)
and uncaught exceptions (sys.excepthook) see only redacted text.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from bot.core.config import Settings

MASK = "***"
MIN_SECRET = 6

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()
_installed = False
_base_factory = logging.getLogRecordFactory()
_base_excepthook = sys.excepthook


def secrets_of(settings: Settings) -> list[str]:
    """Return the secret values of the settings: tokens, webhook secrets, database password."""
    found: list[str] = []
    for value in (settings.telegram_bot_token, settings.zalo_bot_token,
                  settings.telegram_webhook_secret, settings.zalo_webhook_secret):
        if value is not None:
            found.append(value.get_secret_value())
    try:
        password = make_url(settings.database_url).password
    except Exception:
        password = None
    if password:
        found.append(str(password))
    return found


def _variants(secret: str) -> set[str]:
    """Return the forms a secret takes in text: raw, URL-quoted, and a token's secret part."""
    forms = {secret, quote(secret, safe=""), quote(secret)}
    _, sep, tail = secret.partition(":")
    if sep and len(tail) >= MIN_SECRET:  # `<bot id>:<secret>`: the id alone is no secret
        forms |= {tail, quote(tail, safe="")}
    return {f for f in forms if len(f) >= MIN_SECRET}


def redact(text: str) -> str:
    """Replace every known secret in `text`."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler to report
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def _redacting_excepthook(kind: type[BaseException], value: BaseException,
                          tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(redact(text))


def install_log_redaction(secrets: Iterable[str]) -> None:
    """Redact `secrets` from every log record and uncaught traceback from now on.

    Call it once logging is set up (calling it again adds secrets). Texts shorter than 6
    characters are ignored (they would mask ordinary words).
    """
    global _secrets, _installed
    with _lock:
        forms = set(_secrets)
        for secret in secrets:
            if secret:
                forms |= _variants(secret)
        # Longest first, so a token is masked whole before its secret part.
        _secrets = tuple(sorted(forms, key=len, reverse=True))
        if not _installed:
            logging.setLogRecordFactory(_redacting_factory)
            sys.excepthook = _redacting_excepthook
            _installed = True


def uninstall_log_redaction() -> None:
    """Forget the secrets and restore the standard record factory (tests)."""
    global _secrets, _installed
    with _lock:
        _secrets = ()
        if _installed:
            logging.setLogRecordFactory(_base_factory)
            sys.excepthook = _base_excepthook
            _installed = False
