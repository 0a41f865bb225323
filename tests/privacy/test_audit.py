"""The audit log: append-only down to the database, no personal values, `thidua audit`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from storage.audit import AuditFilter, AuditRepo
from storage.db import create_engine, session_factory
from storage.models import AuditRow
from tests.conftest import make_settings
from tests.harness import Chat, become, register

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
async def session(db_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(db_url)
    async with session_factory(engine)() as s:
        yield s
    await engine.dispose()


async def test_the_database_refuses_to_change_or_remove_audit_lines(
    session: AsyncSession
) -> None:
    entry = await AuditRepo(session).append("access.grant", NOW, actor_id=1,
                                            target_type="person", target_id=2,
                                            after={"role": "liaison"}, reason="test")
    await session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(update(AuditRow).where(AuditRow.id == entry.id)
                              .values(action="access.revoke"))
    await session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(delete(AuditRow).where(AuditRow.id == entry.id))
    await session.rollback()
    (kept,) = await AuditRepo(session).search(AuditFilter())
    assert kept == entry


async def test_personal_values_are_refused_by_the_audit_log(session: AsyncSession) -> None:
    audit = AuditRepo(session)
    with pytest.raises(ValueError, match="full_name"):
        await audit.append("profile.edit", NOW, actor_id=1, before={"full_name": "Lan"})
    with pytest.raises(ValueError, match="phone"):
        await audit.append("x.y", NOW, actor_id=1, after={"contact": {"phone": "0912"}})


async def test_filters_select_by_person_action_and_time(session: AsyncSession) -> None:
    audit = AuditRepo(session)
    await audit.append("access.grant", NOW, actor_id=1, target_type="person", target_id=2)
    await audit.append("access.revoke", NOW.replace(day=12), actor_id=3, target_type="person",
                       target_id=2)
    await audit.append("data.export", NOW.replace(day=13), actor_id=4, target_type="person",
                       target_id=4)
    assert [e.action for e in await audit.search(AuditFilter(person_id=2))] == [
        "access.revoke", "access.grant"]
    assert len(await audit.search(AuditFilter(action="access"))) == 2
    assert [e.actor_id for e in await audit.search(AuditFilter(since=NOW.replace(day=11),
                                                               until=NOW.replace(day=13)))] == [3]
    assert len(await audit.search(AuditFilter(limit=1))) == 1


def test_nothing_in_the_bot_can_edit_or_delete_audit_lines() -> None:
    writers = []
    for package in ("bot", "handlers", "content", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"(update|delete)\(\s*AuditRow", source) or (
                    "AuditRow" in source
                    and path.name not in ("audit.py", "models.py", "base.py")):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == []


async def test_thidua_audit_lists_and_filters(sqlite_url: str, clock: MovableClock) -> None:
    app = create_app(make_settings(sqlite_url), clock)
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await register(chat, "Nguyễn Thị Lan")
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xem và tải toàn bộ dữ liệu")
    await chat.replies()
    await become(chat, "admin")
    await app.close()

    env = {**os.environ, "DATABASE_URL": sqlite_url, "ADMIN_IDS": ""}

    def thidua(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "audit", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60, encoding="utf-8")

    listed = thidua()
    assert listed.returncode == 0, listed.stderr
    assert "data.export" in listed.stdout and "access.grant" in listed.stdout
    assert "hệ thống  access.grant" in listed.stdout  # ADMIN_IDS bootstrap, by the system
    assert "Nguyễn" not in listed.stdout
    only = thidua("--action", "data", "--jsonl")
    records = [json.loads(line) for line in only.stdout.splitlines()]
    assert [r["action"] for r in records] == ["data.export"]
    assert records[0]["target_type"] == "person"
    none = thidua("--since", "2030-01-01")
    assert none.stdout == "" and "Không có dòng nhật ký nào" in none.stderr
