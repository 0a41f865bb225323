"""No token in any log line, even in tracebacks of library errors (a redirect loop and an
HTML error page from the Telegram fake: aiohttp puts the request URL, with the token, in its
error messages)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

import pytest

from bot.app.observability import install_log_redaction, uninstall_log_redaction
from bot.channels.telegram import TelegramChannel
from tests.channels.conftest import TELEGRAM_TOKEN
from tests.channels.fake_telegram import FakeTelegram

SECRET_PART = TELEGRAM_TOKEN.split(":")[1]


@pytest.fixture
def redaction() -> Iterator[None]:
    install_log_redaction([TELEGRAM_TOKEN, "hook-secret-42"])
    yield
    uninstall_log_redaction()


@pytest.mark.parametrize("outage", ["redirect", "html502"])
async def test_library_errors_are_logged_without_the_token(
    outage: str, redaction: None, make_telegram: Callable[..., TelegramChannel],
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_telegram.outage = outage
    channel = make_telegram()
    await channel.start()
    assert channel.health()["state"] == "down"
    try:
        await channel.bot.get_me()
    except Exception as failure:
        if outage == "redirect":  # the library's own message carries the token...
            assert SECRET_PART in str(failure)
        logging.getLogger("test").exception("call failed: %s", failure)
    logging.getLogger("test").error("url %s", f"{fake_telegram.base_url}/bot{TELEGRAM_TOKEN}/x")
    await asyncio.sleep(0.2)  # the start is retried meanwhile
    await channel.stop()
    text = caplog.text
    assert "call failed" in text and "Traceback" in text
    assert SECRET_PART not in text  # ...but no log line does
    assert "***" in text


def test_every_record_is_redacted_for_handlers_added_later(redaction: None) -> None:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    logger = logging.getLogger("late")
    handler = Keep()
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"boom at /bot{TELEGRAM_TOKEN}/setMyCommands, hook-secret-42")
        except RuntimeError:
            logger.error("failed with %s", "hook-secret-42", exc_info=True)
        logger.warning("quoted %s", SECRET_PART.replace("-", "%2D"))
    finally:
        logger.removeHandler(handler)
    assert lines and all(SECRET_PART not in line and "hook-secret-42" not in line
                         for line in lines)
