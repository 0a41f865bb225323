"""The buttons of /guongtot and /duyet: one typed payload per action (bot/core/payloads.py).

The packed strings are the ones buttons already sent carry (`gt:v:12`, `gtd:a:12:3:take`),
so old buttons and stored menus keep working; a forged or stale one does not parse and never
reaches a handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.payloads import Id, Payload, parse_id

# --- reporters (/guongtot) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewReport(Payload):
    """Start a new report."""

    PREFIX = "gt:new"


@dataclass(frozen=True, slots=True)
class MyReports(Payload):
    """List the reports I sent."""

    PREFIX = "gt:mine"


@dataclass(frozen=True, slots=True)
class MyReport(Payload):
    """Open one of my reports."""

    PREFIX = "gt:v"
    deed_id: Id


@dataclass(frozen=True, slots=True)
class AnswerReviewer(Payload):
    """Answer the question a reviewer asked about my report."""

    PREFIX = "gt:a"
    deed_id: Id


@dataclass(frozen=True, slots=True)
class Recognised(Payload):
    """Read the recognised deeds."""

    PREFIX = "gt:pub"


# --- reviewers (/duyet) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ByStatus(Payload):
    """List the reports in one status (a Status value; checked by the handler)."""

    PREFIX = "gtd:s"
    status: str


@dataclass(frozen=True, slots=True)
class ByUnit(Payload):
    """Count the open reports per unit."""

    PREFIX = "gtd:u"


@dataclass(frozen=True, slots=True)
class UnitQueue(Payload):
    """List the open reports of one unit."""

    PREFIX = "gtd:uu"
    unit_code: str


@dataclass(frozen=True, slots=True)
class OpenReport(Payload):
    """Show one report to a reviewer."""

    PREFIX = "gtd:d"
    deed_id: Id


@dataclass(frozen=True, slots=True)
class Decide(Payload):
    """Take a decision on a report as seen at `version` (an Action value)."""

    PREFIX = "gtd:a"
    deed_id: Id
    version: int
    action: str


@dataclass(frozen=True, slots=True)
class EditField(Payload):
    """Correct one field of a report as seen at `version`."""

    PREFIX = "gtd:ef"
    deed_id: Id
    version: int
    field: str


@dataclass(frozen=True, slots=True)
class ExportNominations(Payload):
    """Send the nominations within the reviewer's units as an XLSX file."""

    PREFIX = "gtd:x"


def report_number(text: str) -> int | None:
    """Read a typed report number ("12", "#12"): the same safe parser as the buttons."""
    return parse_id(text)
