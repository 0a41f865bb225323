"""How many messages a fresh account types: joining (with registration) and adding people.

Each input is counted as a person would type it on Zalo (a number, a word or an answer);
every reply is read. Targets (issue #13): joining Dân vận khéo, registration included, in at
most 8 inputs; each referred person in at most 4; every question asked once.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from storage.models import ConsentRow, PersonRow, RefMemberRow, RefParticipantRow
from tests.harness import Chat


class Counted:
    """A chat that counts what the person types and keeps every reply read."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.inputs = 0
        self.seen: list[str] = []

    async def say(self, line: str) -> str:
        """Type one line; return all replies to it, joined."""
        await self.chat.send(line)
        self.inputs += 1
        replies = await self.chat.replies()
        # Each reply fits one Zalo message (2,000 characters, choices included).
        assert all(len(reply) <= 2000 for reply in replies), [len(r) for r in replies]
        text = "\n---\n".join(replies)
        self.seen.append(text)
        return text

    def asked(self, words: str) -> int:
        """Return how many replies asked something containing `words`."""
        return sum(words in text for text in self.seen)


async def test_a_fresh_account_joins_in_eight_inputs_and_adds_each_person_in_four(
        chat: Chat, app: App) -> None:
    talk = Counted(chat)
    assert "Tham gia: ghi tài khoản dự thi của tôi" in await talk.say("/vandong")
    consent = await talk.say("1")
    assert "hỏi một lần cho cả hồ sơ và việc theo dõi vận động" in consent
    assert "1. Đồng ý, và nhận tin nhắc" in consent
    assert "họ và tên" in await talk.say("1")
    assert "Bạn sinh năm nào?" in await talk.say("hoàng thị lan")
    assert "đơn vị nào thuộc Huyện Bắc Sơn" in await talk.say("sinh năm 1965")
    # One unit of the district has that name: taken at once (shown in the summary).
    assert "tài khoản dự thi của bạn" in await talk.say("Long Đống")
    summary = await talk.say("0912 345 678")
    assert "• Năm sinh: 1965" in summary and "• Đơn vị: Xã Long Đống" in summary
    # Born 61 years ago: offered "bác", as /toi registration does, without a question.
    assert "• Trợ lý gọi bạn là: “bác”" in summary
    joined = await talk.say("Lưu")
    assert talk.inputs <= 8, talk.inputs
    assert talk.inputs == 8
    # Lands on the first referred person's name: no extra "1".
    assert "Đã ghi nhận bác tham gia vận động" in joined
    assert "gõ tên gọi của người được vận động" in joined
    for question in ("Bạn có đồng ý không?", "Bạn sinh năm nào?", "đơn vị nào thuộc",
                     "họ và tên đầy đủ", "tài khoản dự thi của bạn"):
        assert talk.asked(question) == 1, question

    # The first two people straight from there: name, account, relation (saves).
    before = talk.inputs
    assert "Tài khoản dự thi của Hoàng Văn Minh" in await talk.say("Hoàng Văn Minh")
    ask = await talk.say("0987 654 321")
    assert "Hoàng Văn Minh là gì của bác?" in ask and "từ 16 tuổi trở lên" in ask
    saved = await talk.say("anh trai")
    assert "Đã lưu Hoàng Văn Minh (Người thân, tài khoản 0987 654 321)" in saved
    assert "Bác đã ghi 1 người, cần ít nhất 02. Thêm người tiếp theo" in saved
    assert talk.inputs - before == 3
    before = talk.inputs
    await talk.say("Trần Thu Hoa")
    await talk.say("hoa.tran@gmail.com")
    board = await talk.say("bạn học")
    assert "Đã lưu Trần Thu Hoa (Bạn bè" in board and "Bảng theo dõi" in board
    assert talk.inputs - before == 3

    # A third one from the dashboard: the button, then the same three answers.
    before = talk.inputs
    await talk.say("Thêm người được vận động")
    await talk.say("Lê Văn Tú")
    await talk.say("tu.le@gmail.com")
    board = await talk.say("Đồng nghiệp")
    assert "Đã lưu Lê Văn Tú" in board and "• Lê Văn Tú (Đồng nghiệp)" in board
    assert talk.inputs - before <= 4
    chat.assert_all_read()

    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow).where(
            PersonRow.full_name == "Hoàng Thị Lan"))).one()
        consents = {c.purpose: c.granted for c in (await session.scalars(
            select(ConsentRow).where(ConsentRow.person_id == person.id))).all()}
        participant = (await session.scalars(select(RefParticipantRow))).one()
        members = (await session.scalars(select(RefMemberRow))).all()
    assert person.birth_year == 1965 and person.registered_at is not None
    assert person.address == "bác"
    assert consents == {"profile": True, "reminders": True, "referrals": True}
    assert participant.unit_code == person.unit_code
    assert len(members) == 4


async def test_agreeing_without_reminders_and_saying_someone_is_too_young(
        chat: Chat, app: App) -> None:
    talk = Counted(chat)
    await talk.say("/vandong")
    await talk.say("Tham gia: ghi tài khoản dự thi của tôi")
    await talk.say("Đồng ý, không nhận tin nhắc")
    await talk.say("Lê Văn Nam")
    await talk.say("1985")
    await talk.say("long dong")
    await talk.say("lenam85")
    await talk.say("Lưu")
    await talk.say("Hoàng Văn Bé")
    await talk.say("0987 654 321")
    told = await talk.say("Hoàng Văn Bé chưa đủ 16 tuổi (không lưu)")
    assert "Trợ lý không lưu thông tin của Hoàng Văn Bé" in told
    async with app.sessions() as session:
        consents = {c.purpose: c.granted for c in (await session.scalars(
            select(ConsentRow))).all()}
        members = (await session.scalars(select(RefMemberRow))).all()
    assert consents == {"profile": True, "reminders": False, "referrals": True}
    assert len(members) == 1
    async with app.sessions() as session:
        younger = (await session.scalars(select(PersonRow).where(
            PersonRow.full_name == "Lê Văn Nam"))).one()
    assert younger.address == "bạn"  # 41 years old: the default word


async def test_declining_the_consents_stores_no_profile(chat: Chat, app: App) -> None:
    talk = Counted(chat)
    await talk.say("/vandong")
    await talk.say("Tham gia: ghi tài khoản dự thi của tôi")
    refused = await talk.say("Không đồng ý")
    assert "không lưu thông tin vận động nào" in refused
    async with app.sessions() as session:
        people = (await session.scalars(select(PersonRow))).all()
        participants = (await session.scalars(select(RefParticipantRow))).all()
    assert all(p.registered_at is None and p.full_name is None for p in people)
    assert participants == []
