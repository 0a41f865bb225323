"""Fixtures of the lookup tests: the index of the committed plans, and plans imported the way an
admin adds one (`thidua content import`, no hand-written field)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from content.importer.cli import run_import
from content.loader import load_campaigns
from content.search import SearchIndex, build_index


@pytest.fixture(scope="session")
def committed() -> SearchIndex:
    """The index of the campaign files in content/campaigns (built once per session)."""
    return build_index(load_campaigns())


@pytest.fixture(scope="session")
def import_plan(tmp_path_factory: pytest.TempPathFactory
                ) -> Callable[[str, str, str], SearchIndex]:
    """Import a plan's text (saved as `file_name`) as campaign `campaign` of unit ls.bac-son,
    and return the index of that campaign alone."""

    def run(plan: str, file_name: str, campaign: str) -> SearchIndex:
        directory = tmp_path_factory.mktemp("campaigns")
        source = directory.parent / file_name
        source.write_text(plan, encoding="utf-8")
        assert run_import(Path(source), campaign=campaign, unit="ls.bac-son",
                          directory=directory, stdout=io.StringIO()) == 0
        return build_index(load_campaigns(directory))

    return run


@pytest.fixture(scope="module")
def imported(request: pytest.FixtureRequest,
             import_plan: Callable[[str, str, str], SearchIndex]) -> SearchIndex:
    """The test module's `PLAN` read by `thidua content import` with no hand-written field,
    saved and named as its `IMPORTED = (file name, campaign id)` says."""
    file_name, campaign = request.module.IMPORTED
    return import_plan(request.module.PLAN, file_name, campaign)
