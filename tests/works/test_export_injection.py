"""A works name typed as a formula reaches the works XLSX as text, never a formula."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.app import App
from bot.core.clock import MovableClock
from tests.harness import Chat
from tests.works.helpers import BAN_CONG, become, register_work

PAYLOAD = '=HYPERLINK("http://attacker.example/","Cầu treo")'


async def test_no_cell_of_the_works_export_is_a_formula(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, name=PAYLOAD)
    await become(chat, app, "admin", "admin", None)
    await chat.send("/congtrinh")
    await chat.reply()
    await chat.send("Xuất tệp Excel")
    assert "1 công trình" in await chat.reply()
    assert chat.last is not None
    document = chat.last.attachments[0]
    assert document.data is not None
    book = load_workbook(io.BytesIO(document.data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    (name,) = [c for c in cells if c.value == PAYLOAD]
    assert name.data_type == "s" and name.quotePrefix
    row = [c.value for c in book["Công trình"][name.row]]
    assert row[5] == 1_500_000_000  # money stays a number
