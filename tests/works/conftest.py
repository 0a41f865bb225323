"""Fixtures of the channel tests, reused to check that exports reach Telegram as files."""

from __future__ import annotations

from tests.channels.conftest import blocked, core, fake_telegram, make_telegram

__all__ = ["blocked", "core", "fake_telegram", "make_telegram"]
