"""Inactive accounts: a warning first, anonymisation after the warning period."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import App, create_app
from bot.app.retention import RETENTION_KIND, RetentionResult, find_inactive, run_retention
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.delivery.service import delivery_of
from storage.delivery.models import OutboxRow
from storage.models import AuditRow, PersonRow
from tests.conftest import make_settings
from tests.harness import Chat, become, register
from tests.privacy.helpers import scan_for

ROOT = Path(__file__).resolve().parents[2]


async def retention(app: App) -> RetentionResult:
    async with app.sessions() as session:
        now = app.services.clock.now()
        notify = functools.partial(delivery_of(app.services).notify, kind=RETENTION_KIND,
                                   now=now)
        result = await run_retention(session, app.settings, app.services.messages,
                                     app.services.router.personal_data, notify, now)
        await session.commit()
    return result


async def test_inactive_people_are_warned_once_then_anonymised(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    clock.advance(timedelta(days=699))
    assert (await retention(app)).notices == []
    clock.advance(timedelta(days=2))
    warned = await retention(app)
    (notice,) = warned.notices
    assert (notice.channel, notice.chat_id) == ("console", "lan")
    assert "không dùng Trợ lý thi đua từ ngày 10/04/2024" in notice.text
    assert "ngày 11/04/2026 Trợ lý sẽ xoá" in notice.text  # 30 days after the warning
    assert "nhắn cho Trợ lý một tin bất kỳ" in notice.text
    assert (await retention(app)).notices == []  # warned once, not every run
    clock.advance(timedelta(days=29))
    assert (await retention(app)).anonymised == []  # the warning period is not over
    clock.advance(timedelta(days=2))
    done = await retention(app)
    assert len(done.anonymised) == 1 and done.notices == []
    assert await scan_for(app, ["Nguyễn Thị Lan", "lan", "1990"]) == []
    async with app.sessions() as session:
        actions = set((await session.scalars(select(AuditRow.action))).all())
    assert {"retention.warn", "retention.anonymise"} <= actions


async def test_writing_after_the_warning_keeps_the_account(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    clock.advance(timedelta(days=705))
    assert len((await retention(app)).notices) == 1
    clock.advance(timedelta(days=3))
    await chat.send("xin chào")
    # The warning went through the outbox: the person receives it along with the answer.
    replies = await chat.replies()
    assert sum("nhắn cho Trợ lý một tin bất kỳ" in r for r in replies) == 1
    clock.advance(timedelta(days=60))
    result = await retention(app)
    assert result.anonymised == [] and result.notices == []
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert person.full_name == "Nguyễn Thị Lan"
    clock.advance(timedelta(days=700))
    assert len((await retention(app)).notices) == 1  # inactive again: warned again


async def test_find_inactive_uses_the_latest_of_all_linked_accounts(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    clock.advance(timedelta(days=100))
    await become(chat, "minh")
    async with app.sessions() as session:
        idle = await find_inactive(session, clock.now() - timedelta(days=50))
    assert len(idle) == 1 and idle[0].last_seen.date().isoformat() == "2024-04-10"


async def test_retention_settings_are_honoured(db_url: str, clock: MovableClock) -> None:
    app = create_app(make_settings(db_url, retention_days=10, retention_warning_days=3), clock)
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await register(chat, "Nguyễn Thị Lan")
    clock.advance(timedelta(days=7, hours=1))
    assert len((await retention(app)).notices) == 1
    clock.advance(timedelta(days=3))
    assert len((await retention(app)).anonymised) == 1
    await app.close()


async def test_thidua_retention_queues_the_warnings_and_prints_counts(sqlite_url: str,
                                                            clock: MovableClock) -> None:
    app = create_app(make_settings(sqlite_url), clock)  # the test clock is in 2024
    await app.start()
    chat = Chat(ConsoleChannel(app, clock, "lan"))
    await register(chat, "Nguyễn Thị Lan")
    await app.close()
    env = {**os.environ, "DATABASE_URL": sqlite_url, "ADMIN_IDS": "", "LOG_LEVEL": "WARNING"}

    def thidua(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "retention", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60,
                              encoding="utf-8")

    dry = thidua("--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.strip() == ("Chạy thử: sẽ cảnh báo 1 người và ẩn danh 0 người. "
                                  "Chưa thay đổi gì.")
    assert await outbox_rows(sqlite_url, clock) == []  # a dry run queues nothing
    real = thidua()
    assert real.returncode == 0, real.stderr
    assert "cho 1 người vào hàng đợi" in real.stdout and "ẩn danh 0 người" in real.stdout
    assert "lan" not in real.stdout and "Nguyễn" not in real.stdout  # counts only
    (row,) = await outbox_rows(sqlite_url, clock)
    assert (row.kind, row.message_key, row.status) == (
        "retention", "privacy.retention_warning", "pending")
    assert row.params["last_seen"] == "10/04/2024"
    again = thidua()
    assert "cho 0 người" in again.stdout and "ẩn danh 0 người" in again.stdout
    assert len(await outbox_rows(sqlite_url, clock)) == 1


async def outbox_rows(url: str, clock: MovableClock) -> list[OutboxRow]:
    app = create_app(make_settings(url), clock)
    await app.start()
    try:
        async with app.sessions() as session:
            return list((await session.scalars(select(OutboxRow))).all())
    finally:
        await app.close()


async def test_warning_is_queued_for_each_person_and_only_the_silent_one_is_anonymised(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    minh = Chat(ConsoleChannel(app, clock, "minh"))
    await register(chat, "Nguyễn Thị Lan")
    await register(minh, "Trần Văn Minh")
    clock.advance(timedelta(days=705))
    assert len((await retention(app)).notices) == 2
    async with app.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.person_id))).all()
    assert [(r.kind, r.message_key) for r in rows] == [
        ("retention", "privacy.retention_warning")] * 2
    assert len({r.dedupe_key for r in rows}) == 2
    assert (await retention(app)).notices == []  # same period: not queued twice
    clock.advance(timedelta(days=1))
    await chat.send("/giupdo")  # Lan answers; Minh stays silent
    await chat.replies()
    clock.advance(timedelta(days=30))
    result = await retention(app)
    assert len(result.anonymised) == 1
    async with app.sessions() as session:
        names = set((await session.scalars(select(PersonRow.full_name))).all())
    assert "Nguyễn Thị Lan" in names and "Trần Văn Minh" not in names
