"""How many messages a liaison types for each unit duty, counted from a transcript.

The liaison has a profile (registration is counted by the registration flow's own test) but
has not yet given the reporting consent: it is asked once, when first needed, and the
action goes on after "Đồng ý".
"""

from __future__ import annotations

from bot.app import App
from bot.core.clock import MovableClock
from tests.harness import Chat
from tests.works.helpers import BAN_CONG, HUU_KIEN, become


class Counted:
    """A chat that counts what the person typed."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.inputs = 0

    async def say(self, line: str, expect: str) -> str:
        """Type a line, count it, and return the replies read after it."""
        self.inputs += 1
        await self.chat.send(line)
        shown = "\n---\n".join(await self.chat.replies())
        assert expect in shown, shown
        return shown


async def test_registering_a_conference_takes_eight_messages_closing_one_each(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2025, month=3, day=1))
    await become(chat, app, "kien", "liaison", HUU_KIEN, consent=False)
    person = Counted(chat)
    await person.say("/hoinghi", "chưa đăng ký hội nghị")
    await person.say("Đăng ký hội nghị", "Trợ lý cần bạn đồng ý")
    await person.say("Đồng ý", "theo hình thức nào")
    await person.say("1", "Ngày tổ chức")
    await person.say("ngày 20 tháng 3", "tổng số đại biểu")
    await person.say("150", "đại biểu cơ sở")
    await person.say("110", "Thông tin đã đúng chưa?")
    await person.say("Lưu", "Đã lưu đăng ký hội nghị")
    assert person.inputs == 8
    await person.say("Báo đã gửi hồ sơ hội nghị", "Đã ghi nhận")
    clock.set(clock.now().replace(day=21))
    await person.say("/hoinghi", "Ngày tổ chức 20/03/2025 đã qua")
    await person.say("Báo đã tổ chức hội nghị", "Việc này đã hoàn thành")
    assert person.inputs == 11  # closing: one message each, after opening /hoinghi


async def test_registering_a_work_takes_ten_messages(
        chat: Chat, app: App, clock: MovableClock) -> None:
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become(chat, app, "minh", "liaison", BAN_CONG, consent=False)
    person = Counted(chat)
    await person.say("/congtrinh", "Công trình, phần việc —")
    await person.say("Đăng ký công trình mới", "Trợ lý cần bạn đồng ý")
    await person.say("Đồng ý", "Tên công trình")
    await person.say("Đường bê tông thôn Tà Xùa", "Khối lượng")
    await person.say("1,2 km, rộng 3 m", "Địa điểm thi công")
    await person.say("thôn Tà Xùa", "giá trị thực hiện")
    await person.say("khoảng 1 tỷ rưỡi", "Nguồn kinh phí")
    await person.say("ngân sách xã", "dự kiến hoàn thành")
    await person.say("quý 2/2025", "Thông tin đã đúng chưa?")
    await person.say("Lưu", "Đã đăng ký")
    assert person.inputs == 10
