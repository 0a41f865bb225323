"""In a real headless chromium: upload a CSV and an XLSX from chat links, see the import
report, download an export, view progress with its chart; used, expired and revoked links
are refused."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.app import App
from bot.core.clock import MovableClock
from storage.access import GrantRepo
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two, send_as
from tests.web.browser import Browser, require_browser, start_browser, stop_browser
from tests.web.conftest import Site, zalo_liaison
from tests.web.test_links import OFFICIAL_WEEK_3, ask_upload_link, marked_week_3


@pytest.fixture
async def browser(site: Site, tmp_path: Path) -> AsyncIterator[Browser]:
    require_browser()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    started, driver = await start_browser(site.http, downloads)
    yield started
    await stop_browser(started, driver)


def xlsx_list() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", "Họ và tên", "Điện thoại di động"])
    sheet.append([1, "Trần Thu Hoa", "hoa.tran@gmail.com"])
    sheet.append([2, "Nguyễn Thị Lan", "0912345678"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_pages_in_a_real_browser(chat: Chat, app: App, site: Site, browser: Browser,
                                       clock: MovableClock, tmp_path: Path) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    person = await zalo_liaison(app)
    files = {"tuan3.csv": OFFICIAL_WEEK_3, "tuan2.xlsx": xlsx_list()}
    for path, content in files.items():
        (tmp_path / path).write_bytes(content)

    # The CSV for week 3, from the link the chat gave.
    csv_url = site.local(await ask_upload_link(app, week="3"))
    await browser.open(csv_url)
    assert "Tải lên danh sách tham gia chính thức" in await browser.text()
    await browser.type_into("input[type=file]", str(tmp_path / "tuan3.csv"))
    await browser.click("button[type=submit]")
    report = await browser.text()
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "Khớp với tài khoản đang theo dõi: 2" in report

    # The XLSX for week 2, from a second link.
    xlsx_url = site.local(await ask_upload_link(app, week="2"))
    await browser.open(xlsx_url)
    await browser.type_into("input[type=file]", str(tmp_path / "tuan2.xlsx"))
    await browser.click("button[type=submit]")
    assert "Đã nhập danh sách chính thức tuần 2 (tệp tuan2.xlsx)" in await browser.text()

    # A used link is refused.
    await browser.open(csv_url)
    assert "đã được dùng một lần" in await browser.text()
    assert await browser.count("input[type=file]") == 0

    # Download an export.
    [export] = await send_as(app, "zalo", "z-can", choice="rq:xp:ls.bac-son")
    download_url = site.local(export.text)
    await browser.open(download_url)
    await browser.click("a[download] button")
    saved = await browser.wait_for_download(".xlsx")
    assert "Theo đơn vị" in load_workbook(saved, read_only=True).sheetnames

    # Progress with its chart.
    [progress] = await send_as(app, "zalo", "z-can", choice="rq:web:ls.bac-son")
    progress_url = site.local(progress.text)
    await browser.open(progress_url)
    assert "Xã Long Đống" in await browser.text()
    assert await browser.count("svg rect") >= 1 and await browser.count("table") == 1

    # Another person's rights: the liaison's role goes, the links go with it.
    async with app.sessions() as session:
        await GrantRepo(session).revoke_all(person, clock.now(), revoked_by=None,
                                            reason="test")
        await session.commit()
    await browser.open(download_url + "/tai-ve")
    assert "không còn quyền" in await browser.text()

    # Expired.
    clock.set(clock.now() + timedelta(hours=25))
    await browser.open(progress_url)
    assert "đã hết hạn" in await browser.text()

    await become(chat, "lan")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "T2 🔒 · T3 🔒" in board  # Lan: week 2 from the XLSX, week 3 from the CSV
