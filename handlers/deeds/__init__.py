"""Good deeds ("người tốt, việc tốt"): residents report, reviewers decide, reporters are told.

Where things are: `report` (/guongtot, /baoguong, the report and answer forms), `queue`
(/duyet views), `decisions` (what a reviewer decides), `review_forms` (decisions that need
words), `payloads` (every button), `steps` (the questions), `views` (texts), `workflow`
(pure rules), `notices`, `export` (XLSX) and `cli` (`thidua export deeds`). Queries and
personal-data sections live in `storage/deeds/`.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Reply
from handlers.common.feature import Feature
from handlers.deeds import payloads as p
from handlers.deeds.access import REVIEW_ROLES
from handlers.deeds.cli import EXPORT
from handlers.deeds.decisions import decide, start_edit
from handlers.deeds.queue import (
    export,
    open_report,
    review_command,
    status_list,
    unit_list,
    units,
)
from handlers.deeds.report import (
    answer_form,
    deeds_menu,
    my_report,
    my_reports,
    new_report,
    recognised,
    report_form,
    start_answer,
    start_report,
)
from handlers.deeds.review_forms import review_forms
from handlers.deeds.web import WEB
from storage.deeds.personal_data import sections

REVIEWERS = frozenset(REVIEW_ROLES)


async def _stale(ctx: Context, _payload: str) -> list[Reply]:
    """A `gt:`/`gtd:` payload no typed button reads (forged, or from an older version)."""
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def register(router: Router) -> None:
    """Register /guongtot, /baoguong, /duyet, their buttons, forms and personal data."""
    for section in sections():
        router.personal_data.add(section)
    router.forms.add(report_form())
    router.forms.add(answer_form())
    for form in review_forms():
        router.forms.add(replace(form, roles=REVIEWERS))
    router.command("guongtot", menu_label="menu.deeds", order=40)(deeds_menu)
    router.command("baoguong")(start_report)
    router.command("duyet", menu_label="menu.review", roles=REVIEWERS, order=60)(review_command)
    router.action(p.NewReport)(new_report)
    router.action(p.MyReports)(my_reports)
    router.action(p.MyReport)(my_report)
    router.action(p.AnswerReviewer)(start_answer)
    router.action(p.Recognised)(recognised)
    router.action(p.ByStatus, roles=REVIEWERS)(status_list)
    router.action(p.ByUnit, roles=REVIEWERS)(units)
    router.action(p.UnitQueue, roles=REVIEWERS)(unit_list)
    router.action(p.OpenReport, roles=REVIEWERS)(open_report)
    router.action(p.Decide, roles=REVIEWERS)(decide)
    router.action(p.EditField, roles=REVIEWERS)(start_edit)
    router.action(p.ExportNominations, roles=REVIEWERS)(export)
    # The prefixes stay claimed, with who may press them: any other `gt:`/`gtd:` string is
    # refused by role first (reviewers' buttons) and then answered as a stale button.
    router.choice("gt")(_stale)
    router.choice("gtd", roles=REVIEWERS)(_stale)


FEATURE = Feature("deeds", register, cli=(EXPORT,), web=WEB)
