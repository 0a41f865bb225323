"""Transcript helpers shared by the privacy tests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.core.types import Incoming, Reply
from storage.models import Base
from tests.harness import Chat


async def register(chat: Chat, name: str, *, year: str = "1990", unit: str = "nhan ly",
                   reminders: str = "1") -> None:
    """Register the current console user, reading every reply but the final menu."""
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("1")
    assert "đồng ý" in (await chat.reply()).lower()
    await chat.send("1")
    assert "nhắc hạn" in await chat.reply()
    await chat.send(reminders)
    assert "họ và tên" in await chat.reply()
    await chat.send(name)
    assert "sinh năm nào" in await chat.reply()
    await chat.send(year)
    assert "đơn vị nào" in await chat.reply()
    await chat.send(unit)
    await chat.reply()
    await chat.send("1")
    assert "kiểm tra lại" in await chat.reply()
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()


async def send_as(app: App, channel: str, user: str, text: str | None = None,
                  choice: str | None = None) -> list[Reply]:
    """Send one message as any channel user (outside the console harness)."""
    return await app.handle(Incoming(channel, user, user, text=text, choice=choice))


async def table_dump(app: App) -> dict[str, list[dict[str, Any]]]:
    """Return every row of every table, as plain values."""
    out: dict[str, list[dict[str, Any]]] = {}
    async with app.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).mappings().all()
            out[table.name] = [dict(r) for r in rows]
    return out


async def scan_for(app: App, needles: list[str]) -> list[str]:
    """Return `table.column: needle` for every cell of every table that contains a needle."""
    hits = []
    for table, rows in (await table_dump(app)).items():
        for row in rows:
            for column, value in row.items():
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(
                    value, default=str, ensure_ascii=False)
                hits.extend(f"{table}.{column}: {needle}" for needle in needles
                            if needle.casefold() in text.casefold())
    return hits
