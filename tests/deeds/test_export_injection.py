"""A deed text, village or name typed as a formula reaches the nominations XLSX as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import update

from bot.app import App
from bot.core.types import AttachmentKind
from storage.deeds.models import DeedRow
from tests.deeds.helpers import become, nominate, pick, register, report_other
from tests.harness import Chat

PAYLOAD = '=HYPERLINK("http://attacker.example/","Xem ảnh")'


async def test_no_cell_of_the_nominations_export_is_a_formula(chat: Chat, app: App) -> None:
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
    what = PAYLOAD + " nhặt được ví có 5 triệu đồng ở chợ và trả lại cho người đánh rơi."
    assert "Đã gửi báo cáo #1" in await report_other(chat, what=what)
    async with app.sessions() as session:  # the village and the name come from other forms
        await session.execute(update(DeedRow).values(village="@SUM(1,2)",
                                                          nominee_name="+84 912 345 678"))
        await session.commit()
    await become(chat, "minh")
    await nominate(chat)
    await chat.send("/duyet")
    await chat.reply()
    await pick(chat, "Xuất danh sách")
    assert "Danh sách 1 đề nghị khen thưởng" in await chat.reply()
    assert chat.last is not None
    (document,) = chat.last.attachments
    assert document.kind is AttachmentKind.DOCUMENT and document.data is not None
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert {what, "@SUM(1,2)", "+84 912 345 678"} <= values  # shown as typed, as text
