"""Roles: admins (and liaisons, for reviewers in their units) hand out one-time invites."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.permissions import allowed, can_act_on_unit, held_roles, may_grant
from content.units import load_units
from storage.access import Grant, GrantRepo
from storage.models import AuditRow, RoleGrantRow
from tests.harness import Chat, become, register, send_as

NOW = datetime(2024, 4, 10, tzinfo=UTC)


async def make_invite(chat: Chat, role: str, unit_query: str | None, pick: str = "1") -> str:
    """Walk the invite form as the current user and return the code shown."""
    await chat.send("/quyen")
    assert "Tạo mã mời" in await chat.reply()
    await chat.send("Tạo mã mời")
    assert "vai trò nào" in await chat.reply()
    await chat.send(role)
    if unit_query is not None:
        assert "đơn vị nào" in await chat.reply()
        await chat.send(unit_query)
        assert "tìm thấy các đơn vị" in await chat.reply()
        await chat.send(pick)
    summary = await chat.reply()
    assert "hết hạn sau 48 giờ" in summary
    await chat.send("Lưu")
    shown = await chat.reply()
    code = re.search(r"/nhanquyen ([A-Z0-9]{4}-[A-Z0-9]{4})", shown)
    assert code, shown
    return code.group(1)


async def liaison_lan(chat: Chat) -> None:
    """Register Lan and make her liaison of Huyện Chi Lăng (leaves the console as lan)."""
    await register(chat, "Nguyễn Thị Lan")
    await become(chat, "admin")
    code = await make_invite(chat, "Cán bộ đầu mối đơn vị", "huyện chi lăng")
    await become(chat, "lan")
    await chat.send(f"/nhanquyen {code}")
    assert "Cán bộ đầu mối đơn vị — Huyện Chi Lăng" in await chat.reply()


async def test_admin_invites_a_liaison_who_accepts_and_gets_the_roles_menu(
    chat: Chat, app: App
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await chat.send("/menu")
    await chat.reply()
    assert "Phân quyền cán bộ (mã mời)" not in chat.choices()
    await become(chat, "admin")
    await chat.send("/menu")
    await chat.reply()
    assert "Phân quyền cán bộ (mã mời)" in chat.choices()
    code = await make_invite(chat, "Cán bộ đầu mối đơn vị", "huyện chi lăng")
    await become(chat, "lan")
    await chat.send(f"/nhanquyen {code.lower().replace('-', ' ')}")
    accepted = await chat.reply()
    assert "Bạn đã được giao vai trò Cán bộ đầu mối đơn vị — Huyện Chi Lăng" in accepted
    assert "Phân quyền cán bộ (mã mời)" in chat.choices()
    await chat.send("/toi")
    assert "Vai trò: Cán bộ đầu mối đơn vị" in await chat.reply()
    async with app.sessions() as session:
        rows = (await session.scalars(select(AuditRow).order_by(AuditRow.id))).all()
    grant = [r for r in rows if r.action == "access.grant" and r.reason != "ADMIN_IDS"]
    assert [r.action for r in rows if r.action == "access.invite"] == ["access.invite"]
    assert len(grant) == 1 and grant[0].unit_code == "ls.chi-lang"
    assert grant[0].changes["after"]["role"] == "liaison"
    assert grant[0].actor_id is not None and grant[0].target_id != str(grant[0].actor_id)


async def test_invite_codes_work_once_and_expire_after_48_hours(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    await liaison_lan(chat)
    await become(chat, "admin")
    used = await make_invite(chat, "Cán bộ xét duyệt gương tốt", "nhan ly")
    late = await make_invite(chat, "Cán bộ xét duyệt gương tốt", "nhan ly")
    await become(chat, "lan")
    await chat.send(f"/nhanquyen {used}")
    assert "Cán bộ xét duyệt gương tốt" in await chat.reply()
    await become(chat, "minh")
    await register(chat, "Trần Văn Minh")
    await chat.send(f"/nhanquyen {used}")
    assert "đã được dùng hoặc đã hết hạn" in await chat.reply()
    clock.advance(timedelta(hours=49))
    await chat.send(f"/nhanquyen {late}")
    assert "đã được dùng hoặc đã hết hạn" in await chat.reply()
    await chat.send("/nhanquyen 1234")
    assert "8 chữ cái và chữ số" in await chat.reply()
    await chat.send("/nhanquyen")
    assert "kèm mã mời" in await chat.reply()


async def test_an_invitee_without_a_profile_registers_first_and_the_code_waits(
    chat: Chat
) -> None:
    await become(chat, "admin")
    code = await make_invite(chat, "Quản trị", None)
    await become(chat, "minh")
    await chat.send(f"/nhanquyen {code}")
    assert "không cần gõ lại" in await chat.reply()
    assert "đồng ý" in await chat.reply()  # registration starts at once
    for line, expected in (("1", "nhắc hạn"), ("1", "họ và tên"),
                           ("Trần Văn Minh", "sinh năm nào"), ("1990", "đơn vị nào"),
                           ("nhan ly", "kiểm tra lại"), ("Lưu", "Đăng ký xong")):
        await chat.send(line)
        assert expected in await chat.reply()
    assert "Quản trị — tất cả đơn vị" in await chat.reply()  # the code typed once is used
    await chat.send("/thongke")
    assert "Thống kê người dùng" in await chat.reply()


async def test_admin_lists_and_revokes_with_a_confirm_step(chat: Chat, app: App) -> None:
    await liaison_lan(chat)
    await become(chat, "admin")
    await chat.send("/quyen")
    assert "Quyền đang giao" in await chat.reply()
    await chat.send("Quyền đang giao")
    listing = await chat.reply()
    line = re.search(r"\[(\d+)\] #\d+ Nguyễn Thị Lan — Cán bộ đầu mối đơn vị, Huyện Chi Lăng",
                     listing)
    assert line, listing
    await chat.send(f"Thu hồi quyền [{line.group(1)}]")
    confirm = await chat.reply()
    assert "Thu hồi vai trò Cán bộ đầu mối đơn vị" in confirm and "Nguyễn Thị Lan" in confirm
    await chat.send("Thu hồi")
    assert "Đã thu hồi vai trò" in await chat.reply()
    await become(chat, "lan")
    await chat.send("/quyen")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await chat.send("/toi")
    assert "Vai trò: Người dân" in await chat.reply()
    async with app.sessions() as session:
        revoke = (await session.scalars(
            select(AuditRow).where(AuditRow.action == "access.revoke"))).one()
    assert revoke.changes["before"]["role"] == "liaison" and revoke.reason == "chat"


async def test_a_liaison_invites_reviewers_only_inside_their_units(
    chat: Chat, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    await liaison_lan(chat)
    await chat.send("/quyen")
    assert "trong đơn vị của bạn (Huyện Chi Lăng" in await chat.reply()
    await chat.send("Tạo mã mời")
    await chat.reply()
    assert chat.choices() == ["Cán bộ xét duyệt gương tốt"]
    with caplog.at_level(logging.WARNING):
        forged = await send_as(app, "console", "lan", choice="f:admin")
    assert "chọn một vai trò trong danh sách" in forged[0].text
    assert any("may not grant" in r.getMessage() for r in caplog.records)
    await chat.send("1")
    await chat.reply()
    await chat.send("huyện bắc sơn")
    assert "trong phạm vi bạn được phân quyền" in await chat.reply()
    forged = await send_as(app, "console", "lan", choice="f:ls.bac-son")
    assert "nằm ngoài phạm vi" in forged[0].text
    await chat.send("nhan ly")
    assert "Xã Nhân Lý, Huyện Chi Lăng" in await chat.reply()
    await chat.send("1")
    await chat.reply()
    await chat.send("Lưu")
    assert "/nhanquyen" in await chat.reply()


async def test_a_code_from_someone_who_lost_the_right_is_refused(chat: Chat) -> None:
    await liaison_lan(chat)
    code = await make_invite(chat, "Cán bộ xét duyệt gương tốt", "nhan ly")
    await become(chat, "admin")
    await chat.send("/quyen")
    assert "Quyền đang giao" in await chat.reply()
    await chat.send("Quyền đang giao")
    listing = await chat.reply()
    grant_id = re.search(r"\[(\d+)\] #\d+ Nguyễn Thị Lan", listing)
    assert grant_id
    await chat.send(f"Thu hồi quyền [{grant_id.group(1)}]")
    assert "Thu hồi vai trò Cán bộ đầu mối đơn vị" in await chat.reply()
    await chat.send("Thu hồi")
    assert "Đã thu hồi vai trò" in await chat.reply()
    await become(chat, "minh")
    await register(chat, "Trần Văn Minh")
    await chat.send(f"/nhanquyen {code}")
    assert "đã hết hạn" in await chat.reply()


async def test_the_creator_trying_an_invite_does_not_use_it_up(chat: Chat) -> None:
    await liaison_lan(chat)
    code = await make_invite(chat, "Cán bộ xét duyệt gương tốt", "nhan ly")
    await chat.send(f"/nhanquyen {code}")
    refused = await chat.reply()
    assert "do chính bạn tạo" in refused and "vẫn còn hiệu lực" in refused
    await become(chat, "minh")
    await register(chat, "Trần Văn Minh")
    await chat.send(f"/nhanquyen {code}")
    assert "Bạn đã được giao vai trò Cán bộ xét duyệt gương tốt" in await chat.reply()


async def test_a_form_stops_when_the_role_is_revoked_meanwhile(chat: Chat, app: App) -> None:
    await liaison_lan(chat)
    await chat.send("/quyen")
    assert "Tạo mã mời" in await chat.reply()
    await chat.send("Tạo mã mời")
    assert "vai trò nào" in await chat.reply()
    await chat.send("1")
    assert "đơn vị nào" in await chat.reply()
    async with app.sessions() as session:  # an admin elsewhere revokes Lan's role
        rows = (await session.scalars(select(RoleGrantRow).where(
            RoleGrantRow.role == "liaison"))).all()
        for row in rows:
            await GrantRepo(session).revoke(row.id, NOW, revoked_by=None, reason="test")
        await session.commit()
    await chat.send("nhan ly")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await chat.send("/menu")
    assert "Tiếp tục" not in await chat.reply()


async def test_admin_ids_become_an_audited_grant_by_the_system(chat: Chat, app: App) -> None:
    await become(chat, "admin")
    async with app.sessions() as session:
        line = (await session.scalars(select(AuditRow).where(
            AuditRow.action == "access.grant"))).one()
    assert line.actor_id is None and line.reason == "ADMIN_IDS"
    assert line.changes == {"after": {"role": "admin", "unit_code": None,
                                      "grant": line.changes["after"]["grant"]}}


def _grant(role: str, unit: str | None, revoked: bool = False) -> Grant:
    return Grant(1, 1, role, unit, None, NOW, NOW if revoked else None)


def test_unit_scope_covers_the_unit_and_everything_below_it() -> None:
    tree = load_units()
    liaison = [_grant("liaison", "ls.chi-lang")]
    assert can_act_on_unit(liaison, "ls.chi-lang", tree)
    assert can_act_on_unit(liaison, "ls.chi-lang.nhan-ly", tree)
    assert not can_act_on_unit(liaison, "ls", tree)
    assert not can_act_on_unit(liaison, "ls.bac-son", tree)
    assert not can_act_on_unit(liaison, "no.such.unit", tree)
    assert not can_act_on_unit(liaison, None, tree)
    assert not can_act_on_unit([_grant("liaison", "ls.chi-lang", revoked=True)],
                               "ls.chi-lang", tree)
    assert not can_act_on_unit([_grant("reviewer", "ls.chi-lang")], "ls.chi-lang", tree,
                               roles=("liaison",))
    assert can_act_on_unit([_grant("admin", None)], "ls.bac-son", tree)


def test_who_may_grant_what() -> None:
    tree = load_units()
    admin = [_grant("admin", None)]
    liaison = [_grant("liaison", "ls.chi-lang")]
    assert may_grant(admin, "liaison", "ls.bac-son", tree)
    assert may_grant(admin, "admin", None, tree)
    assert not may_grant(admin, "admin", "ls", tree) and not may_grant(admin, "liaison", None,
                                                                       tree)
    assert may_grant(liaison, "reviewer", "ls.chi-lang.nhan-ly", tree)
    assert not may_grant(liaison, "liaison", "ls.chi-lang.nhan-ly", tree)
    assert not may_grant(liaison, "reviewer", "ls.bac-son", tree)
    assert not may_grant([_grant("reviewer", "ls")], "reviewer", "ls.chi-lang", tree)


def test_held_roles_and_the_one_check() -> None:
    held = held_roles([_grant("reviewer", "ls"), _grant("liaison", "ls", True)])
    assert held == {"resident", "reviewer"}
    assert allowed(held, {"reviewer"}) and not allowed(held, {"liaison"})
    assert allowed({"resident", "admin"}, {"liaison"})
