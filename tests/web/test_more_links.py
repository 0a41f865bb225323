"""Download links of the works, conferences, deeds and personal-data exports on Zalo, and
the works and conferences sections of the progress page."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.weblinks import PROGRESS, make_link
from storage.access import GrantRepo
from storage.models import AuditRow
from storage.people import PeopleRepo
from tests.harness import Chat
from tests.referrals.helpers import send_as
from tests.web.conftest import PUBLIC_URL, Site
from tests.works.helpers import BAN_CONG, WORKS_CAMPAIGN, become, register_work


async def zalo_admin(app: App, user: str = "z-admin") -> int:
    await send_as(app, "zalo", user, text="/start")
    async with app.sessions() as session:
        account = await PeopleRepo(session).account("zalo", user)
        assert account is not None
        await GrantRepo(session).grant(account.person_id, "admin", None,
                                       app.services.clock.now(), granted_by=None,
                                       reason="test")
        await session.commit()
        return account.person_id


async def test_works_export_and_progress_through_links(
        chat: Chat, app: App, site: Site, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=20))
    await become(chat, app, "minh", "liaison", BAN_CONG)
    await register_work(chat, name="=Cầu treo Pá Hu")
    admin = await zalo_admin(app)
    [reply] = await send_as(app, "zalo", "z-admin", choice=f"w:x:{WORKS_CAMPAIGN}")
    assert "công trình, phần việc (XLSX)" in reply.text
    file = await site.http.get(site.local(reply.text) + "/tai-ve")
    assert file.status == 200
    book = load_workbook(io.BytesIO(await file.read()))
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value]
    assert "=Cầu treo Pá Hu" in {c.value for c in cells}
    assert not [c for c in cells if c.data_type == "f"]
    async with app.sessions() as session:
        audit = (await session.scalars(select(AuditRow).where(
            AuditRow.action == "data.export", AuditRow.actor_id == admin))).one()
        assert (audit.target_type, audit.target_id) == ("works", WORKS_CAMPAIGN)
        url = await make_link(session, app.settings, admin, PROGRESS,
                              {"campaign": WORKS_CAMPAIGN}, clock.now())
        every = await make_link(session, app.settings, admin, PROGRESS, {}, clock.now())
        await session.commit()
    assert url is not None and url.startswith(PUBLIC_URL) and every is not None
    page = await site.http.get(site.local(url))
    body = await page.text()
    assert page.status == 200 and body.count("<svg") == 1
    assert "Công trình, phần việc — " in body and "Xã Bản Công" in body
    assert "Hội nghị điển hình tiên tiến — " not in body  # not a programme of that campaign
    body = await (await site.http.get(site.local(every))).text()
    assert "Công trình, phần việc — " in body and "Hội nghị điển hình tiên tiến — " in body
    assert body.count("<svg") >= 2


async def test_a_zalo_resident_downloads_their_own_data(chat: Chat, app: App,
                                                        site: Site) -> None:
    await send_as(app, "zalo", "z-lan", text="/start")
    replies = await send_as(app, "zalo", "z-lan", choice="pv:export")
    (link,) = [r.text for r in replies if PUBLIC_URL in r.text]
    assert "Tệp dữ liệu (JSON)" in link
    file = await site.http.get(site.local(link) + "/tai-ve")
    assert file.status == 200 and file.headers["Content-Type"].startswith("application/json")
    document = json.loads(await file.read())
    assert "data" in document and "policy_version" in document


async def test_a_resident_gets_no_progress_nor_deeds(chat: Chat, app: App, site: Site,
                                                     clock: MovableClock) -> None:
    await send_as(app, "zalo", "z-lan", text="/start")
    async with app.sessions() as session:
        account = await PeopleRepo(session).account("zalo", "z-lan")
        assert account is not None
        progress = await make_link(session, app.settings, account.person_id, PROGRESS, {},
                                   clock.now())
        deeds = await make_link(session, app.settings, account.person_id, "download",
                                {"kind": "deeds"}, clock.now())
        await session.commit()
    assert progress and deeds
    page = await site.http.get(site.local(progress))
    assert page.status == 404 and "Hiện không có tiến độ" in await page.text()
    file = await site.http.get(site.local(deeds) + "/tai-ve")
    assert file.status == 403 and "không còn quyền" in await file.text()
