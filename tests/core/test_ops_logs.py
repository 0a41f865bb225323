"""Logs of `thidua run` at the default LOG_LEVEL: no SQL, and an idle bot stays quiet."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from bot.app.logs import setup_logging
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo

ROOT = Path(__file__).resolve().parents[2]
TG_TOKEN = "271828182:TG-SECRET-part-AAbbCCddEEffGGhh"
ZALO_TOKEN = "3141592653:zalo-SECRET-part-9f8e7d"
SETTLE_SECONDS = 3
IDLE_SECONDS = 20
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "BEGIN", "PRAGMA")


async def _read_until(stream: asyncio.StreamReader, lines: list[str], marker: str) -> None:
    while True:
        raw = await stream.readline()
        if not raw:
            raise AssertionError("thidua run stopped:\n" + "".join(lines))
        lines.append(raw.decode("utf-8", "replace"))
        if marker in lines[-1]:
            return


async def test_idle_run_writes_almost_nothing_and_no_sql(tmp_path: Path) -> None:
    telegram, zalo = FakeTelegram(TG_TOKEN), FakeZalo(ZALO_TOKEN)
    await telegram.start()
    await zalo.start()
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_WEBHOOK_URL"))}
    env.update({"PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO", "ADMIN_IDS": "",
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
                "TELEGRAM_BOT_TOKEN": TG_TOKEN, "TELEGRAM_API_BASE": telegram.base_url,
                "ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE": zalo.base_url,
                "ZALO_POLL_TIMEOUT": "1"})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        await asyncio.wait_for(_read_until(proc.stderr, lines, "running:"), timeout=120)
        reader = asyncio.create_task(_read_until(proc.stderr, lines, "stopping"))
        await asyncio.sleep(SETTLE_SECONDS)  # the last start-up lines
        started = len(lines)
        await asyncio.sleep(IDLE_SECONDS)  # polling both fakes, nothing to do
        idle = lines[started:]
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(reader, timeout=60)
        rest = await asyncio.wait_for(proc.stderr.read(), timeout=60)
        lines += rest.decode("utf-8", "replace").splitlines(keepends=True)
        assert await asyncio.wait_for(proc.wait(), timeout=60) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
        await telegram.close()
        await zalo.close()
    assert len(idle) <= 4, "".join(idle)
    assert telegram.methods().count("getUpdates") > 10  # it really was polling
    everything = "".join(lines)
    assert not any(word in everything for word in SQL_WORDS), everything
    assert "SECRET-part" not in everything


def test_sql_is_shown_only_at_debug_and_never_its_parameters(caplog: object) -> None:
    from sqlalchemy import create_engine, text

    setup_logging("INFO")
    engine_logger = logging.getLogger("sqlalchemy.engine")
    assert not engine_logger.isEnabledFor(logging.INFO)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.INFO)
    setup_logging("DEBUG")
    try:
        records: list[logging.LogRecord] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        keep = Keep()
        engine_logger.addHandler(keep)
        engine = create_engine("sqlite://")
        with engine.connect() as conn:
            conn.execute(text("SELECT :name"), {"name": "Nguyễn Thị Bí Mật"})
        engine_logger.removeHandler(keep)
        shown = [r.getMessage() for r in records]
        assert any("SELECT ?" in line for line in shown)
        assert not any("Bí Mật" in line for line in shown)
    finally:
        setup_logging("INFO")
