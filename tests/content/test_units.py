"""Tests for the unit hierarchy: shipped data, lineage, search, validation and CSV import."""

from __future__ import annotations

import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from content.errors import ContentError
from content.units import DEFAULT_DIR, TYPES_FILE, Unit, UnitTree, check_units, load_units
from content.units_csv import default_out_path, import_units_csv, parse_date

BEFORE = date(2024, 10, 1)  # while the seed plans ran
AFTER = date(2026, 1, 15)  # after the 1/7/2025 reform


@pytest.fixture(scope="module")
def tree() -> UnitTree:
    return load_units()


def codes(units: list[Unit]) -> list[str]:
    return [u.code for u in units]


def found(results: list[tuple[Unit, float]]) -> list[str]:
    return [u.code for u, _score in results]


def write_units_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    shutil.copy(DEFAULT_DIR / TYPES_FILE, tmp_path / TYPES_FILE)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# --------------------------------------------------------------------------- shipped data


def test_shipped_units_have_no_problems() -> None:
    assert check_units() == []


def test_shipped_units_name_the_plans_units(tree: UnitTree) -> None:
    for code in ("bp.hon-quan", "ls.chi-lang", "bd.tuy-phuoc", "ls.bac-son", "yb.tram-tau"):
        unit = tree.get(code)
        assert unit is not None and unit.type_code == "huyen"
    nhan_ly = tree.get("ls.chi-lang.nhan-ly")
    assert nhan_ly is not None
    assert nhan_ly.name == "Nhân Lý"
    assert nhan_ly.full_name == "Xã Nhân Lý"
    assert nhan_ly.type_name == "Xã"
    assert nhan_ly.commune_level
    assert unicodedata.is_normalized("NFC", nhan_ly.name)


def test_trạm_tấu_had_twelve_commune_level_units_in_2024(tree: UnitTree) -> None:
    communes = tree.communes("yb.tram-tau", on=BEFORE)
    assert len(communes) == 12
    assert {u.type_code for u in communes} == {"xa", "thi_tran"}
    assert "Thị trấn Trạm Tấu" in [u.full_name for u in communes]
    # agencies are children of the district but not commune level
    assert tree.get("yb.tram-tau.phong-noi-vu") in tree.children("yb.tram-tau", on=BEFORE)


def test_path_text_reads_as_an_address(tree: UnitTree) -> None:
    assert tree.path_text("ls.chi-lang.nhan-ly") == "Xã Nhân Lý, Huyện Chi Lăng, Tỉnh Lạng Sơn"
    assert tree.path_text("ls") == "Tỉnh Lạng Sơn"
    # agencies are not prefixed with their type name
    assert (
        tree.path_text("ls.bac-son.ban-dan-van-huyen-uy")
        == "Ban Dân vận Huyện ủy, Huyện Bắc Sơn, Tỉnh Lạng Sơn"
    )
    assert tree.path_text("ls.xa-nhan-ly") == "Xã Nhân Lý, Tỉnh Lạng Sơn"


def test_ancestors_nearest_first(tree: UnitTree) -> None:
    assert codes(tree.ancestors("yb.tram-tau.tt-tram-tau")) == ["yb.tram-tau", "yb"]
    assert tree.ancestors("yb") == []
    assert tree.depth("yb.tram-tau.tt-tram-tau") == 2


def test_descendants_cover_every_depth(tree: UnitTree) -> None:
    below = codes(tree.descendants("ls"))
    assert "ls.chi-lang" in below  # depth 1, old district
    assert "ls.chi-lang.nhan-ly" in below  # depth 2
    assert "ls.xa-nhan-ly" in below  # depth 1, new commune
    # pre-order: a district comes before its communes
    assert below.index("ls.chi-lang") < below.index("ls.chi-lang.nhan-ly")


def test_children_filtered_by_day(tree: UnitTree) -> None:
    before = codes(tree.children("ls", on=BEFORE))
    after = codes(tree.children("ls", on=AFTER))
    assert "ls.bac-son" in before and "ls.xa-bac-son" not in before
    assert "ls.bac-son" not in after and "ls.xa-bac-son" in after
    assert {u.code for u in tree.roots(on=AFTER)} >= {"ls", "lc", "gl", "dn"}
    assert "yb" not in codes(tree.roots(on=AFTER))


def test_validity_of_units_around_the_reform(tree: UnitTree) -> None:
    assert tree.is_valid_on("ls.bac-son", BEFORE)
    assert tree.is_valid_on("ls.bac-son", date(2025, 6, 30))
    assert not tree.is_valid_on("ls.bac-son", date(2025, 7, 1))
    assert tree.is_valid_on("ls.xa-bac-son", date(2025, 7, 1))
    assert not tree.is_valid_on("ls.xa-bac-son", BEFORE)
    assert tree.is_valid_on("ls", BEFORE) and tree.is_valid_on("ls", AFTER)
    assert not tree.is_valid_on("no.such.unit", BEFORE)


# --------------------------------------------------------------------------- lineage


def test_old_commune_leads_to_its_successor(tree: UnitTree) -> None:
    assert codes(tree.successors_on("ls.chi-lang.mai-sao", AFTER)) == ["ls.xa-nhan-ly"]
    assert codes(tree.successors_on("yb.tram-tau.tt-tram-tau", AFTER)) == ["lc.xa-hanh-phuc"]
    # on a day the unit itself existed, it is its own answer
    assert codes(tree.successors_on("ls.chi-lang.mai-sao", BEFORE)) == ["ls.chi-lang.mai-sao"]


def test_split_district_leads_to_all_new_communes(tree: UnitTree) -> None:
    new = codes(tree.successors_on("ls.chi-lang", AFTER))
    assert len(new) == 6
    assert "ls.xa-nhan-ly" in new and "ls.xa-chi-lang" in new
    assert codes(tree.successors_on("yb", AFTER)) == ["lc"]


def test_predecessors_are_derived_and_most_specific(tree: UnitTree) -> None:
    unit = tree.get("ls.xa-nhan-ly")
    assert unit is not None
    assert "ls.chi-lang.nhan-ly" in unit.predecessors
    old = codes(tree.predecessors_on("ls.xa-nhan-ly", BEFORE))
    # the district is dropped because its communes are listed
    assert sorted(old) == [
        "ls.chi-lang.bac-thuy",
        "ls.chi-lang.lam-son",
        "ls.chi-lang.mai-sao",
        "ls.chi-lang.nhan-ly",
    ]
    assert codes(tree.lineage_on("ls.xa-nhan-ly", BEFORE)) == sorted(old, key=old.index)
    assert codes(tree.lineage_on("ls.chi-lang.nhan-ly", AFTER)) == ["ls.xa-nhan-ly"]


# --------------------------------------------------------------------------- search


def test_a_commune_merged_whole_belongs_to_the_new_commune(tree: UnitTree) -> None:
    """Xã Long Đống went whole into the new xã Bắc Sơn: the new xã's scope covers it (and
    its records); huyện Bắc Sơn, split among six new xã, belongs to none of them."""
    assert tree.heirs("ls.bac-son.long-dong") == ["ls.xa-bac-son"]
    assert tree.heirs("ls.bac-son") == []
    assert tree.heirs("ls.xa-bac-son") == []  # still in force
    assert "ls.xa-bac-son" in tree.covering("ls.bac-son.long-dong")
    assert "ls.xa-bac-son" not in tree.covering("ls.bac-son")
    assert "ls.xa-hung-vu" not in tree.covering("ls.bac-son.long-dong")
    assert tree.absorbed("ls.xa-bac-son") == [
        "ls.bac-son.tt-bac-son", "ls.bac-son.long-dong", "ls.bac-son.bac-quynh"]
    assert tree.within("ls.xa-bac-son") == [
        "ls.xa-bac-son", "ls.bac-son.tt-bac-son", "ls.bac-son.long-dong",
        "ls.bac-son.bac-quynh"]
    assert "yb.tram-tau.ban-cong" in tree.within("lc")  # Yên Bái merged whole into Lào Cai


def test_a_plans_area_touches_the_units_its_territory_is_in_now_or_was(tree: UnitTree) -> None:
    for code in ("ls.bac-son.long-dong", "ls.xa-bac-son", "ls", "ls.xa-vu-le"):
        assert tree.touches("ls.bac-son", code), code
    for code in ("ls.chi-lang.nhan-ly", "ls.xa-nhan-ly", "lc.xa-hanh-phuc", "nowhere"):
        assert not tree.touches("ls.bac-son", code), code
    assert tree.touches("yb.tram-tau", "lc") and tree.touches("yb.tram-tau", "lc.xa-ta-xi-lang")


@pytest.mark.parametrize("query", ["xa nhan ly", "Xã Nhân Lý", "Nhân Lý", "nhan ly", "NHÂN LÝ"])
def test_search_finds_nhân_lý_with_and_without_marks(tree: UnitTree, query: str) -> None:
    top = found(tree.search(query))[:2]
    assert set(top) == {"ls.chi-lang.nhan-ly", "ls.xa-nhan-ly"}


def test_search_tolerates_typos_and_decomposed_input(tree: UnitTree) -> None:
    assert found(tree.search("nhan li"))[0] in {"ls.chi-lang.nhan-ly", "ls.xa-nhan-ly"}
    assert found(tree.search("tram tua", on=AFTER))[0] == "lc.xa-tram-tau"
    decomposed = unicodedata.normalize("NFD", "Nhân Lý")
    assert found(tree.search(decomposed))[0] in {"ls.chi-lang.nhan-ly", "ls.xa-nhan-ly"}


def test_search_ranks_district_and_communes_of_the_same_name(tree: UnitTree) -> None:
    top = found(tree.search("chi lang"))
    assert "ls.chi-lang" in top and "ls.xa-chi-lang" in top
    assert found(tree.search("huyện chi lăng"))[0] == "ls.chi-lang"
    assert found(tree.search("xa chi lang", on=BEFORE))[0] == "ls.chi-lang.chi-lang"
    assert found(tree.search("tt tram tau"))[0] == "yb.tram-tau.tt-tram-tau"


def test_search_with_parent_name_ranks_the_commune_first(tree: UnitTree) -> None:
    results = tree.search("nhân lý chi lăng")
    assert results[0][0].code == "ls.chi-lang.nhan-ly"
    assert results[0][1] > results[1][1]
    assert found(tree.search("chi lăng nhân lý"))[0] == "ls.chi-lang.nhan-ly"


def test_search_by_day_finds_old_or_new_units(tree: UnitTree) -> None:
    in_2024 = found(tree.search("Huyện Bắc Sơn", on=date(2024, 3, 15)))
    assert in_2024[0] == "ls.bac-son"
    in_2026 = found(tree.search("Huyện Bắc Sơn", on=AFTER))
    assert "ls.bac-son" not in in_2026
    assert in_2026[0] == "ls.xa-bac-son"
    assert all(tree.is_valid_on(c, AFTER) for c in in_2026)


def test_search_finds_agencies_by_alias(tree: UnitTree) -> None:
    assert found(tree.search("ban dan van bac son"))[0] == "ls.bac-son.ban-dan-van-huyen-uy"
    assert found(tree.search("UBMTTQ huyện Trạm Tấu"))[0] == "yb.tram-tau.uy-ban-mttq"


def test_search_returns_nothing_for_nonsense(tree: UnitTree) -> None:
    assert tree.search("qwxz plmk") == []
    assert tree.search("   ") == []
    assert tree.search("!!!") == []
    assert len(tree.search("xa", limit=3)) <= 3


def test_search_scales_to_a_national_list(tmp_path: Path) -> None:
    rows = ["units:", "  - {code: p, name: Thử Nghiệm, type: tinh}"]
    for d in range(100):
        rows.append(f"  - {{code: p.h{d}, name: Huyện số {d}, type: huyen, parent: p}}")
        for c in range(150):
            rows.append(
                f"  - {{code: p.h{d}.x{c}, name: Xã mẫu {d} {c}, type: xa, parent: p.h{d}}}"
            )
    rows.append("  - {code: p.h7.nhan-ly, name: Nhân Lý, type: xa, parent: p.h7}")
    big = load_units(write_units_dir(tmp_path, {"big.yaml": "\n".join(rows) + "\n"}))
    assert len(big) > 15_000
    assert found(big.search("nhan ly huyen so 7"))[0] == "p.h7.nhan-ly"


# --------------------------------------------------------------------------- deeper trees


def test_no_fixed_number_of_levels(tmp_path: Path) -> None:
    text = """
units:
  - {code: t, name: Thử, type: tinh}
  - {code: t.h, name: Một, type: huyen, parent: t}
  - {code: t.h.x, name: Hai, type: xa, parent: t.h}
  - {code: t.h.x.th, name: Ba, type: thon, parent: t.h.x}
  - {code: t.h.x.th.tr, name: Tiểu học Ba, type: truong, parent: t.h.x.th}
"""
    deep = load_units(write_units_dir(tmp_path, {"deep.yaml": text}))
    assert codes(deep.descendants("t")) == ["t.h", "t.h.x", "t.h.x.th", "t.h.x.th.tr"]
    assert deep.path_text("t.h.x.th.tr") == "Tiểu học Ba, Thôn Ba, Xã Hai, Huyện Một, Tỉnh Thử"
    assert codes(deep.communes("t")) == ["t.h.x"]
    assert found(deep.search("thon ba"))[0] == "t.h.x.th"


# --------------------------------------------------------------------------- broken files


def problems(tmp_path: Path, text: str, name: str = "bad.yaml") -> list[ContentError]:
    return check_units(write_units_dir(tmp_path, {name: text}))


def test_unknown_parent_names_file_path_and_problem(tmp_path: Path) -> None:
    text = (
        "units:\n"
        "  - {code: a, name: A, type: tinh}\n"
        "  - {code: a.b, name: B, type: xa, parent: zz}\n"
    )
    write_units_dir(tmp_path, {"bad.yaml": text})
    with pytest.raises(ContentError) as caught:
        load_units(tmp_path)
    assert caught.value.file == "bad.yaml"
    assert caught.value.path == "units[1].parent"
    assert "zz" in caught.value.problem


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("units:\n  - {code: a, name: A, type: nope}\n", "units[0].type", "unknown type"),
        (
            "units:\n  - {code: a, name: A, type: tinh}\n  - {code: a, name: B, type: tinh}\n",
            "units[1].code",
            "duplicate code",
        ),
        (
            "units:\n  - {code: a, name: A, type: tinh, parent: b}\n"
            "  - {code: b, name: B, type: tinh, parent: a}\n",
            "parent",
            "cycle",
        ),
        (
            "units:\n  - {code: a, name: A, type: tinh, valid_from: 2025-07-01,"
            " valid_to: 2025-06-30}\n",
            "units[0].valid_to",
            "before valid_from",
        ),
        (
            "units:\n  - {code: a, name: A, type: tinh, valid_to: 2025-06-30,"
            " successors: [gone]}\n",
            "units[0].successors[0]",
            "does not exist",
        ),
        ("units:\n  - {code: A B, name: A, type: tinh}\n", "units[0].code", "pattern"),
        ("units:\n  - {code: a, name: A, type: tinh, colour: red}\n", "units[0].colour", ""),
        ("units:\n  - {code: a, type: tinh}\n", "units[0].name", "required"),
        ("units:\n  - {code: a, name: A, type: tinh, valid_to: 31/06/2025}\n", "valid_to", ""),
    ],
)
def test_broken_unit_files_are_reported(tmp_path: Path, text: str, path: str, words: str) -> None:
    errors = problems(tmp_path, text)
    assert errors, "expected a problem"
    assert all(e.file == "bad.yaml" for e in errors)
    assert any(path in e.path and words in e.problem for e in errors), errors


def test_invalid_yaml_syntax_is_reported_with_line(tmp_path: Path) -> None:
    errors = problems(tmp_path, "units:\n  - {code: a, name: [unclosed\n")
    assert len(errors) == 1
    assert errors[0].file == "bad.yaml"
    assert "invalid YAML" in errors[0].problem and "line" in errors[0].problem


def test_check_units_collects_every_problem(tmp_path: Path) -> None:
    text = (
        "units:\n"
        "  - {code: a, name: A, type: nope}\n"
        "  - {code: b, name: B, type: tinh, parent: missing}\n"
        "  - {code: c, name: C, type: tinh, valid_to: 2025-06-30, successors: [gone]}\n"
    )
    paths = {e.path for e in problems(tmp_path, text)}
    assert {"units[0].type", "units[1].parent", "units[2].successors[0]"} <= paths


def test_missing_types_table_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("units: []\n", encoding="utf-8")
    errors = check_units(tmp_path)
    assert errors[0].file == TYPES_FILE


# --------------------------------------------------------------------------- CSV import


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "units"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def test_default_out_path_is_a_slug_in_the_units_directory(tmp_path: Path) -> None:
    assert default_out_path(Path("/x/Danh sách ĐVHC 2025.csv"), tmp_path) == (
        tmp_path / "danh-sach-dvhc-2025.yaml"
    )


def test_parse_date_accepts_iso_and_day_first() -> None:
    assert parse_date("2025-07-01") == date(2025, 7, 1)
    assert parse_date("01/07/2025") == date(2025, 7, 1)
    with pytest.raises(ValueError):
        parse_date("07/31/2025")


def test_csv_import_round_trip_with_bom_and_semicolons(tmp_path: Path) -> None:
    units_dir = shipped_copy(tmp_path)
    csv_path = tmp_path / "thon.csv"
    csv_path.write_bytes(
        (
            "\ufeffMã;Tên;Loại;Mã cha;Hiệu lực từ;Hiệu lực đến;Kế thừa\n"
            "ls.xa-nhan-ly.thon-1;Thôn 1;thon;ls.xa-nhan-ly;01/07/2025;;\n"
            "ls.xa-nhan-ly.thon-1.doi-a;Đội A;xom;ls.xa-nhan-ly.thon-1;;;\n"
            ";Tổ dân phố 2;Tổ dân phố;ls.xa-nhan-ly;2025-07-01;;\n"
            "ls.chi-lang.nhan-ly.thon-cu;Thôn Cũ;Thôn;ls.chi-lang.nhan-ly;;30/06/2025;"
            "ls.xa-nhan-ly.thon-1\n"
        ).encode()
    )
    out = units_dir / "lang-son-thon.yaml"
    result = import_units_csv(csv_path, out, load_units(units_dir))
    assert result.ok, result.errors
    assert result.count == 4
    assert out.read_text(encoding="utf-8").startswith("# Imported from thon.csv")

    merged = load_units(units_dir)
    assert merged.path_text("ls.xa-nhan-ly.thon-1.doi-a") == (
        "Xóm Đội A, Thôn Thôn 1, Xã Nhân Lý, Tỉnh Lạng Sơn"
    )
    generated = merged.get("ls.xa-nhan-ly.to-dan-pho-2")
    assert generated is not None and generated.type_code == "to_dan_pho"
    assert generated.valid_from == date(2025, 7, 1)
    assert codes(merged.successors_on("ls.chi-lang.nhan-ly.thon-cu", AFTER)) == [
        "ls.xa-nhan-ly.thon-1"
    ]
    assert len(merged.descendants("ls.xa-nhan-ly")) == 3

    # importing the same list again replaces the file instead of clashing with it
    again = import_units_csv(csv_path, out, merged)
    assert again.ok, again.errors


def test_csv_import_reports_rows_and_writes_nothing(tmp_path: Path) -> None:
    units_dir = shipped_copy(tmp_path)
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(
        "code,name,type,parent,valid_from,valid_to,successors\n"
        "ls.xa-nhan-ly.ok,Thôn Tốt,thon,ls.xa-nhan-ly,,,\n"
        "ls.xa-nhan-ly.a,Thôn A,thon,ls.xa-nhan-ly,31/02/2025,,\n"
        "ls.xa-nhan-ly.b,Thôn B,lang xa,ls.xa-nhan-ly,,,\n"
        "ls.xa-nhan-ly.c,Thôn C,thon,ls.khong-co,,,\n"
        "ls.xa-nhan-ly.ok,Thôn Tốt Lại,thon,ls.xa-nhan-ly,,,\n"
        "ls.xa-nhan-ly,Trùng,xa,ls,,,\n",
        encoding="utf-8",
    )
    out = units_dir / "bad-import.yaml"
    result = import_units_csv(csv_path, out, load_units(units_dir))
    assert not result.ok
    assert not out.exists()
    by_path = {e.path: e.problem for e in result.errors}
    assert "bad date" in by_path["row 3.valid_from"]
    assert "unknown type" in by_path["row 4.type"]
    assert "unknown parent" in by_path["row 5.parent"]
    assert "duplicate code" in by_path["row 6.code"]
    assert "already exists in lang-son-2025.yaml" in by_path["row 7.code"]
    assert all(e.file == "bad.csv" for e in result.errors)
    assert [e.path for e in result.errors] == sorted(
        (e.path for e in result.errors), key=lambda p: int(p.split()[1].split(".")[0])
    )


def test_csv_import_rejects_unknown_columns_and_bad_encoding(tmp_path: Path) -> None:
    units_dir = shipped_copy(tmp_path)
    tree = load_units(units_dir)
    odd = tmp_path / "odd.csv"
    odd.write_text("ten,loai,mau sac\nA,xa,do\n", encoding="utf-8")
    result = import_units_csv(odd, units_dir / "odd.yaml", tree)
    assert [(e.path, e.problem) for e in result.errors] == [("row 1.mau sac", "unknown column")]

    latin = tmp_path / "latin.csv"
    latin.write_bytes("ten,loai\nNhân Lý,xa\n".encode("cp1258", errors="replace") + b"\xff\n")
    result = import_units_csv(latin, units_dir / "latin.yaml", tree)
    assert not result.ok and "UTF-8" in result.errors[0].problem
    assert not (units_dir / "latin.yaml").exists()
