"""The buttons of /congtrinh and /hoinghi: one typed payload per action, today's bytes.

`w:<action>:…` for works, `h:<action>:…` for conferences, `wc:y:<then>` / `wc:n` for the
reporting consent asked before a first write. Buttons already sent and chat states already
stored keep working: `pack()` gives exactly the strings written before these classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from bot.core.payloads import MAX_ID, Id, Payload, parse_int

PREFIX_FAMILIES = ("w", "h", "wc")  # the first segment of every payload below
NO_WORK = 0  # no work has this id: an unreadable id is answered "not found"


# --------------------------------------------------------------------------- works: campaign


@dataclass(frozen=True, slots=True)
class WorksHome(Payload):
    """Open a campaign's works home (`w:c:<campaign>`)."""

    PREFIX = "w:c"
    campaign: str


@dataclass(frozen=True, slots=True)
class RegisterWork(Payload):
    """Start registering a work in a campaign (`w:n:<campaign>`)."""

    PREFIX = "w:n"
    campaign: str


@dataclass(frozen=True, slots=True)
class WorksList(Payload):
    """List the units short, late or complete (`w:l:<campaign>:s|l|c`)."""

    PREFIX = "w:l"
    campaign: str
    which: str


@dataclass(frozen=True, slots=True)
class AllWorks(Payload):
    """Page through every work of a campaign (`w:a:<campaign>:<page>`)."""

    PREFIX = "w:a"
    campaign: str
    page: int = 0


@dataclass(frozen=True, slots=True)
class FlagshipList(Payload):
    """List the flagship works of a campaign (`w:fl:<campaign>`)."""

    PREFIX = "w:fl"
    campaign: str


@dataclass(frozen=True, slots=True)
class ExportWorks(Payload):
    """Send the works of a campaign as an XLSX file (`w:x:<campaign>`)."""

    PREFIX = "w:x"
    campaign: str


CAMPAIGN_PAYLOADS = (WorksHome, RegisterWork, WorksList, AllWorks, FlagshipList, ExportWorks)


# --------------------------------------------------------------------------- works: one work


@dataclass(frozen=True, slots=True)
class WorkPayload(Payload):
    """A payload naming one work (`w:<action>:<work id>`).

    An id that is not a number reads as NO_WORK, so a forged or broken id is answered
    "work not found" like a withdrawn one, not as a stale button.
    """

    work_id: Id

    @classmethod
    def parse(cls, raw: str) -> Self | None:
        """Read the work id; anything unreadable becomes NO_WORK."""
        if not cls.matches(raw):
            return None
        work_id = parse_int(raw[len(cls.PREFIX) + 1:], 1, MAX_ID)
        return cls(NO_WORK if work_id is None else work_id)


@dataclass(frozen=True, slots=True)
class ViewWork(WorkPayload):
    """Show a work (`w:v:<id>`)."""

    PREFIX = "w:v"


@dataclass(frozen=True, slots=True)
class WorkPhotos(WorkPayload):
    """Show a work's recent progress photos (`w:ph:<id>`)."""

    PREFIX = "w:ph"


@dataclass(frozen=True, slots=True)
class ToggleFlagship(WorkPayload):
    """Choose or drop a work as a flagship, admins only (`w:f:<id>`)."""

    PREFIX = "w:f"


@dataclass(frozen=True, slots=True)
class EditWork(WorkPayload):
    """Edit a work's plan fields (`w:e:<id>`)."""

    PREFIX = "w:e"


@dataclass(frozen=True, slots=True)
class ReportProgress(WorkPayload):
    """Report progress on a work (`w:p:<id>`)."""

    PREFIX = "w:p"


@dataclass(frozen=True, slots=True)
class AskComplete(WorkPayload):
    """Ask to confirm a work is completed (`w:d:<id>`)."""

    PREFIX = "w:d"


@dataclass(frozen=True, slots=True)
class ConfirmComplete(WorkPayload):
    """Mark a work completed today (`w:dy:<id>`)."""

    PREFIX = "w:dy"


@dataclass(frozen=True, slots=True)
class AskWithdraw(WorkPayload):
    """Ask to confirm withdrawing a work (`w:r:<id>`)."""

    PREFIX = "w:r"


@dataclass(frozen=True, slots=True)
class ConfirmWithdraw(WorkPayload):
    """Withdraw a work (`w:ry:<id>`)."""

    PREFIX = "w:ry"


VIEW_PAYLOADS = (ViewWork, WorkPhotos, ToggleFlagship)
MANAGE_PAYLOADS = (EditWork, ReportProgress, AskComplete, ConfirmComplete, AskWithdraw,
                   ConfirmWithdraw)


# --------------------------------------------------------------------------- conferences


@dataclass(frozen=True, slots=True)
class ConferenceHome(Payload):
    """Open a campaign's conference home (`h:c:<campaign>`)."""

    PREFIX = "h:c"
    campaign: str


@dataclass(frozen=True, slots=True)
class RegisterConference(Payload):
    """Start registering a unit's conference (`h:n:<campaign>`)."""

    PREFIX = "h:n"
    campaign: str


@dataclass(frozen=True, slots=True)
class ConferenceList(Payload):
    """List the communes missing, late or on time (`h:l:<campaign>:m|l|o`)."""

    PREFIX = "h:l"
    campaign: str
    which: str


@dataclass(frozen=True, slots=True)
class ExportConferences(Payload):
    """Send the conferences of a campaign as an XLSX file (`h:x:<campaign>`)."""

    PREFIX = "h:x"
    campaign: str


@dataclass(frozen=True, slots=True)
class ConferencePayload(Payload):
    """A payload naming one conference (`h:<action>:<conference id>`); a forged id is stale
    (the base parser refuses an `Id` no row can have)."""

    conference_id: Id


@dataclass(frozen=True, slots=True)
class EditConference(ConferencePayload):
    """Edit a registered conference (`h:e:<conference id>`)."""

    PREFIX = "h:e"


@dataclass(frozen=True, slots=True)
class DocumentsSent(ConferencePayload):
    """Report the conference documents sent (`h:ds:<conference id>`)."""

    PREFIX = "h:ds"


@dataclass(frozen=True, slots=True)
class ConferenceHeld(ConferencePayload):
    """Report the conference held, which closes it (`h:hd:<conference id>`)."""

    PREFIX = "h:hd"


# --------------------------------------------------------------------------- consent


@dataclass(frozen=True, slots=True)
class ConsentYes(Payload):
    """Agree to the reporting consent, then go on with `then` (`wc:y:<payload>`)."""

    PREFIX = "wc:y"
    then: str = ""


@dataclass(frozen=True, slots=True)
class ConsentNo(Payload):
    """Decline the reporting consent (`wc:n`)."""

    PREFIX = "wc:n"


WORKS_PAYLOADS: tuple[type[Payload], ...] = (*CAMPAIGN_PAYLOADS, *VIEW_PAYLOADS,
                                             *MANAGE_PAYLOADS)
CONFERENCE_PAYLOADS: tuple[type[Payload], ...] = (ConferenceHome, RegisterConference,
                                                  ConferenceList, ExportConferences,
                                                  EditConference, DocumentsSent,
                                                  ConferenceHeld)
