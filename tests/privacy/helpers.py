"""Helpers of the privacy tests: dump every table, find personal data left anywhere.

register, send_as and the other transcript steps are the shared ones in tests/harness.py.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.app import App
from storage.models import Base
from tests.harness import Chat


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
                if isinstance(value, date):
                    # The day a moment stands for, not its microseconds ("…198712" once
                    # matched a birth year by chance).
                    text = value.strftime("%Y %d/%m/%Y")
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, default=str, ensure_ascii=False)
                hits.extend(f"{table}.{column}: {needle}" for needle in needles
                            if needle.casefold() in text.casefold())
    return hits


async def read_export(chat: Chat) -> str:
    """Read the text of a privacy export (all its "(Phần n/N)" parts, or the one reply)."""
    first = await chat.reply()
    match = re.match(r"\(Phần 1/(\d+)\)", first)
    parts = [first]
    for _ in range(int(match.group(1)) - 1 if match else 0):
        parts.append(await chat.reply())
    return "\n".join(parts)
