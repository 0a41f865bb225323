"""Campaign files: they load, key facts are exact, and broken files are reported precisely."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from content.browse import has_ended, is_running, section_text, summary
from content.errors import ContentError
from content.loader import DEFAULT_DIR, check_campaigns, load_campaigns
from content.messages import Messages
from content.passages import iter_passages
from content.schema import SECTION_KEYS, Campaign
from content.text import fold

MESSAGES = Messages.load()
# The five plans, kept in the repository (content/plans, copies of ../shared/seeds).
SEEDS = Path(__file__).resolve().parents[2] / "content" / "plans"
BAC_SON = "bac-son-dan-van-kheo-2024"


@pytest.fixture(scope="module")
def campaigns() -> dict[str, Campaign]:
    return {c.id: c for c in load_campaigns()}


def _copy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "campaigns"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def test_all_five_plans_load(campaigns: dict[str, Campaign]) -> None:
    assert set(campaigns) == {
        "hon-quan-tong-tuyen-cu-80",
        "chi-lang-dai-hoi-thi-dua",
        "tuy-phuoc-chi-thi-19",
        BAC_SON,
        "tram-tau-dai-hoi-dang",
    }
    assert check_campaigns() == []


def test_bac_son_referral_facts(campaigns: dict[str, Campaign]) -> None:
    ref = campaigns[BAC_SON].programmes.referral
    assert ref is not None
    assert ref.min_age.value == "16" and ref.min_age.number == 16
    assert ref.min_referrals.value == "02"
    assert ref.consecutive_weeks.value == "05"
    assert ref.max_referrals.number == 5 and ref.max_referrals.assumption
    assert ref.until.date == dt.date(2024, 4, 28)
    assert (ref.weeks[0].start, ref.weeks[0].end) == (dt.date(2024, 3, 25), dt.date(2024, 3, 31))
    assert ref.weeks[-1].end == dt.date(2024, 4, 28)
    assert ref.weeks_assumption and ref.weeks_note
    assert ref.reward.form == "Giấy khen" and ref.reward.granted_by == "Chủ tịch UBND huyện"
    assert "mẫu số 08" in ref.report_form and "98/2023/NĐ-CP" in ref.report_form
    assert [s.actor for s in ref.report_path][1:] == [
        "Ban Dân vận Huyện ủy",
        "Phòng Nội vụ",
        "Hội đồng Thi đua - Khen thưởng huyện",
        "Chủ tịch UBND huyện",
    ]
    assert any("152/2025/NĐ-CP" in n.text for n in ref.report.notes)


def test_tram_tau_works_facts(campaigns: dict[str, Campaign]) -> None:
    works = campaigns["tram-tau-dai-hoi-dang"].programmes.works
    assert works is not None
    assert works.register_by.date == dt.date(2024, 10, 25) and not works.register_by.inclusive
    assert "25/10/2024" in works.register_by.text
    assert works.minimum_for("xa") == 2 and works.minimum_for("thi-tran") == 2
    assert works.minimum_for("truong-hoc") == 1
    assert [r.count for r in works.minimum_per_unit] == ["02", "01"]
    assert [f.label for f in works.required_fields] == [
        "khối lượng",
        "địa điểm thi công",
        "dự kiến giá trị thực hiện",
        "nguồn kinh phí thực hiện",
        "thời gian dự kiến hoàn thành",
    ]
    assert works.flagship.value == "02"
    period = campaigns["tram-tau-dai-hoi-dang"].period
    assert (period.start, period.end) == (dt.date(2024, 10, 1), dt.date(2025, 12, 31))


def test_chi_lang_conference_facts(campaigns: dict[str, Campaign]) -> None:
    conf = campaigns["chi-lang-dai-hoi-thi-dua"].programmes.conference
    assert conf is not None
    xa, huyen = conf.levels
    assert xa.plenary_below_staff is not None and xa.plenary_below_staff.value == "200"
    assert xa.due.date == dt.date(2025, 3, 31) and "quý I năm 2025" in xa.due.text
    assert len(xa.forms) == 4
    assert huyen.max_delegates is not None and huyen.max_delegates.value == "300"
    assert huyen.due.date == dt.date(2025, 4, 30)
    assert (huyen.grassroots_percent.number, huyen.guests_percent.number) == (70, 30)
    assert "1/2 ngày" in huyen.duration.text
    assert conf.pilot is not None and conf.pilot.unit == "ls.chi-lang.nhan-ly"
    assert conf.pilot.due.date == dt.date(2025, 2, 28)
    assert conf.documents_days_before.value == "15"
    assert {d.due for d in conf.deliverables} == {dt.date(2024, 11, 30)}


def test_advanced_example_steps(campaigns: dict[str, Campaign]) -> None:
    examples = campaigns["tuy-phuoc-chi-thi-19"].programmes.examples
    assert examples is not None
    assert examples.steps == ["Phát hiện", "bồi dưỡng", "tổng kết", "nhân rộng"]
    forms = [r.text for r in campaigns["hon-quan-tong-tuyen-cu-80"].rewards]
    assert forms[0] == "Bằng khen của Thủ tướng Chính phủ."
    assert len(forms) == 4


def test_every_leaf_has_a_source(campaigns: dict[str, Campaign]) -> None:
    for campaign in campaigns.values():
        located = list(iter_passages(campaign))
        assert len(located) > 20
        for loc in located:
            assert loc.passage.source, (campaign.id, loc.path)
            assert loc.passage.text, (campaign.id, loc.path)


def test_quoted_passages_are_verbatim(campaigns: dict[str, Campaign]) -> None:
    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", fold(text.replace("*", ""))).strip()

    for campaign in campaigns.values():
        assert campaign.document.file
        plan = norm((SEEDS / campaign.document.file).read_text(encoding="utf-8"))
        for loc in iter_passages(campaign):
            if loc.passage.quote:
                assert norm(loc.passage.text) in plan, (campaign.id, loc.path)


def test_replaced_texts_carry_dated_notes(campaigns: dict[str, Campaign]) -> None:
    for campaign in campaigns.values():
        for loc in iter_passages(campaign):
            text = loc.passage.text
            if "thị trấn" in text or "98/2023" in text:
                assert any(n.date == dt.date(2025, 7, 1) for n in loc.passage.notes), (
                    campaign.id,
                    loc.path,
                )


def test_bad_date_names_file_path_and_problem(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    file = directory / f"{BAC_SON}.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("end: 2024-04-14}", "end: 2024-04-13}"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_campaigns(directory)
    assert info.value.file == f"{BAC_SON}.yaml"
    assert info.value.path == "programmes.referral.weeks[2].end"
    assert "Sunday" in info.value.problem


def test_unparseable_date_is_reported(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    file = directory / f"{BAC_SON}.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("  end: 2024-04-28\n", "  end: 31/4/2024\n", 1), "utf-8")
    errors = check_campaigns(directory)
    assert [(e.file, e.path) for e in errors] == [(f"{BAC_SON}.yaml", "period.end")]
    assert "date" in errors[0].problem


def test_missing_field_is_reported(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    file = directory / "tram-tau-dai-hoi-dang.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(
        text.replace("    send_to: Ủy ban nhân dân huyện", "    x_send_to: U"), "utf-8"
    )
    errors = check_campaigns(directory)
    paths = {(e.path, e.problem) for e in errors}
    assert ("programmes.works.send_to", "required field is missing") in paths
    assert ("programmes.works.x_send_to", "unknown field (check the spelling)") in paths


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    file = directory / "chi-lang-dai-hoi-thi-dua.yaml"
    file.write_text(file.read_text("utf-8").replace("id: chi-lang", "id: [chi-lang", 1), "utf-8")
    with pytest.raises(ContentError) as info:
        load_campaigns(directory)
    assert info.value.file == "chi-lang-dai-hoi-thi-dua.yaml"
    assert info.value.problem.startswith("YAML syntax error: line")


def test_check_collects_problems_of_every_file(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    for name in ("chi-lang-dai-hoi-thi-dua.yaml", "tuy-phuoc-chi-thi-19.yaml"):
        file = directory / name
        file.write_text(file.read_text("utf-8").replace("source: I.1", "source: ''"), "utf-8")
    errors = check_campaigns(directory)
    assert {e.file for e in errors} == {
        "chi-lang-dai-hoi-thi-dua.yaml",
        "tuy-phuoc-chi-thi-19.yaml",
    }
    assert all("empty" in e.problem for e in errors)


def test_duplicate_id_is_reported(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    shutil.copy(directory / f"{BAC_SON}.yaml", directory / "copy.yaml")
    errors = check_campaigns(directory)
    assert [(e.file, e.path) for e in errors] == [("copy.yaml", "id")]


def test_weeks_must_match_the_count(tmp_path: Path) -> None:
    directory = _copy_dir(tmp_path)
    file = directory / f"{BAC_SON}.yaml"
    text = file.read_text("utf-8")
    file.write_text(text.replace('      value: "05"', '      value: "04"'), "utf-8")
    errors = check_campaigns(directory)
    assert [(e.path, e.problem.split(",")[0]) for e in errors] == [
        ("programmes.referral.weeks", "5 weeks listed")
    ]


def test_period_status(campaigns: dict[str, Campaign]) -> None:
    bac_son = campaigns[BAC_SON]
    assert is_running(bac_son, dt.date(2024, 4, 28))
    assert not has_ended(bac_son, dt.date(2024, 4, 28))
    assert has_ended(bac_son, dt.date(2024, 4, 29)) and not is_running(
        bac_son, dt.date(2024, 4, 29)
    )
    tram_tau = campaigns["tram-tau-dai-hoi-dang"]
    assert not is_running(tram_tau, dt.date(2024, 9, 30))
    assert is_running(tram_tau, dt.date(2024, 10, 1))


def test_sections_are_plain_text_with_sources(campaigns: dict[str, Campaign]) -> None:
    for campaign in campaigns.values():
        assert campaign.short_name in summary(MESSAGES, campaign)
        for key in SECTION_KEYS:
            text = section_text(MESSAGES, campaign, key)
            assert "**" not in text and "#" not in text
            for line in text.splitlines()[1:]:
                if line.startswith("- "):
                    assert re.search(r"\((Mục [IVX][^)]*|Phần mở đầu)\)$", line), line
    deadlines = section_text(MESSAGES, campaigns["tram-tau-dai-hoi-dang"], "han_chot")
    assert "(25/10/2024)" in deadlines and "(30/6/2025)" not in deadlines
    assert "Ghi chú của Trợ lý (cập nhật 01/7/2025)" in deadlines
    with pytest.raises(KeyError):
        section_text(MESSAGES, campaigns[BAC_SON], "khong_co")
