"""The /vandong and /tiendo buttons keep the exact bytes buttons already sent carry."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.core.payloads import Payload
from handlers.referrals import payloads as p
from tests.referrals.helpers import send_as

# Every button as the feature packed it before typed payloads (chat states store these).
PACKED: list[tuple[Payload, str]] = [
    (p.JoinCampaign("1a2b3c4d"), "rf:join:1a2b3c4d"),
    (p.OtherCampaign("1a2b3c4d"), "rf:cp:1a2b3c4d"),
    (p.ProgrammeInfo("1a2b3c4d"), "rf:info:1a2b3c4d"),
    (p.EnterCode(), "rf:code"),
    (p.ConsentAgain(7), "rf:ok:7"),
    (p.Dashboard(7), "rf:home:7"),
    (p.MarkWeek(7, 3), "rf:wk:7:3"),
    (p.MarkAll(7, 3), "rf:ma:7:3"),
    (p.ToggleMark(12, 3), "rf:mk:12:3"),
    (p.OtherWeek(7), "rf:wo:7"),
    (p.AddReferral(7), "rf:add:7"),
    (p.ShowVerdict(7), "rf:vd:7"),
    (p.Share(7), "rf:share:7"),
    (p.RemoveList(7), "rf:rm:7"),
    (p.RemoveAsk(12), "rf:rmx:12"),
    (p.RemoveConfirm(12), "rf:rmy:12"),
    (p.Progress("ls.bac-son"), "rq:pg:ls.bac-son"),
    (p.Progress(), "rq:pg:"),
    (p.Owing(3, "ls.bac-son"), "rq:ow:3:ls.bac-son"),
    (p.Owing(3), "rq:ow:3:"),
    (p.ExportProgress("ls.bac-son"), "rq:xp:ls.bac-son"),
    (p.ExportEligible("ls.bac-son"), "rq:xe:ls.bac-son"),
    (p.ImportList(), "rq:im"),
    (p.OtherUnit(), "rq:un"),
    (p.Reassign(), "rq:ra"),
    (p.WebProgress("ls.bac-son"), "rq:web:ls.bac-son"),
]


@pytest.mark.parametrize(("payload", "packed"), PACKED)
def test_buttons_keep_their_bytes_and_read_back(payload: Payload, packed: str) -> None:
    assert payload.pack() == packed
    assert type(payload).parse(packed) == payload


def test_every_button_class_is_checked_and_registered(app: App) -> None:
    classes = {type(payload) for payload, _ in PACKED}
    assert classes == {c for c in vars(p).values()
                       if isinstance(c, type) and issubclass(c, Payload) and c is not Payload}
    registered = {cls for cls, _, _ in app.services.router.actions}
    assert classes <= registered


def test_a_unit_that_would_not_fit_falls_back_to_the_managers_own_scope() -> None:
    long_code = "ls." + "x" * 70
    assert p.unit_payload(p.Progress, long_code) == "rq:pg:"
    assert p.unit_payload(p.Progress, "ls.bắc-sơn") == "rq:pg:"  # not ASCII
    assert p.unit_payload(lambda code: p.Owing(2, code), "ls.bac-son") == "rq:ow:2:ls.bac-son"


@pytest.mark.parametrize("forged", [
    "rf:mk:²:3", "rf:home:①", "rf:wk:1:99999999999999999999", "rf:rmy:-1", "rf:add:",
    "rq:ow:x:ls.bac-son",
])
async def test_forged_numbers_get_the_stale_answer_not_an_error(app: App, forged: str) -> None:
    [reply] = await send_as(app, "console", "admin", choice=forged)
    assert "Lựa chọn này không còn hiệu lực" in reply.text, reply.text
