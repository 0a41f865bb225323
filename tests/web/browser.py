"""A headless Debian chromium driven through chromedriver's WebDriver HTTP API (no extra
package): open a page, fill a file input, click, read the text, wait for a download."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def require_browser() -> tuple[str, str]:
    """Return chromium and chromedriver, or skip (fail when THIDUA_REQUIRE_BROWSER=1)."""
    if CHROMIUM and CHROMEDRIVER:
        return CHROMIUM, CHROMEDRIVER
    reason = ("chromium/chromedriver not installed (apt-get install -y chromium "
              "chromium-driver)")
    if os.environ.get("THIDUA_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " but THIDUA_REQUIRE_BROWSER=1")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One WebDriver session on a headless chromium."""

    def __init__(self, http: aiohttp.ClientSession, base: str, session_id: str,
                 downloads: Path) -> None:
        self.http = http
        self.base = base
        self.session = session_id
        self.downloads = downloads

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.base}/session/{self.session}{path}"
        async with self.http.request(method, url, json=body) as response:
            data = await response.json()
        if response.status >= 400:
            raise AssertionError(f"webdriver {path}: {data}")
        return data["value"]

    async def open(self, url: str) -> None:
        await self._call("POST", "/url", {"url": url})

    async def source(self) -> str:
        return str(await self._call("GET", "/source"))

    async def find(self, css: str) -> str:
        found = await self._call("POST", "/element", {"using": "css selector", "value": css})
        assert isinstance(found, dict), found
        return str(found[ELEMENT])

    async def count(self, css: str) -> int:
        found = await self._call("POST", "/elements", {"using": "css selector", "value": css})
        return len(found)

    async def type_into(self, css: str, text: str) -> None:
        await self._call("POST", f"/element/{await self.find(css)}/value", {"text": text})

    async def click(self, css: str) -> None:
        await self._call("POST", f"/element/{await self.find(css)}/click", {})

    async def text(self) -> str:
        return str(await self._call("GET", f"/element/{await self.find('body')}/text"))

    async def wait_for_download(self, suffix: str, timeout: float = 20.0) -> Path:
        for _ in range(int(timeout * 10)):
            done = [p for p in self.downloads.iterdir() if p.name.endswith(suffix)]
            if done:
                return done[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {suffix} downloaded: {list(self.downloads.iterdir())}")


async def start_browser(http: aiohttp.ClientSession, downloads: Path
                        ) -> tuple[Browser, subprocess.Popen[bytes]]:
    """Start chromedriver and a headless chromium session saving downloads to a folder."""
    chromium, chromedriver = require_browser()
    port = _free_port()
    driver = subprocess.Popen([chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            async with http.get(base + "/status") as response:
                if response.status == 200:
                    break
        except aiohttp.ClientError:
            await asyncio.sleep(0.1)
    options = {"binary": chromium,
               "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--window-size=412,915"],
               "prefs": {"download.default_directory": str(downloads),
                         "download.prompt_for_download": False}}
    body = {"capabilities": {"alwaysMatch": {"browserName": "chrome",
                                             "goog:chromeOptions": options}}}
    async with http.post(base + "/session", json=body) as response:
        data = await response.json()
    if response.status >= 400:
        driver.terminate()
        raise AssertionError(f"chromium did not start: {data}")
    browser = Browser(http, base, data["value"]["sessionId"], downloads)
    await browser._call("POST", "/chromium/send_command", {
        "cmd": "Page.setDownloadBehavior",
        "params": {"behavior": "allow", "downloadPath": str(downloads)}})
    return browser, driver


async def stop_browser(browser: Browser, driver: subprocess.Popen[bytes]) -> None:
    """Close the session and chromedriver."""
    try:
        await browser._call("DELETE", "")
    finally:
        driver.terminate()
        driver.wait(timeout=10)
