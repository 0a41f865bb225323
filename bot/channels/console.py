"""Console channel: chat with the bot in a terminal, or script it line by line as JSONL."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TextIO

from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.core.context import Services
from bot.core.render import numbered_text
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply
from bot.delivery.service import Delivery

logger = logging.getLogger(__name__)

CHANNEL = "console"
EXPORTS = Path("data") / "exports"
ROLES = ("resident", "reviewer", "liaison", "admin")
UNIT_ROLES = ("reviewer", "liaison")  # held on the person's unit: wait for registration
QUIT = ("/thoat", "/thoát", "/exit", "/quit")
_OFFSET_RE = re.compile(r"^([+-])(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_clock_arg(arg: str, clock: MovableClock) -> bool:
    """Apply `/clock` arguments (+3d, -2h, 2024-04-20 08:00, now); tell whether valid."""
    arg = arg.strip()
    if arg == "now":
        clock.reset()
        return True
    match = _OFFSET_RE.match(arg)
    if match:
        sign, amount, unit = match.groups()
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        clock.advance(delta if sign == "+" else -delta)
        return True
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            clock.set(datetime.strptime(arg, fmt))
        except ValueError:
            continue
        return True
    return False


class ConsoleApp(Protocol):
    """What the console needs of the bot (bot.app.App is one): it sits below the app."""

    settings: Settings
    services: Services

    @property
    def delivery(self) -> Delivery:
        """The outbox, reminders and broadcasts service."""
        ...

    async def handle(self, msg: Incoming) -> list[Reply]:
        """Process one incoming message and return the replies."""
        ...

    async def role_of(self, channel: str, external_id: str, set_to: str | None = None) -> str:
        """Return a channel user's role, first setting it when asked."""
        ...

    async def unit_of(self, channel: str, external_id: str) -> str | None:
        """Return the unit of a channel user's profile, if any."""
        ...


class ConsoleInbox:
    """Where proactive messages (reminders, broadcasts) to console users land."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Reply]] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Keep a message for the chat output."""
        self.pending.append((chat_id, reply))


class ConsoleChannel:
    """Turns typed lines into Incoming messages for one (switchable) local user."""

    def __init__(self, app: ConsoleApp, clock: MovableClock, user: str = "ban") -> None:
        self.app = app
        self.clock = clock
        self.user = user
        self.inbox = ConsoleInbox()
        # `/as NAME reviewer` before NAME has a unit: the role is given once they have one.
        self.waiting_roles: dict[str, str] = {}

    def t(self, key: str, **params: object) -> str:
        """Return a catalog message."""
        return self.app.services.messages.t(key, **params)

    async def process(self, line: str) -> list[Reply]:
        """Handle one typed line, then show what the outbox sent to console users meanwhile
        (after `/clock`, the reminders that came due)."""
        replies = await self._process(line)
        replies += await self._give_waiting_role()
        try:
            await self.app.delivery.run_once({CHANNEL: self.inbox},
                                             tick=line.strip().startswith("/clock"))
        except Exception:  # e.g. a locked database: the outbox keeps them for the next line
            logger.warning("console: delivery postponed", exc_info=True)
        delivered, self.inbox.pending = self.inbox.pending, []
        return replies + [self._shown(chat_id, reply) for chat_id, reply in delivered]

    def _shown(self, chat_id: str, reply: Reply) -> Reply:
        text = reply.text
        for photo in reply.attachments:
            text = f"{self.t('delivery.console_photo')} {photo.caption or ''}".strip()
        if chat_id != self.user:
            text = f"{self.t('delivery.console_to', user=chat_id)}\n{text}"
        return Reply(text, reply.choices)

    async def _process(self, line: str) -> list[Reply]:
        text = line.rstrip("\r\n")
        head, _, arg = text.strip().partition(" ")
        if head == "/as":
            return [await self._switch_user(arg)]
        if head == "/clock":
            if arg and not parse_clock_arg(arg, self.clock):
                return [Reply(self.t("console.clock_usage"))]
            return [Reply(self.t("console.clock_now",
                                 now=self.clock.now().strftime("%H:%M %d/%m/%Y")))]
        if head == "/sticker":
            return await self.send(None, (Attachment(AttachmentKind.STICKER),))
        if head == "/photo":
            return await self.send(arg or None, (Attachment(AttachmentKind.PHOTO,
                                                            caption=arg or None),))
        if head == "/file":
            return await self._send_file(arg.strip().strip("\"'"))
        return await self.send(text)

    async def _send_file(self, arg: str) -> list[Reply]:
        """`/file PATH`: send a local file as a document (e.g. the weekly official list);
        one over MAX_UPLOAD_BYTES goes with its size only, so the bot refuses it."""
        if not arg:
            return [Reply(self.t("console.file_usage"))]
        path = Path(arg).expanduser()
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise IsADirectoryError(arg)
            limit = self.app.services.settings.max_upload_bytes
            data = path.read_bytes() if size <= limit else None
        except OSError:
            return [Reply(self.t("console.file_missing", path=arg))]
        return await self.send(None, (Attachment(AttachmentKind.DOCUMENT, data=data,
                                                 filename=path.name, size=size),))

    async def send(self, text: str | None, attachments: tuple[Attachment, ...] = ()
                   ) -> list[Reply]:
        """Send a message as the current user."""
        return await self.app.handle(Incoming(CHANNEL, self.user, self.user, text=text,
                                              attachments=attachments))

    async def _switch_user(self, arg: str) -> Reply:
        """`/as NAME [ROLE]`: NAME may have spaces ("Hoàng Thị Lan"); a last word that is a
        role is the role."""
        parts = arg.split()
        wanted = parts.pop() if len(parts) >= 2 and parts[-1].casefold() in ROLES else None
        if not parts or len(" ".join(parts)) > 64 or any(p.startswith("/") for p in parts):
            return Reply(self.t("console.as_usage"))
        self.user = " ".join(parts)
        self.waiting_roles.pop(self.user, None)
        role = await self.app.role_of(CHANNEL, self.user,
                                      wanted.casefold() if wanted else None)
        done = self.t("console.as_done", user=self.user, role=self.t(f"role.{role}"))
        if role in UNIT_ROLES and await self.app.unit_of(CHANNEL, self.user) is None:
            # A unit role with no unit yet: it moves to the unit /toi registers.
            self.waiting_roles[self.user] = role
            return Reply(f"{done}\n{self.t('console.as_waiting', user=self.user)}")
        return Reply(done)

    async def _give_waiting_role(self) -> list[Reply]:
        wanted = self.waiting_roles.get(self.user)
        if wanted is None or await self.app.unit_of(CHANNEL, self.user) is None:
            return []
        del self.waiting_roles[self.user]
        role = await self.app.role_of(CHANNEL, self.user, wanted)
        return [Reply(self.t("console.role_given", user=self.user,
                             role=self.t(f"role.{role}")))]


def reply_json(reply: Reply) -> dict[str, object]:
    """Return the JSONL form of one reply (attachments by file name, when there are any)."""
    record: dict[str, object] = {"text": reply.text,
                                 "choices": [c.label for c in reply.flat_choices()]}
    if reply.attachments:
        record["attachments"] = [a.filename or a.kind.value for a in reply.attachments]
    return record


def save_files(reply: Reply, folder: Path = EXPORTS) -> list[Path]:
    """Save the files a reply carries (e.g. an XLSX export) and return their paths."""
    saved: list[Path] = []
    for attachment in reply.attachments:
        if attachment.kind is AttachmentKind.DOCUMENT and attachment.data is not None:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(attachment.filename or "tep").name
            path.write_bytes(attachment.data)
            saved.append(path)
    return saved


async def run_console(app: ConsoleApp, clock: MovableClock, *, jsonl: bool, user: str = "ban",
                      stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Read lines until a blank line or EOF; print replies as text or one JSON object a line."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    channel = ConsoleChannel(app, clock, user)
    if not jsonl:
        database = app.settings.database_url.split("///")[-1].split("@")[-1]
        stdout.write(app.services.messages.t("console.intro", database=database, user=user)
                     + "\n\n")
        for reply in await channel.process("/start"):
            _print_reply(reply, stdout, app)
    while True:
        if not jsonl:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        # End of input (Ctrl-D) or /thoat ends the chat; in a terminal an empty Enter is
        # only a slip of the finger, while a script ends at its first blank line.
        if not line or (jsonl and not line.strip()) or line.strip().casefold() in QUIT:
            if not jsonl:
                stdout.write(app.services.messages.t("console.bye") + "\n")
            break
        if not line.strip():
            continue
        replies = await channel.process(line)
        files = [str(path) for reply in replies for path in save_files(reply)]
        if jsonl:
            record: dict[str, object] = {"in": line.rstrip("\r\n"),
                                         "replies": [reply_json(r) for r in replies]}
            if files:
                record["files"] = files
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            for reply in replies:
                _print_reply(reply, stdout, app)
            for path in files:
                stdout.write(app.services.messages.t("console.file_saved", path=path) + "\n\n")
        stdout.flush()


def _print_reply(reply: Reply, out: TextIO, app: ConsoleApp) -> None:
    out.write(numbered_text(reply) + "\n\n")
    for attachment in reply.attachments:  # the console cannot show files: say one came
        if attachment.data is not None:
            continue  # saved under data/exports and named after the replies
        name = attachment.filename or attachment.kind.value
        out.write(app.services.messages.t("console.attachment", name=name) + "\n\n")
