"""Rule lookup in chat: plain questions, browsing campaigns, no registration needed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from storage.models import ConsentRow
from tests.harness import Chat

ROOT = Path(__file__).resolve().parents[2]


async def test_unaccented_question_gets_the_same_answer(chat: Chat, app: App) -> None:
    await chat.send("Dân vận khéo hết hạn ngày nào?")
    accented = await chat.reply()
    await chat.send("dan van kheo het han ngay nao")
    assert await chat.reply() == accented
    assert "28/4/2024" in accented and "(Mục II.3)" in accented
    assert "Nguồn: Dân vận khéo Bắc Sơn 2024" in accented
    async with app.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ConsentRow)) == 0


async def test_answer_quotes_the_passage_and_adds_the_dated_note(chat: Chat) -> None:
    await chat.send("báo cáo thành tích dân vận khéo theo mẫu nào")
    answer = await chat.reply()
    assert "mẫu số 08, tại Nghị định số 98/2023/NĐ-CP" in answer
    assert answer.index("(Mục IV.1)") < answer.index("Ghi chú của Trợ lý (cập nhật 01/7/2025)")
    assert "152/2025/NĐ-CP" in answer


async def test_out_of_scope_question_abstains_and_says_whom_to_ask(chat: Chat) -> None:
    await chat.send("giá vàng hôm nay bao nhiêu")
    reply = await chat.reply()
    assert reply.startswith("Chưa tìm thấy câu trả lời")
    assert "cán bộ đầu mối" in reply
    assert any("Dân vận khéo Bắc Sơn 2024" in c for c in chat.choices())


async def test_campaign_list_puts_running_first_and_marks_ended(chat: Chat) -> None:
    await chat.send("/chuongtrinh")
    await chat.reply()
    labels = chat.choices()
    running = [i for i, label in enumerate(labels) if label.endswith("đang diễn ra")]
    others = [i for i, label in enumerate(labels) if not label.endswith("đang diễn ra")]
    assert running and max(running) < min(others)
    assert "Dân vận khéo Bắc Sơn 2024 — đang diễn ra" in labels
    assert any(label.endswith("sắp diễn ra") and "Trạm Tấu" in label for label in labels)
    await chat.send("/clock 2026-01-10 09:00")
    await chat.reply()
    await chat.send("/chuongtrinh")
    await chat.reply()
    assert "Dân vận khéo Bắc Sơn 2024 — đã kết thúc" in chat.choices()


async def test_many_campaigns_come_a_page_at_a_time(chat: Chat, app: App) -> None:
    """With twenty imported plans the list is pages of 8 (running first), not one message of
    twenty lines: "Xem thêm" leads on, "Trang trước" back, and a campaign on page 3 opens."""
    originals = list(app.services.campaigns.values())
    many = {c.id: c for c in originals}
    for k in range(1, 4):
        for c in originals:
            copy = c.model_copy(update={"id": f"{c.id}-copy-{k}",
                                        "short_name": f"{c.short_name} (bản {k})"})
            many[copy.id] = copy
    app.services.campaigns = many
    await chat.send("/chuongtrinh")
    await chat.reply()
    first = chat.choices()
    assert len(first) == 9 and first[-1] == "Xem thêm chương trình (trang 2/3)"
    await chat.send("9")
    assert "trang 2/3" in await chat.reply()
    second = chat.choices()
    assert second[-2:] == ["Xem thêm chương trình (trang 3/3)", "Trang trước"]
    assert not set(second[:8]) & set(first[:8])
    await chat.send("Xem thêm chương trình (trang 3/3)")
    assert "trang 3/3" in await chat.reply()
    third = chat.choices()
    assert len(third) == 5 and third[-1] == "Trang trước"  # 20 = 8 + 8 + 4
    assert len(set(first[:8]) | set(second[:8]) | set(third[:4])) == 20
    await chat.send("1")
    assert "Bạn muốn xem mục nào?" in await chat.reply()


async def test_browse_a_section_then_set_the_current_campaign(chat: Chat) -> None:
    await chat.send("/chuongtrinh")
    await chat.reply()
    await chat.send("Thi đua đặc biệt chào mừng Đại hội Đảng (Trạm Tấu) — sắp diễn ra")
    assert "Bạn muốn xem mục nào?" in await chat.reply()
    await chat.send("Hạn chót")
    deadlines = await chat.reply()
    assert deadlines.startswith("Hạn chót - ") and "25/10/2024" in deadlines
    await chat.send("Đặt làm chương trình mặc định khi hỏi")
    assert "ưu tiên trả lời theo" in await chat.reply()
    await chat.send("hạn chót?")
    answer = await chat.reply()
    assert "Trạm Tấu" in answer and re.search(r"\(Mục [IV]", answer)


async def test_alternative_answers_open_and_forged_ones_do_not(chat: Chat, app: App) -> None:
    from bot.core.types import Incoming

    await chat.send("hạn chót đăng ký công trình là khi nào?")
    await chat.reply()
    alternatives = [c for c in chat.choices() if c.startswith("Ý khác")]
    assert alternatives
    await chat.send(alternatives[0])
    assert "(Mục " in await chat.reply()
    forged = await app.handle(Incoming("console", "lan", "lan", choice="q:99999:deadbeef"))
    assert "không còn hiệu lực" in forged[0].text
    forged = await app.handle(Incoming("console", "lan", "lan", choice="cs:khong-co:han_chot"))
    assert "Không tìm thấy chương trình" in forged[0].text


def test_a_broken_campaign_file_stops_startup_with_file_path_and_problem(
    tmp_path: Path,
) -> None:
    for name in ("bot", "handlers", "content", "storage"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    broken = tmp_path / "content" / "campaigns" / "bac-son-dan-van-kheo-2024.yaml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("    home_unit: ls.bac-son", "    home_unit: ls.khong-co"),
                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--jsonl"], cwd=tmp_path,
                            input="", capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "DATABASE_URL":
                                 f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert "bac-son-dan-van-kheo-2024.yaml: programmes.referral.home_unit" in result.stderr
    assert "Traceback" not in result.stderr


async def test_who_question_names_the_body_from_the_heading(chat: Chat) -> None:
    await chat.send("ai thẩm định hồ sơ khen thưởng dvk vậy ad")
    answer = await chat.reply()
    assert answer.startswith("Phòng Nội vụ: Thẩm định hồ sơ khen thưởng")
    assert "(Mục IV.2)" in answer and "Nguồn: Dân vận khéo Bắc Sơn 2024" in answer


async def test_a_list_question_gets_the_whole_section_in_order(chat: Chat) -> None:
    await chat.send("tiêu chí với cá nhân thi dân vận khéo là gì")
    answer = await chat.reply()
    lines = answer.splitlines()
    assert lines[0] == "Đối với cá nhân:"
    bullets = [line for line in lines if line.startswith("- ")]
    assert len(bullets) == 3 and "ít nhất 02 tài khoản" in bullets[2]
    assert "(Mục III.1.b)" in answer


async def test_no_amount_is_given_for_what_the_plan_does_not_say(chat: Chat) -> None:
    await chat.send("Giải nhất cuộc thi Dân vận khéo được thưởng bao nhiêu tiền?")
    reply = await chat.reply()
    assert reply.startswith("Chưa tìm thấy câu trả lời")
    assert not re.search(r"\d", reply.split("\n")[0])


async def test_the_bots_own_cap_is_not_shown_as_the_plan(chat: Chat) -> None:
    await chat.send("dvk phải vận động thêm mấy tài khoản")
    answer = await chat.reply()
    assert "ít nhất 02 tài khoản" in answer and "(Mục III.1.b)" in answer
    assert "Bot ghi nhận" not in answer


async def test_a_question_asked_again_gets_the_same_answer_and_new_content_answers_anew(
        chat: Chat, app: App) -> None:
    from content.search import build_index

    await chat.send("dan van kheo het han ngay nao")
    first = await chat.reply()
    await chat.send("dan van kheo het han ngay nao")
    assert await chat.reply() == first and "28/4/2024" in first
    # New content (an import, a reload) comes as a new index: answered from it alone.
    others = [c for c in app.services.campaigns.values() if "Dân vận khéo" not in c.short_name]
    assert 0 < len(others) < len(app.services.campaigns)
    app.services.search = build_index(others)
    await chat.send("dan van kheo het han ngay nao")
    assert "28/4/2024" not in await chat.reply()
