"""Good deeds ("người tốt, việc tốt"): residents report, reviewers decide, reporters are told."""

from __future__ import annotations

from dataclasses import replace

from bot.core.dispatcher import Router
from handlers.common.feature import Feature
from handlers.deeds.personal_data import sections
from handlers.deeds.report import (
    answer_form,
    deeds_menu,
    report_form,
    reporter_choice,
    start_report,
)
from handlers.deeds.review import review_choice, review_command, review_forms

REVIEWERS = frozenset({"reviewer", "liaison"})


def register(router: Router) -> None:
    """Register /guongtot, /baoguong, /duyet, their choices, forms and personal data."""
    for section in sections():
        router.personal_data.add(section)
    router.forms.add(report_form())
    router.forms.add(answer_form())
    for form in review_forms():
        router.forms.add(replace(form, roles=REVIEWERS))
    router.command("guongtot", menu_label="menu.deeds", order=40)(deeds_menu)
    router.command("baoguong")(start_report)
    router.command("duyet", menu_label="menu.review", roles=REVIEWERS, order=60)(review_command)
    router.choice("gt")(reporter_choice)
    router.choice("gtd", roles=REVIEWERS)(review_choice)


FEATURE = Feature("deeds", register)
