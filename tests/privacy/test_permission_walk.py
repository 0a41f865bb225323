"""Walk every command, button and form as four people and check who may do what.

A new command, button prefix (the first segment of a payload, for old-style choices and
typed payloads alike) or form makes this test fail until it is added to the tables below:
deciding who may use a feature is part of writing it.
"""

from __future__ import annotations

import dataclasses
import logging
import typing

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.dispatcher import Router
from bot.core.payloads import Payload
from bot.core.types import Reply
from storage.access import GrantRepo
from storage.people import PeopleRepo
from tests.harness import send_as

RESIDENT, REVIEWER, OTHER_LIAISON = "resident", "reviewer_here", "liaison_elsewhere"
ADMIN = "admin"
EVERYONE = frozenset({RESIDENT, REVIEWER, OTHER_LIAISON, ADMIN})
MANAGERS = frozenset({OTHER_LIAISON, ADMIN})
REVIEWERS = frozenset({REVIEWER, OTHER_LIAISON, ADMIN})

COMMANDS = {
    "start": EVERYONE, "menu": EVERYONE, "help": EVERYONE, "huy": EVERYONE, "toi": EVERYONE,
    "lienket": EVERYONE, "quyenriengtu": EVERYONE, "nhanquyen": EVERYONE,
    "chuongtrinh": EVERYONE, "quyen": MANAGERS, "thongke": frozenset({ADMIN}),
    "guongtot": EVERYONE, "baoguong": EVERYONE, "duyet": REVIEWERS,
    "congtrinh": MANAGERS, "hoinghi": MANAGERS, "vandong": EVERYONE, "tiendo": MANAGERS,
    "nhacnho": EVERYONE, "thongbao": frozenset({ADMIN}), "noikhac": EVERYONE,
}
CHOICE_PREFIXES = {"p": EVERYONE, "pv": EVERYONE, "ro": MANAGERS, "cp": EVERYONE,
                   "cs": EVERYONE, "cc": EVERYONE, "cl": EVERYONE, "co": EVERYONE,
                   "q": EVERYONE, "gt": EVERYONE,
                   "gtd": REVIEWERS, "w": MANAGERS, "h": MANAGERS, "wc": MANAGERS,
                   "rf": EVERYONE, "rq": MANAGERS, "nn": EVERYONE,
                   "bc": frozenset({ADMIN}),
                   # a typed payload open to fewer people than its prefix's other buttons
                   "rq:ra": frozenset({ADMIN})}
FORMS = {"register": None, "edit_name": None, "edit_birth_year": None, "edit_unit": None,
         "edit_address": None,
         "privacy_withdraw": None, "privacy_delete": None,
         "role_invite": frozenset({"liaison", "admin"}),
         "deed_report": None, "deed_answer": None, "ref_join": None, "ref_add": None,
         "ref_week": None, "ref_code": None, "ref_link": None,
         "broadcast": frozenset({"admin"}),
         **{name: frozenset({"reviewer", "liaison"}) for name in (
             "deed_return", "deed_reject", "deed_nominate", "deed_award", "deed_note",
             "deed_consent", "deed_edit_nominee_name", "deed_edit_unit_code",
             "deed_edit_village", "deed_edit_what", "deed_edit_happened_on",
             "deed_edit_place")},
         **{name: frozenset({"liaison", "admin"}) for name in (
             "works_register", "works_progress", "conference_register",
             "ref_import", "ref_unit", "ref_reassign")}}

ROLE_REFUSAL = "chỉ dành cho cán bộ được phân quyền"
SCOPE_REFUSAL = "ngoài phạm vi"
APOLOGY = "gặp sự cố"
TARGET_UNIT = "ls.chi-lang"  # the reviewer's unit; the liaison works in Bắc Sơn


async def _person(session: AsyncSession, user: str, _now: object) -> int:
    account = await PeopleRepo(session).account("console", user)
    assert account is not None
    return account.person_id


async def setup_people(app: App, clock: MovableClock) -> int:
    """Create the four people and their grants; return the reviewer's grant id."""
    for user in (RESIDENT, REVIEWER, OTHER_LIAISON, ADMIN):
        await send_as(app, "console", user, "/start")
    now = clock.now()
    async with app.sessions() as session:
        grants = GrantRepo(session)
        admin = await _person(session, ADMIN, now)
        reviewer = await grants.grant(await _person(session, REVIEWER, now), "reviewer",
                                      TARGET_UNIT, now, granted_by=admin, reason="test")
        await grants.grant(await _person(session, OTHER_LIAISON, now), "liaison", "ls.bac-son",
                           now, granted_by=admin, reason="test")
        await session.commit()
        return reviewer.id


def _refused(replies: list[Reply]) -> bool:
    text = "\n".join(r.text for r in replies)
    assert APOLOGY not in text, text
    return ROLE_REFUSAL in text or SCOPE_REFUSAL in text


@pytest.fixture
async def walk_app(make_app: object, clock: MovableClock) -> tuple[App, int]:
    app = await make_app()  # type: ignore[operator]
    return app, await setup_people(app, clock)


def _button_prefixes(router: Router) -> set[str]:
    """Return the first segments of every old-style choice and typed payload."""
    return set(router.choices) | {cls.PREFIX.split(":", 1)[0] for cls, _, _ in router.actions}


def _forged(cls: type[Payload]) -> str:
    """Return a payload of the class's shape naming nothing that exists."""
    fields = dataclasses.fields(cls)
    hints = typing.get_type_hints(cls)
    values = ["999999999" if hints.get(f.name) is int else "forged" for f in fields]
    return ":".join([cls.PREFIX, *values])


def test_the_tables_cover_every_command_prefix_and_form() -> None:
    from bot.app import build_router

    router = build_router()
    assert set(router.commands) == set(COMMANDS), "add new commands to COMMANDS"
    assert _button_prefixes(router) == {p for p in CHOICE_PREFIXES if ":" not in p}, \
        "add new prefixes to CHOICE_PREFIXES"
    actions = {cls.PREFIX for cls, _, _ in router.actions}
    assert {p for p in CHOICE_PREFIXES if ":" in p} <= actions
    assert {name: form.roles for name, form in router.forms.forms.items()} == FORMS


async def test_every_command_typed_or_picked_from_a_menu(walk_app: tuple[App, int],
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    app, _ = walk_app
    for user in (RESIDENT, REVIEWER, OTHER_LIAISON, ADMIN):
        for name, who in COMMANDS.items():
            for message in ({"text": f"/{name}"}, {"choice": f"c:{name}"}):
                with caplog.at_level(logging.INFO):
                    replies = await send_as(app, "console", user, **message)
                assert replies, (user, name)
                assert _refused(replies) == (user not in who), (user, message, replies[0].text)
                await send_as(app, "console", user, "/huy")


async def test_the_main_menu_offers_exactly_what_may_be_used(walk_app: tuple[App, int]) -> None:
    app, _ = walk_app
    for user in (RESIDENT, REVIEWER, OTHER_LIAISON, ADMIN):
        menu = (await send_as(app, "console", user, "/menu"))[0]
        offered = {c.payload.removeprefix("c:") for c in menu.flat_choices()}
        if "noikhac" in offered:  # the programmes of other areas, one choice further
            offered.remove("noikhac")
            others = (await send_as(app, "console", user, choice="c:noikhac"))[0]
            offered |= {c.payload.removeprefix("c:") for c in others.flat_choices()} - {"menu"}
        expected = {name for name, who in COMMANDS.items()
                    if user in who and app.services.router.commands[name].menu_label}
        assert offered == expected, user


async def test_every_choice_prefix_with_a_forged_payload(walk_app: tuple[App, int],
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    app, _ = walk_app
    router = app.services.router
    forged = [(prefix, f"{prefix}:forged:1") for prefix in router.choices]
    forged += [(cls.PREFIX if cls.PREFIX in CHOICE_PREFIXES else cls.PREFIX.split(":", 1)[0],
                _forged(cls)) for cls, _, _ in router.actions]
    for user in (RESIDENT, REVIEWER, OTHER_LIAISON, ADMIN):
        for prefix, payload in forged:
            who = CHOICE_PREFIXES[prefix]
            caplog.clear()
            with caplog.at_level(logging.INFO):
                replies = await send_as(app, "console", user, choice=payload)
            assert _refused(replies) == (user not in who), (user, payload)
            assert caplog.records, "a forged payload is logged"
            await send_as(app, "console", user, "/huy")


async def test_revoking_a_grant_in_the_reviewers_unit(walk_app: tuple[App, int]) -> None:
    app, grant_id = walk_app
    expected = {RESIDENT: True, REVIEWER: True, OTHER_LIAISON: True, ADMIN: False}
    for user, refused in expected.items():
        for action in ("rv", "rvok") if refused else ("rv",):
            replies = await send_as(app, "console", user, choice=f"ro:{action}:{grant_id}")
            assert _refused(replies) == refused, (user, action)
    async with app.sessions() as session:
        grant = await GrantRepo(session).get(grant_id)
    assert grant is not None and grant.active  # nobody refused changed anything
    replies = await send_as(app, "console", ADMIN, choice=f"ro:rvok:{grant_id}")
    assert "Đã thu hồi" in replies[0].text
    async with app.sessions() as session:
        grant = await GrantRepo(session).get(grant_id)
    assert grant is not None and not grant.active


async def test_inviting_for_the_reviewers_unit(walk_app: tuple[App, int]) -> None:
    app, _ = walk_app
    for user, refused in ((OTHER_LIAISON, True), (ADMIN, False)):
        await send_as(app, "console", user, choice="ro:new")
        await send_as(app, "console", user, choice="f:reviewer")
        replies = await send_as(app, "console", user, choice=f"f:{TARGET_UNIT}.nhan-ly")
        assert _refused(replies) == refused, user
        assert ("kiểm tra lại" in replies[0].text) == (not refused)
        await send_as(app, "console", user, "/huy")
    for user in (RESIDENT, REVIEWER):
        replies = await send_as(app, "console", user, choice="ro:new")
        assert _refused(replies), user
