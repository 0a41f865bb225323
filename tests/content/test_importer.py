"""`thidua content import`: a plan as issued becomes the `plan:` block of a campaign file."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from content.importer import ParsedPlan, PlanError, parse_plan
from content.importer.cli import run_import
from content.importer.read import read_bytes
from content.importer.write import BEGIN, END, load_yaml
from content.loader import DEFAULT_DIR, check_campaigns, load_campaigns
from content.schema import Campaign
from content.text import nfc

# The five plans (copies of ../shared/seeds kept in the repository) and the shared
# development question set (a copy): both are always here, so these tests never skip.
SEEDS = Path(__file__).resolve().parents[2] / "content" / "plans"
DEV_TSV = Path(__file__).with_name("lookup_dev.tsv")

# Ids people cite (a sample of the development set), kept here as the set lives outside.
CITED = {
    "000": ["I.1", "II", "II.2", "II.3", "III.1.b", "III.2.c", "IV", "IV.1", "IV.2", "IV.5"],
    "001": ["II.1", "II.2.1", "II.2.2", "II.3", "IV.1", "IV.2", "IV.5", "IV.6"],
    "002": ["I.1", "II.1.b", "II.2.a", "II.3.a", "II.4.d", "II.5.b", "II.6.a", "II.7.a"],
    "003": ["I.1", "II.1", "II.3", "III.1.a", "III.1.b", "III.2", "IV.1", "IV.2", "IV.5"],
    "004": ["II.3", "II.4.b", "II.5.a", "II.7.1.a", "II.7.1.c", "II.7.2.a", "II.7.2.c",
            "IV.1.b", "IV.1.c", "IV.4", "IV.6"],
}
CAMPAIGN_OF = {"000": "hon-quan-tong-tuyen-cu-80", "001": "chi-lang-dai-hoi-thi-dua",
               "002": "tuy-phuoc-chi-thi-19", "003": "bac-son-dan-van-kheo-2024",
               "004": "tram-tau-dai-hoi-dang"}


def _norm(text: str) -> str:
    # Emphasis marks ("“*Cả nước …*”") are formatting, not words of the plan: dropped.
    return re.sub(r"\s+", " ", nfc(text).replace("*", "")).strip()


def _seed(number: str) -> Path:
    return next(SEEDS.glob(f"{number}_*.txt"))


def _import(path: Path) -> ParsedPlan:
    return parse_plan(read_bytes(path.name, path.read_bytes()).paragraphs)


# --- an independent, simple reading of a seed: numbered lines and body lines ------------------

_NUMBERED = re.compile(r"^(?:([IVX]+)\.|(\d+(?:\.\d+)+)\.|(\d+)\.|([a-zđ])\))\s+(.*)$")


def _body(text: str) -> list[str]:
    """Non-empty lines from the first "I." to "Nơi nhận", lines cut by a page break joined."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith("I. "))
    end = next(i for i, line in enumerate(lines) if line.startswith("Nơi nhận"))
    body: list[str] = []
    for line in lines[start:end]:
        if body and line[0].islower() and not re.match(r"^[a-zđ]\) ", line):
            body[-1] += " " + line
        else:
            body.append(line)
    return body


def _expected_ids(body: list[str]) -> list[str]:
    ids: list[str] = []
    roman = arabic = ""
    sub = ""
    for line in body:
        m = _NUMBERED.match(line)
        if not m:
            continue
        if m[1]:
            roman, arabic, sub = m[1], "", ""
            ids.append(roman)
        elif m[2]:
            sub = m[2]
            ids.append(f"{roman}.{sub}")
        elif m[3]:
            arabic, sub = m[3], ""
            ids.append(f"{roman}.{arabic}")
        else:
            ids.append(f"{roman}.{sub or arabic}.{m[4]}")
    return ids


@pytest.mark.parametrize("number", sorted(CITED))
def test_each_seed_imports_every_section_and_passage(number: str) -> None:
    seed = _seed(number)
    text = seed.read_text(encoding="utf-8")
    plan = _import(seed)
    body = _body(text)
    ids = [s.id for s in plan.sections]
    assert ids == _expected_ids(body)
    assert set(CITED[number]) <= set(ids)
    flat = _norm(text)
    for section in plan.sections:
        assert _norm(section.heading) in flat
        for passage in section.passages:
            assert passage and _norm(passage) in flat, (section.id, passage[:40])
    # Every body line is in the plan once: a numbered line as its heading, its heading and
    # first passage ("Phòng Nội vụ: Tham mưu …") or a passage; any other line as a passage.
    headings = {s.id: s for s in plan.sections}
    numbered_only_heading = 0
    pool = [_norm(p) for s in plan.sections for p in s.passages]
    for line, section_id in zip([ln for ln in body if _NUMBERED.match(ln)], ids, strict=True):
        section = headings[section_id]
        item = _norm(_NUMBERED.match(line)[5])  # type: ignore[index]
        if item.rstrip(":") == section.heading:
            numbered_only_heading += 1
        else:
            first = _norm(section.passages[0])
            assert item in (first, f"{section.heading}: {first}"), section_id
            pool.remove(first)
    rest = [_norm(re.sub(r"^(?:[-+•]\s*)", "", ln)) for ln in body if not _NUMBERED.match(ln)]
    assert sorted(rest) == sorted(pool)
    assert plan.passage_count == len(body) - numbered_only_heading


def test_every_id_the_development_set_cites_exists() -> None:
    cited: dict[str, set[str]] = {}
    for line in DEV_TSV.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if line.startswith("#") or len(cols) < 4 or ":" not in cols[3]:
            continue
        for source in re.split(r"[;,| ]+", cols[3].strip()):
            if ":" in source:
                number, section = source.split(":", 1)
                cited.setdefault(number, set()).add(section)
    assert cited
    for number, sections in cited.items():
        plan = _import(_seed(number))
        ids = {s.id for s in plan.sections}
        # "title" cites the plan's title, the rest are sections.
        assert plan.title
        assert sections - {"title"} <= ids, number


def test_committed_campaigns_carry_their_imported_plan() -> None:
    campaigns = {c.id: c for c in load_campaigns()}
    for number, campaign_id in CAMPAIGN_OF.items():
        plan = campaigns[campaign_id].plan
        assert plan is not None, campaign_id
        assert plan.file == campaigns[campaign_id].document.file
        assert set(CITED[number]) <= {s.id for s in plan.sections}
        assert all(not d.confirmed for d in plan.dates)


def test_committed_plan_blocks_are_what_the_importer_writes_now(tmp_path: Path) -> None:
    directory = tmp_path / "campaigns"
    shutil.copytree(DEFAULT_DIR, directory)
    for number in CAMPAIGN_OF:
        assert run_import(_seed(number), directory=directory, stdout=io.StringIO()) == 0
    for path in sorted(directory.glob("*.yaml")):
        assert path.read_text(encoding="utf-8") == (DEFAULT_DIR / path.name).read_text(
            encoding="utf-8"), path.name


# --- behaviour on made-up plans (no seeds needed) -----------------------------------------------

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Phát động thi đua trồng cây năm 2025

Căn cứ Luật Thi đua, khen thưởng năm 2022;

I. MỤC ĐÍCH

1. Mục đích

- Trồng thêm cây xanh.

II. NỘI DUNG

1. Thời gian: Từ ngày 10/3/2025 đến hết ngày 30/4/2025.

2. Phòng Nội vụ: Tham mưu khen thưởng.

Gửi hồ sơ trước ngày 15/5/2025.

a) Đối với tập thể

+ Trồng ít nhất 100 cây.

UBND huyện đề nghị các cơ quan thực hiện./.

Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Ba
"""


def test_a_plan_is_read_with_header_sections_and_signature() -> None:
    plan = parse_plan(read_bytes("p.txt", PLAN.encode()).paragraphs)
    assert plan.issuer == "UBND huyện An Bình"
    assert plan.number == "Số: 12/KH-UBND"
    assert plan.date_text == "An Bình, ngày 05 tháng 3 năm 2025"
    assert plan.title == "Phát động thi đua trồng cây năm 2025"
    assert plan.preamble == ["Căn cứ Luật Thi đua, khen thưởng năm 2022;"]
    assert plan.signed_by == "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Trần Văn Ba"
    got = {s.id: (s.label, s.heading, s.passages) for s in plan.sections}
    assert got["II.2"] == ("2.", "Phòng Nội vụ",
                           ["Tham mưu khen thưởng.", "Gửi hồ sơ trước ngày 15/5/2025."])
    assert got["II.2.a"] == ("a)", "Đối với tập thể", ["Trồng ít nhất 100 cây."])
    # The closing sentence belongs to the last part, as people cite it ("II").
    assert got["II"] == ("II.", "NỘI DUNG", ["UBND huyện đề nghị các cơ quan thực hiện./."])
    assert not plan.warnings


def test_dates_are_listed_unconfirmed_with_their_sentence(tmp_path: Path) -> None:
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "plan.yaml"
    stdout = io.StringIO()
    assert run_import(source, out=out, stdout=stdout) == 0
    data = load_yaml(out.read_text(encoding="utf-8"))["plan"]
    dates = [(d["section"], str(d["date"]), d["kind"], d["confirmed"]) for d in data["dates"]]
    assert dates == [("II.1", "2025-03-10", "period", False),
                     ("II.1", "2025-04-30", "period", False),
                     ("II.2", "2025-05-15", "deadline", False)]
    printed = stdout.getvalue()
    assert "6 mục, 6 đoạn, 3 mốc ngày" in printed
    assert "15/05/2025 (hạn chót, chưa xác nhận): Gửi hồ sơ trước ngày 15/5/2025." in printed


def test_a_confirmed_date_stays_confirmed_when_the_plan_is_imported_again(
        tmp_path: Path) -> None:
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "plan.yaml"
    assert run_import(source, out=out, stdout=io.StringIO()) == 0
    text = out.read_text(encoding="utf-8")
    # The admin checks the deadline against the plan and confirms it.
    deadline = text.index("date: 2025-05-15")
    end = text.index("confirmed: false", deadline)
    out.write_text(text[:end] + "confirmed: true" + text[end + len("confirmed: false"):],
                   encoding="utf-8")
    stdout = io.StringIO()
    assert run_import(source, out=out, stdout=stdout) == 0
    dates = {str(d["date"]): d["confirmed"]
             for d in load_yaml(out.read_text(encoding="utf-8"))["plan"]["dates"]}
    assert dates == {"2025-03-10": False, "2025-04-30": False, "2025-05-15": True}
    assert "15/05/2025 (hạn chót, đã xác nhận, giữ nguyên)" in stdout.getvalue()
    # A plan whose deadline moved: the new date is not confirmed.
    source.write_text(PLAN.replace("15/5/2025", "20/5/2025"), encoding="utf-8")
    assert run_import(source, out=out, stdout=io.StringIO()) == 0
    dates = {str(d["date"]): d["confirmed"]
             for d in load_yaml(out.read_text(encoding="utf-8"))["plan"]["dates"]}
    assert dates["2025-05-20"] is False


def test_a_campaign_made_from_a_plan_reminds_nobody_until_the_admin_writes_deadlines(
        tmp_path: Path) -> None:
    from bot.delivery.reminders import deadline_occasions

    directory = tmp_path / "campaigns"
    directory.mkdir()
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    assert run_import(source, campaign="an-binh-trong-cay", unit="ls.bac-son",
                      directory=directory, stdout=io.StringIO()) == 0
    (made,) = load_campaigns(directory)
    assert made.plan is not None and len(made.plan.dates) == 3
    assert made.deadlines == [] and deadline_occasions([made]) == []


def test_numbering_that_skips_a_level_is_placed_under_the_nearest_parent() -> None:
    text = PLAN.replace("1. Mục đích\n", "a) Mục đích\n")
    plan = parse_plan(read_bytes("p.txt", text.encode()).paragraphs)
    assert "I.a" in [s.id for s in plan.sections]
    assert [k for k, _ in plan.warnings] == ["importer.warn_skip"]


def test_reimport_replaces_only_the_plan_block(tmp_path: Path) -> None:
    directory = tmp_path / "campaigns"
    shutil.copytree(DEFAULT_DIR, directory)
    target = directory / "bac-son-dan-van-kheo-2024.yaml"
    original = target.read_text(encoding="utf-8")
    before = original[: original.index(BEGIN)] if BEGIN in original else original
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    for _ in range(2):
        assert run_import(source, campaign="bac-son-dan-van-kheo-2024", directory=directory,
                          stdout=io.StringIO()) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith(before)  # comments, anchors and programme data untouched
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert not check_campaigns(directory)
    campaign = Campaign.model_validate(load_yaml(text))
    assert campaign.plan is not None
    assert campaign.plan.title == "Phát động thi đua trồng cây năm 2025"
    assert campaign.programmes.referral is not None


def test_a_hand_written_plan_key_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "c.yaml"
    target.write_text("plan:\n  title: viết tay\n", encoding="utf-8")
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    stderr = io.StringIO()
    assert run_import(source, out=target, stdout=io.StringIO(), stderr=stderr) == 1
    assert "viết tay" in target.read_text(encoding="utf-8")
    assert "khối plan: viết tay" in stderr.getvalue()


@pytest.mark.parametrize(("name", "data", "key"), [
    ("empty.txt", b"", "importer.empty"),
    ("blank.txt", b" \n\n \t\n", "importer.empty"),
    ("binary.txt", bytes(range(256)) * 4, "importer.not_utf8"),
    ("nul.txt", b"I. MUC\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f", "importer.binary"),
    ("prose.txt", "Một đoạn văn không có mục nào.\nDòng hai.".encode(), "importer.no_structure"),
])
def test_bad_input_is_refused_with_a_reason(name: str, data: bytes, key: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(read_bytes(name, data).paragraphs)
    assert caught.value.key == key


def test_refused_input_prints_vietnamese_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "empty.txt"
    source.write_bytes(b"")
    out = tmp_path / "out.yaml"
    stderr = io.StringIO()
    assert run_import(source, out=out, stdout=io.StringIO(), stderr=stderr) == 1
    assert not out.exists()
    assert "trống" in stderr.getvalue() and "Chưa ghi gì" in stderr.getvalue()


@pytest.mark.parametrize(("name", "data", "says"), [
    ("kehoach.txt", bytes(range(256)) * 64, "không phải văn bản UTF-8"),
    ("kehoach.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(512), "không phải văn bản"),
    ("kehoach.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "lưu thành .docx"),
    ("kehoach.docx", bytes(range(256)) * 4, "Không mở được tệp Word"),
    ("kehoach.pdf", b"\x89PNG\r\n\x1a\n" + bytes(512), "Không mở được tệp PDF"),
])
def test_a_binary_file_is_refused_in_vietnamese_and_nothing_is_written(
        tmp_path: Path, name: str, data: bytes, says: str) -> None:
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out.yaml"
    stderr = io.StringIO()
    assert run_import(source, out=out, stdout=io.StringIO(), stderr=stderr) == 1
    assert says in stderr.getvalue() and "Chưa ghi gì" in stderr.getvalue()
    assert not out.exists()


# --- .docx and .pdf give the same plan as the text ----------------------------------------------

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_paragraph(text: str) -> str:
    from xml.sax.saxutils import escape

    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _w_table(rows: list[list[list[str]]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(
            "<w:tc>" + "".join(_w_paragraph(t) for t in cell) + "</w:tc>" for cell in row
        ) + "</w:tr>" for row in rows)
    return f"<w:tbl>{cells}</w:tbl>"


def _docx(body_xml: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="xml" ContentType="application/'
            'xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W_NS}"><w:body>'
            f"{body_xml}</w:body></w:document>"))
    return buffer.getvalue()


def _docx_of_plan() -> bytes:
    """PLAN as Word lays it out: header and signature in two-column tables."""
    lines = [line for line in PLAN.splitlines() if line.strip()]
    body = lines[lines.index("KẾ HOẠCH"):lines.index("Nơi nhận:")]
    header = _w_table([
        [["ỦY BAN NHÂN DÂN", "HUYỆN AN BÌNH"],
         ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]],
        [["Số: 12/KH-UBND"], ["An Bình, ngày 05 tháng 3 năm 2025"]],
    ])
    signature = _w_table([[["Nơi nhận:", "- Như trên;", "- Lưu: VT."],
                           ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Ba"]]])
    return _docx(header + "".join(_w_paragraph(t) for t in body) + signature)


def _shape(plan: ParsedPlan) -> list[tuple[str, str, str, list[str]]]:
    return [(s.id, s.label, s.heading, s.passages) for s in plan.sections]


def test_a_docx_with_tables_gives_the_same_plan_as_its_text(tmp_path: Path) -> None:
    from_text = parse_plan(read_bytes("p.txt", PLAN.encode()).paragraphs)
    read = read_bytes("p.docx", _docx_of_plan())
    from_docx = parse_plan(read.paragraphs)
    assert _shape(from_docx) == _shape(from_text)
    for field in ("title", "issuer", "number", "date_text", "signed_by", "preamble"):
        assert getattr(from_docx, field) == getattr(from_text, field), field
    assert read.notes == [("importer.warn_tables", {"count": 2})]
    source = tmp_path / "an-binh.docx"
    source.write_bytes(_docx_of_plan())
    stdout = io.StringIO()
    assert run_import(source, out=tmp_path / "p.yaml", stdout=stdout) == 0
    assert "2 bảng: đã đọc từng hàng, từng ô" in stdout.getvalue()


def _merged(text: str, *, span: int = 1, restart: bool | None = None) -> str:
    """A table cell spanning columns (gridSpan) or merged with the cell above (vMerge)."""
    props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if restart is not None:
        props += '<w:vMerge w:val="restart"/>' if restart else "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_w_paragraph(text)}</w:tc>"


def test_a_docx_table_of_content_gives_one_passage_per_row_under_its_section(
        tmp_path: Path) -> None:
    lines = [line for line in PLAN.splitlines() if line.strip()]
    body = lines[lines.index("KẾ HOẠCH"):lines.index("Nơi nhận:")]
    at = body.index("a) Đối với tập thể")
    table = (
        "<w:tbl>"
        + "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(h)}</w:tc>" for h in (
            "STT", "Nội dung công việc", "Thời gian hoàn thành", "Đơn vị thực hiện")) + "</w:tr>"
        + "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(c)}</w:tc>" for c in (
            "1", "Xây dựng kế hoạch trồng cây")) + _merged("Tháng 3/2025", restart=True)
        + _merged("Phòng Tài nguyên và Môi trường", restart=True) + "</w:tr>"
        + "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(c)}</w:tc>" for c in (
            "2", "Tổ chức lễ phát động")) + _merged("", restart=False)
        + _merged("", restart=False) + "</w:tr>"
        + "<w:tr><w:tc>" + _w_paragraph("3") + "</w:tc>"
        + _merged("Tổng kết, khen thưởng trước ngày 15/5/2025", span=3) + "</w:tr>"
        + "</w:tbl>")
    xml = "".join(_w_paragraph(t) for t in body[:at]) + table + "".join(
        _w_paragraph(t) for t in body[at:])
    read = read_bytes("p.docx", _docx(xml))
    plan = parse_plan(read.paragraphs)
    section = next(s for s in plan.sections if s.id == "II.2")
    assert section.passages[-3:] == [
        "Nội dung công việc: Xây dựng kế hoạch trồng cây; Thời gian hoàn thành: Tháng 3/2025; "
        "Đơn vị thực hiện: Phòng Tài nguyên và Môi trường",
        "Nội dung công việc: Tổ chức lễ phát động; Thời gian hoàn thành: Tháng 3/2025; "
        "Đơn vị thực hiện: Phòng Tài nguyên và Môi trường",
        "Nội dung công việc: Tổng kết, khen thưởng trước ngày 15/5/2025",
    ]
    assert [s.id for s in plan.sections][-1] == "II.2.a"
    assert ("importer.warn_table_rows", {"count": 3}) in read.notes
    source = tmp_path / "bang.docx"
    source.write_bytes(_docx(xml))
    out = tmp_path / "p.yaml"
    stdout = io.StringIO()
    assert run_import(source, out=out, stdout=stdout) == 0
    assert "3 hàng của bảng nội dung" in stdout.getvalue()
    dates = load_yaml(out.read_text(encoding="utf-8"))["plan"]["dates"]
    assert {"II.2"} == {d["section"] for d in dates if str(d["date"]) == "2025-03-31"}


def test_a_broken_docx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        read_bytes("p.docx", b"PK\x03\x04 not really a zip")
    assert caught.value.key == "importer.bad_docx"


def _words(plan: ParsedPlan) -> list[str]:
    return sorted(w for s in plan.sections for t in [s.heading, *s.passages] for w in t.split())


def test_a_pdf_with_a_text_layer_gives_the_same_sections() -> None:
    from tests.content.pdf_writer import text_pdf

    paragraphs = [line for line in PLAN.splitlines() if line.strip()]
    from_pdf = parse_plan(read_bytes("p.pdf", text_pdf(paragraphs, width=40)).paragraphs)
    from_text = parse_plan(read_bytes("p.txt", PLAN.encode()).paragraphs)
    assert [s.id for s in from_pdf.sections] == [s.id for s in from_text.sections]
    assert _words(from_pdf) == _words(from_text)
    assert (from_pdf.title, from_pdf.number, from_pdf.signed_by) == (
        from_text.title, from_text.number, from_text.signed_by)


@pytest.mark.parametrize("number", sorted(CITED))
def test_each_seed_as_pdf_keeps_its_sections_and_words(number: str) -> None:
    from tests.content.pdf_writer import text_pdf

    seed = _seed(number)
    text = seed.read_text(encoding="utf-8")
    pdf = text_pdf([line.strip() for line in text.splitlines() if line.strip()])
    from_pdf = parse_plan(read_bytes("p.pdf", pdf).paragraphs)
    from_text = _import(seed)
    assert [s.id for s in from_pdf.sections] == [s.id for s in from_text.sections]
    # Paragraph ends are guessed from line lengths in a PDF: the words are all there.
    assert _words(from_pdf) == _words(from_text)
    assert from_pdf.title == from_text.title


def test_a_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    from tests.content.pdf_writer import scanned_pdf

    source = tmp_path / "scan.pdf"
    source.write_bytes(scanned_pdf(pages=3))
    out = tmp_path / "out.yaml"
    stderr = io.StringIO()
    assert run_import(source, out=out, stdout=io.StringIO(), stderr=stderr) == 1
    assert "không có lớp chữ" in stderr.getvalue() and "3 trang" in stderr.getvalue()
    assert not out.exists()


def test_a_broken_pdf_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        read_bytes("p.pdf", b"%PDF-1.4\nthis is not a pdf body")
    assert caught.value.key in ("importer.bad_pdf", "importer.scanned_pdf")


def test_a_5_mb_plan_is_imported_whole(tmp_path: Path) -> None:
    from bench.importer import big_plan

    text, sections, passages = big_plan(5 * 1024 * 1024)
    assert len(text.encode()) > 4_500_000
    source = tmp_path / "big.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "big.yaml"
    stdout = io.StringIO()
    assert run_import(source, out=out, stdout=stdout) == 0
    assert f"{sections} mục, {passages} đoạn" in stdout.getvalue()
    plan = load_yaml(out.read_text(encoding="utf-8"))["plan"]
    assert len(plan["sections"]) == sections
    assert plan["sections"][-1]["id"].endswith(".50")


# --- a new campaign from a plan alone -----------------------------------------------------------


def test_a_new_plan_becomes_a_campaign_that_passes_the_check(tmp_path: Path) -> None:
    from content.check import unit_problems
    from content.units import load_units

    directory = tmp_path / "campaigns"
    shutil.copytree(DEFAULT_DIR, directory)
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    stdout = io.StringIO()
    assert run_import(source, campaign="an-binh-trong-cay", unit="ls.bac-son",
                      directory=directory, stdout=stdout) == 0
    assert "Đã tạo phong trào mới" in stdout.getvalue()
    assert not check_campaigns(directory)
    campaigns = {c.id: c for c in load_campaigns(directory)}
    assert not unit_problems(campaigns.values(), load_units())
    made = campaigns["an-binh-trong-cay"]
    assert made.title == "Phát động thi đua trồng cây năm 2025"
    assert made.issuer == "UBND huyện An Bình" and made.province == "Lạng Sơn"
    # Drafted names people use: the district, the province (an alias steers only where the
    # other plans hardly use its words).
    assert made.short_name == "Phát động thi đua trồng cây năm 2025 An Bình"
    assert made.aliases[:2] == ["an bình", "lạng sơn"]
    assert made.period.end.isoformat() == "2025-05-15" and made.period.assumption
    assert [r.actor for r in made.organisation] == ["UBND huyện An Bình"]  # no "Tổ chức" part
    assert made.plan is not None and made.plan.section("II.2") is not None
    # Re-importing keeps the admin's edits outside the plan block.
    path = directory / "an-binh-trong-cay.yaml"
    edited = path.read_text(encoding="utf-8").replace(
        "short_name: Phát động thi đua trồng cây năm 2025 An Bình",
        "short_name: Trồng cây An Bình")
    path.write_text(edited, encoding="utf-8")
    assert run_import(source, campaign="an-binh-trong-cay", directory=directory,
                      stdout=io.StringIO()) == 0
    assert "short_name: Trồng cây An Bình" in path.read_text(encoding="utf-8")


def test_a_new_plan_whose_unit_is_unknown_is_not_written(tmp_path: Path) -> None:
    directory = tmp_path / "campaigns"
    directory.mkdir()
    source = tmp_path / "an-binh.txt"
    source.write_text(PLAN, encoding="utf-8")
    stderr = io.StringIO()
    assert run_import(source, campaign="an-binh", directory=directory, stdout=io.StringIO(),
                      stderr=stderr) == 1
    assert "--unit" in stderr.getvalue()
    assert not list(directory.iterdir())
    assert run_import(source, campaign="An Bình!", directory=directory, stdout=io.StringIO(),
                      stderr=stderr) == 1
    assert "không hợp lệ" in stderr.getvalue()


@pytest.mark.parametrize(("old", "new", "path", "problem"), [
    ('    - id: "I.2"\n', '    - id: "I.1"\n', "plan.sections", "repeated"),
    ('        - "Đợt thi đua phải', '        - " "\n        - "Đợt thi đua phải', "plan.sections",
     "empty"),
    ("      date: 2024-04-28\n      kind", "      date: 2024-04-31\n      kind", "",
     "invalid date"),
    ('    - section: "II.3"\n', '    - section: "IX.3"\n', "plan.dates[0].section",
     "no section"),
])
def test_content_check_reports_a_broken_plan_block(tmp_path: Path, old: str, new: str,
                                                    path: str, problem: str) -> None:
    directory = tmp_path / "campaigns"
    shutil.copytree(DEFAULT_DIR, directory)
    target = directory / "bac-son-dan-van-kheo-2024.yaml"
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    errors = check_campaigns(directory)
    assert len(errors) == 1, errors
    assert errors[0].path.startswith(path) and problem in errors[0].problem, errors[0]


def test_a_skipped_level_is_refused_unless_allowed_then_placed_and_reported(
        tmp_path: Path) -> None:
    source = tmp_path / "skip.txt"
    source.write_text(PLAN.replace("1. Mục đích\n", "a) Mục đích\n"), encoding="utf-8")
    refused = tmp_path / "refused.yaml"
    stderr = io.StringIO()
    assert run_import(source, out=refused, stdout=io.StringIO(), stderr=stderr) == 1
    assert "nhảy cấp" in stderr.getvalue() and "--allow-skips" in stderr.getvalue()
    assert not refused.exists()
    out = tmp_path / "plan.yaml"
    stdout = io.StringIO()
    assert run_import(source, out=out, stdout=stdout, allow_skips=True) == 0
    assert "nhảy cấp" in stdout.getvalue() and "nằm ngay dưới mục I," in stdout.getvalue()
    sections = load_yaml(out.read_text(encoding="utf-8"))["plan"]["sections"]
    assert "I.a" in [s["id"] for s in sections]
    strict_out = tmp_path / "strict.yaml"
    stderr = io.StringIO()
    assert run_import(source, out=strict_out, strict=True, allow_skips=True,
                      stdout=io.StringIO(), stderr=stderr) == 1
    assert "--strict" in stderr.getvalue() and not strict_out.exists()


def test_names_drafted_from_a_quoted_title() -> None:
    from content.importer.skeleton import _aliases, _place, _short_name

    title = ("Phát động đợt thi đua hưởng ứng cuộc thi trắc nghiệm trên Internet về “Dân vận "
             "khéo” tỉnh Lạng Sơn năm 2024")
    place = _place("UBND huyện Bắc Sơn", "Bắc Sơn")
    assert place == "Bắc Sơn"
    assert _short_name(title, place) == "Dân vận khéo Bắc Sơn"
    assert _aliases(title, place, "Lạng Sơn") == ["bắc sơn", "lạng sơn", "dân vận khéo"]


def test_names_drafted_from_the_document_a_plan_carries_out_and_its_repeated_quotes() -> None:
    from content.importer.skeleton import _aliases, _short_name

    title = ("Thực hiện Chỉ thị số 19/CT-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ "
             "về việc phát động thi đua và Kế hoạch 5 năm (2021 - 2025)")
    assert _short_name(title, "Tuy Phước") == "Thực hiện Chỉ thị số 19/CT-TTg Tuy Phước"
    assert _aliases(title, "Tuy Phước", "Bình Định") == [
        "tuy phước", "bình định", "chỉ thị 19", "chỉ thị số 19", "19/ct-ttg"]
    # "Kế hoạch 5 năm" names no document (no "số", no code): the title's first words then.
    assert _aliases("Thực hiện Kế hoạch 5 năm", "X", "Y")[2:] == ["thực hiện kế hoạch 5 năm"]
    # A name the plan quotes twice or more is a name of the campaign; quoted once, it is
    # another movement the plan mentions.
    texts = ["Hình thức: Tổ chức “Hội nghị điển hình tiên tiến”.",
             "Tiến hành “Hội nghị điển hình tiên tiến” cấp xã.",
             "Phong trào “Cả nước chung sức xây dựng nông thôn mới”."]
    aliases = _aliases("Tổ chức Đại hội thi đua yêu nước các cấp", "Chi Lăng", "Lạng Sơn", texts)
    assert "hội nghị điển hình tiên tiến" in aliases
    assert "cả nước chung sức xây dựng nông thôn mới" not in aliases


UNIT_OF = {"000": "bp.hon-quan", "001": "ls.chi-lang", "002": "bd.tuy-phuoc",
           "003": "ls.bac-son", "004": "yb.tram-tau"}


@pytest.mark.parametrize("number", sorted(UNIT_OF))
def test_each_seed_becomes_a_new_campaign_without_being_told_its_unit(
        tmp_path: Path, number: str) -> None:
    # The seeds lost their header (no "ỦY BAN NHÂN DÂN / HUYỆN …" lines): the body the plan
    # names as its own and the place of its date line, or the district it names most, tell.
    directory = tmp_path / "campaigns"
    directory.mkdir()
    stdout = io.StringIO()
    assert run_import(_seed(number), campaign=f"ke-hoach-{number}", directory=directory,
                      stdout=stdout) == 0, stdout.getvalue()
    (made,) = load_campaigns(directory)
    assert made.unit == UNIT_OF[number]
    curated = {c.id: c for c in load_campaigns(DEFAULT_DIR)}[CAMPAIGN_OF[number]]
    assert made.issuer == curated.issuer  # the unit's own spelling ("Hớn", not "Hón")


def test_the_issuer_of_a_plan_without_its_header_is_guessed_from_its_body() -> None:
    from content.importer.parse import guess_issuer

    def plan(date_line: str, body: str) -> ParsedPlan:
        text = f"KẾ HOẠCH\nThi đua\n{date_line}\nI. NỘI DUNG\n1. Việc\n- {body}\n"
        parsed = parse_plan(read_bytes("p.txt", text.encode()).paragraphs)
        parsed.date_text = date_line or None
        return parsed

    assert guess_issuer(plan("An Bình, ngày 05 tháng 3 năm 2025",
                             "Ủy ban nhân dân huyện ban hành Kế hoạch.")) == "UBND huyện An Bình"
    # No date line: the place of that level the plan names most.
    assert guess_issuer(plan("", "UBND thị xã đề nghị các xã; thị xã Đông Hà, thị xã Đông Hà "
                                 "và huyện Cam Lộ.")) == "UBND thị xã Đông Hà"
    # "UBND huyện Chi Lăng" names a body, it is not the plan speaking of itself.
    assert guess_issuer(plan("", "Gửi UBND huyện Chi Lăng.")) is None


def test_emphasis_marks_are_dropped_and_a_lone_asterisk_kept() -> None:
    from content.importer.read import strip_emphasis

    assert strip_emphasis("gắn với “*Học tập và làm theo*” và “*Chuyển đổi số*”") == (
        "gắn với “Học tập và làm theo” và “Chuyển đổi số”")
    assert strip_emphasis("phương châm **“dân chủ, pháp quyền”**.") == (
        "phương châm “dân chủ, pháp quyền”.")
    assert strip_emphasis("Ban Dân vận (*cơ quan tham mưu*): Kết thúc") == (
        "Ban Dân vận (cơ quan tham mưu): Kết thúc")
    assert strip_emphasis("Ghi chú (*) cuối trang; 2 * 3") == "Ghi chú (*) cuối trang; 2 * 3"


def test_a_table_caption_merged_over_the_first_row_is_its_own_paragraph() -> None:
    from content.importer.read import table_rows

    grid = [["Bảng phân công"] * 3, ["TT", "Nhiệm vụ", "Hạn"], ["1", "Báo cáo", "Tháng 5/2025"]]
    assert table_rows(grid) == ["Bảng phân công", "Nhiệm vụ: Báo cáo; Hạn: Tháng 5/2025"]
    # Without headings (numbers in the first row), the cells joined in order; the running
    # numbers are left out, or "1." would read as an item of the plan.
    assert table_rows([["1.", "Báo cáo", "Tháng 5/2025"], ["2.", "Tổng kết", "Quý IV/2025"]]) == [
        "Báo cáo; Tháng 5/2025", "Tổng kết; Quý IV/2025"]
