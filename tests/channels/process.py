"""Run `thidua run` as a subprocess against the local fakes (crash and restart tests)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
CHANNEL_ENV = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE", "TELEGRAM_WEBHOOK_URL",
               "TELEGRAM_WEBHOOK_SECRET", "ZALO_BOT_TOKEN", "ZALO_API_BASE", "ZALO_WEBHOOK_URL",
               "ZALO_WEBHOOK_SECRET")


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(db_url: str, **values: str) -> dict[str, str]:
    """Return the environment of a `thidua run` with only the given channels."""
    env = {key: value for key, value in os.environ.items() if key not in CHANNEL_ENV}
    env.update({"DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", "HEALTH_PORT": "0",
                "ZALO_POLL_TIMEOUT": "1"})
    env.update(values)
    return env


class BotProcess:
    """One `thidua run` subprocess; its stderr goes to a file."""

    def __init__(self, env: Mapping[str, str], log: Path) -> None:
        self.env = dict(env)
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start the process (it may take a while to be ready: poll for readiness)."""
        handle = self.log.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
                stdout=asyncio.subprocess.DEVNULL, stderr=handle)
        finally:
            handle.close()

    async def kill(self) -> None:
        """SIGKILL: no cleanup at all, as a power cut or the OOM killer."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()

    async def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait; return the exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.proc.wait(), timeout=timeout)
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        return int(self.proc.returncode or 0)

    def text(self) -> str:
        """Return what the process logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


async def wait_until(check: Callable[[], bool], timeout: float, what: str,
                     interval: float = 0.05) -> None:
    """Wait until `check()` holds, or fail saying `what` did not happen."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


async def wait_http(url: str, timeout: float = 120.0) -> None:
    """Wait until `url` answers at all (the process is listening)."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def wait_stalled(count: Callable[[], int], above: int, quiet: float = 1.0,
                       timeout: float = 180.0) -> int:
    """Wait until `count()` passed `above` and stopped moving for `quiet` seconds."""
    await wait_until(lambda: count() > above, timeout, f"more than {above} replies")
    last, since = count(), asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - since < quiet:
        await asyncio.sleep(0.05)
        if count() != last:
            last, since = count(), asyncio.get_running_loop().time()
    return last
