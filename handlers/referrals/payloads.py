"""The buttons of /vandong (`rf:…`) and /tiendo (`rq:…`), one typed payload per action.

The packed strings are the ones buttons already sent and chat states already stored carry
(e.g. `rf:wk:12:3`), so old buttons keep working. Ids and weeks are ASCII digits; a forged or
stale string does not parse and never reaches a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.payloads import Payload, PayloadError

# --------------------------------------------------------------------------- participant (rf)


@dataclass(frozen=True, slots=True)
class JoinCampaign(Payload):
    """Join the programme of a campaign (`key`: campaign_key of its id)."""

    PREFIX = "rf:join"
    key: str


@dataclass(frozen=True, slots=True)
class OtherCampaign(Payload):
    """Show my place in another campaign's programme."""

    PREFIX = "rf:cp"
    key: str


@dataclass(frozen=True, slots=True)
class ProgrammeInfo(Payload):
    """Quote the programme's criterion, weeks and reward."""

    PREFIX = "rf:info"
    key: str


@dataclass(frozen=True, slots=True)
class EnterCode(Payload):
    """Type someone's referral code by hand."""

    PREFIX = "rf:code"


@dataclass(frozen=True, slots=True)
class ConsentAgain(Payload):
    """Give the referrals consent again, after withdrawing it."""

    PREFIX = "rf:ok"
    pid: int


@dataclass(frozen=True, slots=True)
class Dashboard(Payload):
    """Back to a participant's dashboard."""

    PREFIX = "rf:home"
    pid: int


@dataclass(frozen=True, slots=True)
class MarkWeek(Payload):
    """List a participant's accounts for one week, to mark them."""

    PREFIX = "rf:wk"
    pid: int
    week: int


@dataclass(frozen=True, slots=True)
class MarkAll(Payload):
    """Mark every account of a participant for one week."""

    PREFIX = "rf:ma"
    pid: int
    week: int


@dataclass(frozen=True, slots=True)
class ToggleMark(Payload):
    """Mark or unmark one followed account's week (its participant or linked person)."""

    PREFIX = "rf:mk"
    mid: int
    week: int


@dataclass(frozen=True, slots=True)
class OtherWeek(Payload):
    """Pick another (earlier) week to mark."""

    PREFIX = "rf:wo"
    pid: int


@dataclass(frozen=True, slots=True)
class AddReferral(Payload):
    """Add a referred account."""

    PREFIX = "rf:add"
    pid: int


@dataclass(frozen=True, slots=True)
class ShowVerdict(Payload):
    """Tell whether the participant meets the criterion, and what is missing."""

    PREFIX = "rf:vd"
    pid: int


@dataclass(frozen=True, slots=True)
class Share(Payload):
    """Give the referral code and a forwardable invitation."""

    PREFIX = "rf:share"
    pid: int


@dataclass(frozen=True, slots=True)
class RemoveList(Payload):
    """List the referred accounts, to remove one."""

    PREFIX = "rf:rm"
    pid: int


@dataclass(frozen=True, slots=True)
class RemoveAsk(Payload):
    """Ask to confirm removing one referred account."""

    PREFIX = "rf:rmx"
    mid: int


@dataclass(frozen=True, slots=True)
class RemoveConfirm(Payload):
    """Remove one referred account (confirmed)."""

    PREFIX = "rf:rmy"
    mid: int


PARTICIPANT_ACTIONS: tuple[type[Payload], ...] = (
    JoinCampaign, OtherCampaign, ProgrammeInfo, EnterCode, ConsentAgain, Dashboard, MarkWeek,
    MarkAll, ToggleMark, OtherWeek, AddReferral, ShowVerdict, Share, RemoveList, RemoveAsk,
    RemoveConfirm,
)

# --------------------------------------------------------------------------- managers (rq)


@dataclass(frozen=True, slots=True)
class Progress(Payload):
    """Progress of a unit (`unit` empty: the manager's own scope)."""

    PREFIX = "rq:pg"
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Owing(Payload):
    """Who has not taken part in a week yet, in a unit."""

    PREFIX = "rq:ow"
    week: int
    unit: str = ""


@dataclass(frozen=True, slots=True)
class ExportProgress(Payload):
    """Send the progress workbook of a unit."""

    PREFIX = "rq:xp"
    unit: str = ""


@dataclass(frozen=True, slots=True)
class ExportEligible(Payload):
    """Send the workbook of the eligible participants of a unit."""

    PREFIX = "rq:xe"
    unit: str = ""


@dataclass(frozen=True, slots=True)
class WebProgress(Payload):
    """A one-time link to the progress page (table and charts) of a unit."""

    PREFIX = "rq:web"
    unit: str = ""


@dataclass(frozen=True, slots=True)
class ImportList(Payload):
    """Import an official weekly list in the chat."""

    PREFIX = "rq:im"


@dataclass(frozen=True, slots=True)
class OtherUnit(Payload):
    """Pick another unit to report on."""

    PREFIX = "rq:un"


@dataclass(frozen=True, slots=True)
class Reassign(Payload):
    """Move a referred account to another participant (admins)."""

    PREFIX = "rq:ra"


def unit_payload(make: Callable[[str], Payload], code: str) -> str:
    """Pack a payload naming a unit, or naming none (the default scope) when it would not fit."""
    if code.isascii():
        try:
            return make(code).pack()
        except PayloadError:
            pass
    return make("").pack()
