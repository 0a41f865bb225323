"""One-time links over real HTTP: a Zalo liaison imports the weekly list from the chat's
link, downloads an export, sees progress; used, expired, foreign and forged links fail."""

from __future__ import annotations

import io
from datetime import timedelta

import aiohttp
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.app import App
from bot.app.config_check import check_run
from bot.app.features import FEATURES
from bot.app.web import link_pages
from bot.channels.webhook import WebhookServer
from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.core.weblinks import DOWNLOAD, PROGRESS, UPLOAD, make_link
from content.messages import Messages
from storage.access import GrantRepo
from storage.models import AuditRow, OutboxRow
from storage.weblinks.models import WebLinkRow
from storage.weblinks.repo import WebLinkRepo
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two, send_as
from tests.web.conftest import PUBLIC_URL, Site, zalo_liaison

OFFICIAL_WEEK_3 = (
    "\ufeffSTT;Họ và tên;Số điện thoại;Email;Điểm\n"
    "1;Nguyễn Thị Lan;+84 912 345 678;;9\n"
    "2;Người ngoài;0933 000 111;;7\n"
    "3;Trần Thu Hoa;;HOA.TRAN@gmail.com;8\n"
).encode()


async def marked_week_3(chat: Chat) -> None:
    """Lan marks herself and Minh as having taken part in week 3."""
    await chat.send("/vandong")
    await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    assert "Tuần 3 (" in await chat.reply()
    for line in ("3", "4"):  # after "Tất cả" and "Xong": Bạn, then Minh
        await chat.send(line)
        await chat.reply()


async def ask_upload_link(app: App, user: str = "z-can", week: str = "3") -> str:
    await send_as(app, "zalo", user, text="/tiendo")
    [ask] = await send_as(app, "zalo", user, choice="rq:im")
    assert "của tuần nào" in ask.text
    [reply] = await send_as(app, "zalo", user, text=week)
    return reply.text


async def post_file(site: Site, url: str, data: bytes, name: str) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return await site.http.post(url, data=form)


async def test_zalo_liaison_imports_the_week_from_the_chat_link(
        chat: Chat, app: App, site: Site) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    person = await zalo_liaison(app)
    text = await ask_upload_link(app)
    assert "tải lên tệp danh sách tuần 3" in text and PUBLIC_URL + "/l/" in text
    assert "dùng một lần, hết hạn sau 24 giờ" in text
    url = site.local(text)
    async with app.sessions() as session:  # only the token's hash is kept
        (row,) = (await session.scalars(select(WebLinkRow))).all()
    assert row.person_id == person and url.rsplit("/", 1)[1] not in str(row.__dict__)
    page = await site.http.get(url)
    body = await page.text()
    assert page.status == 200 and 'type="file"' in body and "tuần 3" in body
    assert page.headers["Referrer-Policy"] == "no-referrer" and "<script" not in body
    response = await post_file(site, url, OFFICIAL_WEEK_3, "tuan3.csv")
    report = await response.text()
    assert response.status == 200
    assert "Đã nhập danh sách chính thức tuần 3 (tệp tuan3.csv)" in report
    assert "Khớp với tài khoản đang theo dõi: 2" in report
    async with app.sessions() as session:  # the same report goes back into the chat
        (queued,) = (await session.scalars(select(OutboxRow)
                                           .where(OutboxRow.person_id == person))).all()
    assert queued.channel == "zalo" and "tuần 3" in str(queued.params)
    await become(chat, "lan")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "• Bạn — 0912 345 678\n   T1 ❌ · T2 ❌ · T3 🔒" in board
    assert "• Hoàng Văn Minh (Người thân) — 0987 654 321\n   T1 ❌ · T2 ❌ · T3 ⚠️" in board
    again = await post_file(site, url, OFFICIAL_WEEK_3, "tuan3.csv")
    assert again.status == 410 and "đã được dùng một lần" in await again.text()
    reopened = await site.http.get(url)
    assert reopened.status == 410


async def test_a_refused_file_keeps_the_link_and_a_good_xlsx_then_goes_through(
        chat: Chat, app: App, site: Site) -> None:
    await lan_with_two(chat)
    await zalo_liaison(app)
    url = site.local(await ask_upload_link(app))
    bad = await post_file(site, url, b"%PDF-1.4 not a list", "ds.pdf")
    assert bad.status == 400 and 'type="file"' in await bad.text()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", "Họ và tên", "Số điện thoại"])
    sheet.append([1, "Nguyễn Thị Lan", "0912345678"])
    out = io.BytesIO()
    book.save(out)
    good = await post_file(site, url, out.getvalue(), "tuan3.xlsx")
    assert good.status == 200 and "Khớp với tài khoản đang theo dõi: 1" in await good.text()


async def test_expired_forged_and_revoked_links_are_refused(
        chat: Chat, app: App, site: Site, clock: MovableClock) -> None:
    await lan_with_two(chat)
    person = await zalo_liaison(app)
    url = site.local(await ask_upload_link(app))
    forged = await site.http.get(url[:-3] + "abc")
    assert forged.status == 404 and "không đúng" in await forged.text()
    download_as_upload = await site.http.get(url + "/tai-ve")
    assert download_as_upload.status == 404  # a link serves its own purpose only
    async with app.sessions() as session:  # the liaison loses the role: the link with it
        await GrantRepo(session).revoke_all(person, clock.now(), revoked_by=None,
                                            reason="test")
        await session.commit()
    revoked = await post_file(site, url, OFFICIAL_WEEK_3, "tuan3.csv")
    assert revoked.status == 400 and "không còn quyền" in await revoked.text()
    clock.set(clock.now() + timedelta(hours=25))
    expired = await site.http.get(url)
    assert expired.status == 410 and "đã hết hạn" in await expired.text()


async def test_a_unit_outside_the_campaign_area_gets_no_table_of_zeros(
        app: App, site: Site) -> None:
    """A progress or download link naming a unit the campaign does not cover (a link made
    before, or by hand) shows no table of zeros and hands out no empty workbook."""
    person = await zalo_liaison(app, unit="ls.chi-lang")
    params = {"campaign": "bac-son-dan-van-kheo-2024", "unit": "ls.chi-lang"}
    async with app.sessions() as session:
        now = app.services.clock.now()
        progress = await make_link(session, app.settings, person, PROGRESS, params, now)
        download = await make_link(session, app.settings, person, DOWNLOAD,
                                   {"kind": "referrals_progress", **params}, now)
        await session.commit()
    assert progress and download
    page = await site.http.get(site.local(progress))
    text = await page.text()
    assert page.status == 404 and "Hiện không có tiến độ" in text and "Chi Lăng" not in text
    fetched = await site.http.get(site.local(download) + "/tai-ve")
    assert fetched.status == 403 and "không đúng" in await fetched.text()


async def test_a_new_communes_progress_page_shows_the_former_communes_it_took_in(
        chat: Chat, app: App, site: Site) -> None:
    """The liaison of the xã Bắc Sơn formed in 2025 opens the 2024 campaign's page: the rows
    are the former communes it took in (Long Đống's participants), not an empty table."""
    await lan_with_two(chat)
    await marked_week_3(chat)
    await zalo_liaison(app, unit="ls.xa-bac-son")
    [progress] = await send_as(app, "zalo", "z-can", choice="rq:web:ls.xa-bac-son")
    page = await site.http.get(site.local(progress.text))
    body = await page.text()
    assert page.status == 200 and "Xã Long Đống" in body and "Tài khoản đã làm tuần 3" in body


async def test_a_link_of_a_kind_no_feature_serves_is_refused(app: App, site: Site) -> None:
    """An upload or download link whose kind no feature offers (a feature removed since the
    link was made) says the link is not right, and hands out or takes nothing."""
    person = await zalo_liaison(app)
    async with app.sessions() as session:
        now = app.services.clock.now()
        upload = await make_link(session, app.settings, person, UPLOAD, {"kind": "cu"}, now)
        download = await make_link(session, app.settings, person, DOWNLOAD, {"kind": "cu"},
                                   now)
        await session.commit()
    assert upload and download
    posted = await post_file(site, site.local(upload), OFFICIAL_WEEK_3, "tuan3.csv")
    assert posted.status == 404 and "không đúng" in await posted.text()
    fetched = await site.http.get(site.local(download) + "/tai-ve")
    assert fetched.status == 404 and "không đúng" in await fetched.text()


async def test_zalo_export_and_progress_links(chat: Chat, app: App, site: Site) -> None:
    await lan_with_two(chat)
    await marked_week_3(chat)
    person = await zalo_liaison(app)
    [reply] = await send_as(app, "zalo", "z-can", choice="rq:xp:ls.bac-son")
    assert "Trợ lý không gửi được tệp trong ứng dụng này" in reply.text
    url = site.local(reply.text)
    page = await site.http.get(url)
    assert "bảng tiến độ Dân vận khéo" in await page.text()
    for _ in range(2):  # a download link works until it expires
        file = await site.http.get(url + "/tai-ve")
        assert file.status == 200 and "attachment" in file.headers["Content-Disposition"]
        book = load_workbook(io.BytesIO(await file.read()), read_only=True)
        assert "Theo đơn vị" in book.sheetnames
    async with app.sessions() as session:  # audited like every export, the person as actor
        audits = (await session.scalars(select(AuditRow)
                                        .where(AuditRow.action == "data.export"))).all()
    assert [(a.actor_id, a.target_type) for a in audits] == [(person, "referrals")] * 2
    [progress] = await send_as(app, "zalo", "z-can", choice="rq:web:ls.bac-son")
    page = await site.http.get(site.local(progress.text))
    body = await page.text()
    assert page.status == 200 and "<svg" in body and "Xã Long Đống" in body
    assert "Tài khoản đã làm tuần 3" in body


async def test_without_public_url_the_chat_points_to_the_command_line(
        chat: Chat, app: App) -> None:
    app.settings.public_url = None
    await lan_with_two(chat)
    await zalo_liaison(app)
    text = await ask_upload_link(app)
    assert "cần đặt PUBLIC_URL" in text
    assert "thidua import referrals FILE.xlsx --campaign bac-son-dan-van-kheo-2024 --week 3" \
        in text


async def test_expired_links_are_purged_a_day_later(app: App, clock: MovableClock) -> None:
    await send_as(app, "zalo", "z-lan", text="/start")
    async with app.sessions() as session:
        await make_link(session, app.settings, 1, PROGRESS, {}, clock.now())
        await session.commit()
    async with app.sessions() as session:
        repo = WebLinkRepo(session)
        assert await repo.purge_expired(clock.now()) == 0  # alive for 24 hours
        assert await repo.purge_expired(clock.now() + timedelta(hours=25)) == 1
        await session.commit()


def test_public_url_must_be_https() -> None:
    plain = Settings(_env_file=None, zalo_bot_token="z",  # type: ignore[call-arg]
                     public_url="http://thidua.example.vn")
    assert [p.key for p in check_run(plain)] == ["public_url_https"]
    assert "phải bắt đầu bằng https://" in check_run(plain)[0].text(Messages.load().t)
    secure = Settings(_env_file=None, zalo_bot_token="z",  # type: ignore[call-arg]
                      public_url="https://thidua.example.vn")
    assert check_run(secure) == []



async def test_no_file_or_a_too_big_one_is_explained_and_keeps_the_link(
        chat: Chat, app: App, site: Site) -> None:
    await lan_with_two(chat)
    await zalo_liaison(app)
    url = site.local(await ask_upload_link(app))
    not_a_form = await site.http.post(url, data=b"x", headers={"Content-Type": "text/plain"})
    assert not_a_form.status == 400 and "chưa chọn tệp" in await not_a_form.text()
    app.settings.max_upload_bytes = 1000
    small = WebhookServer("127.0.0.1", 0)
    link_pages(app, FEATURES).mount(small.app)
    await small.serve_pages()
    try:
        path = url.split(str(site.server.port), 1)[1]
        big = await post_file(site, f"http://127.0.0.1:{small.port}{path}",
                              OFFICIAL_WEEK_3 * 20, "tuan3.csv")
        assert big.status == 413 and "Tệp lớn hơn 1 KB nên Trợ lý không nhận" in await big.text()
    finally:
        await small.close()
    page = await site.http.get(url)
    assert page.status == 200 and 'type="file"' in await page.text()  # still usable
