"""Benchmark the whole stack when many people answer at once (issue #17).

`thidua run` (the real runner: Telegram long polling, durable inbox, dispatcher, storage)
and a bare aiogram echo bot are driven, one after the other in the same run, through one
fast local fake of the Telegram Bot API. Each of N users sends 5 messages, each after the
answer to the previous one (closed loop, all users start at once, as after a broadcast):
/start, a rule question, a press on the first button of the answer, another rule question,
a press on its first button. Printed per configuration: answered/s, p50, p99, the ratio
to the echo bot at the same load, and the CPU (user + system, from /proc/<pid>/stat) the bot
process(es) spent during the load per answered message: that figure holds when other work
shares the machine, the ratio does not. On PostgreSQL (a server on this machine) the CPU
of the server per answered message is printed too (`pg`): its backends serving the bench
database plus its own workers (WAL writer, checkpointer...; these also serve any other
database of that server); `driver` is this process's (the fake Bot API and the users;
with PostgreSQL also the sampling of the server's processes): in production Telegram's
servers and the users are not on the bot's machine, so the fake (bench.fake_bot_api) is a
lean HTTP/1.1 server on asyncio's protocols answering exactly as the Bot API does, and the
users wait for their answers without a timer each (one watchdog gives up on a message
after MESSAGE_TIMEOUT). Also on PostgreSQL: `flushes`, the server's WAL flushes to disk
(pg_stat_wal.wal_sync: every commit that waits for the disk, grouped or not, and the WAL
writer's; server-wide, so only meaningful on a server the bench has to itself) and `commits`
of the bench database, per 1,000 answered messages, from the load's start to the bots' stop.
On a machine of C cores, K bot processes answer at most C / (bot + pg + driver) messages
per second and one at most 1 / bot: the gain of a second process is bounded by those
figures, whatever the bot does per message: 2·bot / (bot + pg + driver) on two cores, which
a cheaper bot lowers and only a cheaper pg or driver raises.

    uv run python -m bench.throughput                        # everything (takes minutes)
    uv run python -m bench.throughput --users 200 --db sqlite --procs 1
    uv run python -m bench.throughput --statements           # SQL statements per message
    uv run python -m bench.throughput --statements --db postgresql
    uv run python -m bench.throughput --in-process --users 200 --db sqlite   # App.handle only

The rule lookup remembers its answers to the last questions asked (exact text, see
handlers/lookup): the users' questions come from a set of about 110, so most are asked
again in a run; `LOOKUP_CACHE_SIZE=0 uv run python -m bench.throughput ...` measures the
bot without that memory (every question searched).

`--content-copies 10` runs thidua on ten times today's content (each plan copied under
another id and district, as bench.lookup does), for the "ten times the content" figure.

`--in-process` drives `App.handle` directly (no channel, inbox or Bot API) with the same
users and messages, and prints the CPU this process spent per message: the dispatcher's and
storage's own cost, which the full run mixes with the channel's.

`--gc` times the bot's garbage collections during the load (the CPU time of each, from
gc.callbacks, per generation) and prints the Bot API calls per answer (how many updates a
getUpdates brought depends on timing); BENCH_GC_THRESHOLD=700,10,10 runs the bot with
those collector thresholds instead of bot.app's (700,10,10 is Python's default).
`--profile FILE` profiles the load only (not the content's loading): each bot process's
CPU time (cProfile on process_time, between two signals) to FILE.PID; with `--in-process`,
App.handle's to FILE.DB.USERS.COPIES.
`--profile-driver FILE` profiles this process (the fake Bot API and the users) during each
load.
`--count-sql` counts the SQL statements the bots run during the load (by first word, BEGIN
and COMMIT too; the inbox's, the people driver's and the handlers') per answered message,
and the database connections the bots' pools opened and closed. A statement outside a
transaction (autocommit) sends no COMMIT and none is counted; an executemany (the inbox's
stores) counts once. (Until this was set right, a COMMIT was counted for every statement
run outside a transaction and every store twice: PostgreSQL 200 users ×1 printed 1.24-1.31
per message where 0.85-0.94 were sent.)
`--warm USERS` drives USERS other people through the bots first, unmeasured: the processes
are then as after a while in production (connections open, statements prepared and
planned, the lookup's memos filled) instead of cold, and a second process no longer pays
its own start over half the messages. The bots' system CPU and context switches per
message (with `--gc`), and on PostgreSQL the server's system CPU and its own workers' part
(`pg 0.32 (sys 0.09, workers 0.00)`) and the WAL it wrote per message, are printed too.

PostgreSQL runs use BENCH_PG_URL (default: the local test server's thidua_tp1 database);
its schema is dropped and migrated again before each run. CI does not run this.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fake_bot_api import FakeBotApi

BOT_TOKENS = {"echo": "111111:ECHO-bench-token", "thidua": "222222:THIDUA-bench-token"}
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:55999/thidua_tp1"


def _questions() -> tuple[str, ...]:
    """Rule questions as people type them: every question of the development set (in and out
    of scope, all styles), so that each user asks different things and nothing in the bot can
    answer the run from a handful of remembered replies."""
    rows = (Path(__file__).resolve().parent.parent / "tests/content/lookup_dev.tsv").read_text(
        encoding="utf-8").splitlines()
    return tuple(line.split("\t", 1)[0] for line in rows if line and not line.startswith("#"))


QUESTIONS = _questions()
MESSAGE_TIMEOUT = 120.0
WARM_USERS_FROM = 8_000_000  # --warm: the users of the unmeasured load before the measured one


# --- the fake Bot API: bench.fake_bot_api ------------------------------------------------


# --- the users ----------------------------------------------------------------------------


@dataclass
class Result:
    """What one load run measured."""

    answered: int
    sent: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float | None = None  # CPU (user + system) of the bot process(es) under load
    server_cpu_seconds: float | None = None  # the same for the PostgreSQL server
    server_workers_seconds: float | None = None  # of which its own workers' (WAL writer...)
    server_sys_seconds: float | None = None  # of which system CPU (writes, fsync, sockets)
    # PostgreSQL: WAL flushes to disk (pg_stat_wal.wal_sync, the whole server) and commits of
    # the bench database (pg_stat_database.xact_commit) from the load's start to the bots' stop.
    wal_flushes: int | None = None
    wal_bytes: int | None = None  # the server's WAL written (pg_stat_wal.wal_bytes)
    commits: int | None = None
    driver_cpu_seconds: float | None = None  # this process: the fake Bot API and the users
    # The bots' system CPU (part of cpu_seconds) and context switches (voluntary: the event
    # loop waited for something; involuntary: the kernel took the core) during the load.
    sys_seconds: float | None = None
    switches: tuple[int, int] | None = None
    window: tuple[float, float] = (0.0, 0.0)  # wall clock (time.time) of the load
    collections: Collections | None = None  # with --gc: the bot's garbage collector
    api_calls: dict[str, int] = field(default_factory=dict)  # Bot API calls during the load
    statements: dict[str, int] | None = None  # with --count-sql: by first word, all bots

    @property
    def cpu_ms_per_message(self) -> float | None:
        return self._per_message(self.cpu_seconds)

    @property
    def server_cpu_ms_per_message(self) -> float | None:
        return self._per_message(self.server_cpu_seconds)

    @property
    def driver_cpu_ms_per_message(self) -> float | None:
        return self._per_message(self.driver_cpu_seconds)

    def _per_message(self, seconds: float | None) -> float | None:
        if seconds is None or not self.answered:
            return None
        return 1000 * seconds / self.answered

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(api: FakeBotApi, token: str, users: int, first_user: int = 7_000_000
                ) -> Result:
    """Run `users` closed-loop users of 5 messages each (ids from `first_user`); return
    what was answered.

    A user whose message is not answered within MESSAGE_TIMEOUT gives up (one watchdog
    checks every waiting user each second, rather than a timer per message)."""
    latencies: list[float] = []
    answered = 0
    sent = 0
    loop = asyncio.get_running_loop()
    waiting: dict[int, tuple[float, asyncio.Future[dict[str, Any]]]] = {}

    async def one_user(n: int) -> None:
        nonlocal answered, sent
        user_id = first_user + n
        person = {"id": user_id, "is_bot": False, "first_name": f"U{n}"}
        chat = {"id": user_id, "type": "private", "first_name": f"U{n}"}
        last: dict[str, Any] | None = None
        for step in range(5):
            if step == 0:
                update: dict[str, Any] = {"message": {"message_id": api.next_id(),
                                                      "date": int(time.time()), "chat": chat,
                                                      "from": person, "text": "/start"}}
            elif step % 2 == 1:
                text = QUESTIONS[(n + step) % len(QUESTIONS)]
                update = {"message": {"message_id": api.next_id(), "date": int(time.time()),
                                      "chat": chat, "from": person, "text": text}}
            else:
                data = "x"
                if last and last.get("reply_markup"):
                    data = last["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                message = dict(last or {"message_id": 1, "date": int(time.time()),
                                        "chat": chat, "text": "?"})
                update = {"callback_query": {"id": str(api.next_id()), "from": person,
                                             "chat_instance": "ci", "message": message,
                                             "data": data}}
            waiter: asyncio.Future[dict[str, Any]] = loop.create_future()
            api.on_reply[user_id] = waiter
            started = time.perf_counter()
            waiting[user_id] = (started, waiter)
            api.push(token, update)
            sent += 1
            try:
                last = await waiter
            except TimeoutError:
                return
            finally:
                waiting.pop(user_id, None)
            latencies.append(time.perf_counter() - started)
            answered += 1

    async def watchdog() -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.perf_counter()
            for user_id, (started, waiter) in list(waiting.items()):
                if now - started > MESSAGE_TIMEOUT and not waiter.done():
                    api.on_reply.pop(user_id, None)
                    waiter.set_exception(TimeoutError())

    started, since = time.perf_counter(), time.time()
    timeouts = asyncio.create_task(watchdog())
    try:
        await asyncio.gather(*(one_user(n) for n in range(users)))
    finally:
        timeouts.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await timeouts
    return Result(answered, sent, time.perf_counter() - started, latencies,
                  window=(since, time.time()))


# --- the bots under test ------------------------------------------------------------------


def _echo_main(api_base: str) -> None:
    """A bare aiogram echo bot (answers text and button presses with one message)."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        await query.bot.send_message(query.from_user.id, query.data or "?")  # type: ignore[union-attr]

    bot = Bot(BOT_TOKENS["echo"],
              session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    asyncio.run(dispatcher.start_polling(bot, polling_timeout=30, handle_signals=True))


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (None once the process is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces: split after its closing parenthesis
    return raw[raw.rindex(")") + 2:].split()


def _cpu_ticks(pid: int) -> int | None:
    fields = _stat(pid)
    return None if fields is None else int(fields[11]) + int(fields[12])  # utime, stime


_LOADERS: dict[str, Any] = {}


def with_content_copies(copies: int) -> None:
    """Make this process's app load every campaign `copies` times (bench.lookup.copies)."""
    import dataclasses
    import functools

    import bot.app as app_module
    from bench.lookup import copies as copied
    from content.search import build_index

    original = _LOADERS.setdefault("content", app_module.load_content)
    if copies <= 1:
        app_module.load_content = original
        return

    @functools.cache
    def load() -> Any:
        content = original()
        campaigns = copied(list(content.campaigns.values()), copies)
        replaced = dataclasses.replace(content, campaigns={c.id: c for c in campaigns},
                                       search=build_index(campaigns))
        app_module.settle_collector()  # as load_content does with what it loaded
        return replaced

    app_module.load_content = load


def _thidua_main(copies: int) -> int:
    """`thidua run`, on `copies` times the content (with BENCH_GC_FILE: each collection of
    the garbage collector written there, see `gc_meter`)."""
    from bot.app.cli import main as thidua

    with_content_copies(copies)
    if os.environ.get("BENCH_GC_FILE"):
        _record_collections(Path(os.environ["BENCH_GC_FILE"]))
    if os.environ.get("BENCH_PROFILE"):
        _profile_on_signals(os.environ["BENCH_PROFILE"])
    if os.environ.get("BENCH_SQL_FILE"):
        _count_sql_on_signals(os.environ["BENCH_SQL_FILE"])
    _threshold_from_env()
    return thidua(["run"])


def _profile_on_signals(path: str) -> None:
    """Profile this process's CPU time (cProfile on process_time) from SIGUSR1 to SIGUSR2
    (the load), writing the stats to PATH.PID at SIGUSR2."""
    import cProfile

    profiler = cProfile.Profile(time.process_time)

    def begin(_signum: int, _frame: Any) -> None:
        profiler.enable()

    def end(_signum: int, _frame: Any) -> None:
        profiler.disable()
        profiler.dump_stats(f"{path}.{os.getpid()}")

    _on_load_signals(begin, end)


def _on_load_signals(begin: Any, end: Any) -> None:
    """Run `begin` at SIGUSR1 and `end` at SIGUSR2, after any handlers set before (so that
    --profile and --count-sql work together)."""
    for signum, handler in ((signal.SIGUSR1, begin), (signal.SIGUSR2, end)):
        before = signal.getsignal(signum)

        def both(number: int, frame: Any, before: Any = before, handler: Any = handler) -> None:
            if callable(before):
                before(number, frame)
            handler(number, frame)

        signal.signal(signum, both)


def _count_sql_on_signals(path: str) -> None:
    """Count the SQL statements of every engine of this process (as `--statements` does,
    by their first word) from SIGUSR1 to SIGUSR2 (the load), writing them to PATH.PID as
    JSON at SIGUSR2."""
    from collections import Counter

    from sqlalchemy.ext.asyncio import AsyncEngine

    import storage.db

    counted: list[str] = []
    counting = [False]
    create = storage.db.create_engine

    def counting_engine(*args: Any, **kwargs: Any) -> AsyncEngine:
        engine = create(*args, **kwargs)
        gate = _Gate(counted, counting)
        _count_statements(engine, engine.dialect.name, gate)
        _count_connections(engine, gate)
        return engine

    import bot.app

    storage.db.create_engine = counting_engine  # type: ignore[assignment]
    bot.app.create_engine = counting_engine  # type: ignore[attr-defined]

    def begin(_signum: int, _frame: Any) -> None:
        counting[0] = True

    def end(_signum: int, _frame: Any) -> None:
        counting[0] = False
        Path(f"{path}.{os.getpid()}").write_text(json.dumps(Counter(counted)))

    _on_load_signals(begin, end)


# Pseudo statements: the database connections the pool opened and closed during the load.
OPENED, CLOSED = "~opened", "~closed"


def _count_connections(engine: Any, counted: list[str]) -> None:
    """Append OPENED to `counted` for every connection the engine's pool opens, CLOSED for
    every one it closes (an overflow connection given back to a full pool is closed)."""
    from sqlalchemy import event

    @event.listens_for(engine.sync_engine, "connect")
    def _opened(*_args: Any) -> None:
        counted.append(OPENED)

    @event.listens_for(engine.sync_engine, "close")
    def _closed(*_args: Any) -> None:
        counted.append(CLOSED)


class _Gate(list[str]):
    """A list that keeps what is appended to it only while counting[0] is set."""

    def __init__(self, into: list[str], counting: list[bool]) -> None:
        super().__init__()
        self._into = into
        self._counting = counting

    def append(self, item: str) -> None:
        if self._counting[0]:
            self._into.append(item)


def _threshold_from_env() -> None:
    """With BENCH_GC_THRESHOLD (e.g. 700,10,10: Python's default), the app sets those
    collector thresholds once its content is loaded, instead of its own."""
    if not os.environ.get("BENCH_GC_THRESHOLD"):
        return
    import gc

    import bot.app as app_module

    threshold = tuple(int(n) for n in os.environ["BENCH_GC_THRESHOLD"].split(","))
    settle = _LOADERS.setdefault("settle", app_module.settle_collector)

    def settle_then() -> None:
        settle()
        gc.set_threshold(*threshold)

    app_module.settle_collector = settle_then


def _record_collections(path: Path | None) -> list[tuple[float, int, float, int]]:
    """Time every collection of the cyclic garbage collector (when, its generation, the CPU
    time of its thread, the objects it found unreachable); write them to `path` at exit.
    Return the list they are added to."""
    import atexit
    import gc

    events: list[tuple[float, int, float, int]] = []
    started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.thread_time()
            return
        events.append((time.time(), info["generation"], time.thread_time() - started[0],
                       info["collected"]))

    gc.callbacks.append(on_gc)
    if path is not None:
        atexit.register(lambda: path.write_text(json.dumps(
            {"events": events, "frozen": gc.get_freeze_count(),
             "tracked": len(gc.get_objects())})))
    return events


@dataclass
class Collections:
    """What the garbage collector of a bot process did while the load ran."""

    per_generation: dict[int, tuple[int, float]]  # generation -> (collections, seconds)
    frozen: int
    tracked: int

    def text(self, answered: int) -> str:
        parts = [f"gen{g} {n}× {1000 * s / max(1, answered):.3f}"
                 for g, (n, s) in sorted(self.per_generation.items())]
        return (f"  gc {', '.join(parts) or 'no collection, 0'} ms/msg; frozen {self.frozen}, "
                f"tracked at exit {self.tracked}")


def gc_meter(path: Path, since: float, until: float) -> Collections | None:
    """Read what `_record_collections` wrote: the collections between `since` and `until`."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return _collections(data["events"], since, until, data["frozen"], data["tracked"])


def _collections(events: list[Any], since: float, until: float, frozen: int,
                 tracked: int) -> Collections:
    per: dict[int, tuple[int, float]] = {}
    for at, gen, seconds, _collected in events:
        if since <= at <= until:
            n, s = per.get(gen, (0, 0.0))
            per[gen] = (n + 1, s + seconds)
    return Collections(per, frozen, tracked)


def _sys_ticks(pid: int) -> int:
    fields = _stat(pid)
    return 0 if fields is None else int(fields[12])


def _switches(pids: list[int]) -> tuple[int, int]:
    """Voluntary and involuntary context switches of these processes so far."""
    voluntary = involuntary = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    voluntary += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches:"):
                    involuntary += int(line.split()[1])
    return voluntary, involuntary


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (Linux /proc; 0 elsewhere)."""
    return sum(_cpu_ticks(pid) or 0 for pid in pids) / TICKS


# Titles of a PostgreSQL server's own workers (not backends of one client's database).
PG_WORKERS = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
              "logical replication launcher", "autovacuum worker")


class ServerCpu:
    """The CPU a local PostgreSQL server spends for one database: its backends serving that
    database (title `postgres: USER DATABASE HOST(PORT) ...`) and its own workers.

    Backends come and go (pool overflow, autovacuum workers): the server's children are
    sampled every 0.2 s and each process counts from the first time it was seen (the ones
    alive at the start from that moment, later ones from their birth) to the last.
    """

    def __init__(self, postmaster: int, database: str) -> None:
        self.postmaster = postmaster
        self.database = database
        self._first: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None
        # The sampling is the driver's own cost: each /proc file is opened once and read
        # again in place, and the backends of other databases are told apart only once.
        self._stat_fds: dict[int, int] = {}
        self._others: set[int] = set()
        self._children_fd: int | None = None
        self.workers: set[int] = set()  # the server's own workers (WAL writer...)
        self.workers_seconds = 0.0  # their part of what stop() returned
        self._sys_ticks: dict[int, int] = {}  # the system part, at the last reading
        self._first_sys: dict[int, int] = {}
        self.sys_seconds = 0.0  # the system part of what stop() returned (I/O, fsync...)

    @classmethod
    async def of(cls, url: str) -> ServerCpu | None:
        """Return the meter of the server behind `url` if it runs on this machine."""
        from sqlalchemy import text

        from storage.db import create_engine

        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                backend = int(await conn.scalar(text("SELECT pg_backend_pid()")))
                database = str(await conn.scalar(text("SELECT current_database()")))
                fields = _stat(backend)  # while the backend lives
        finally:
            await engine.dispose()
        if fields is None:
            return None  # not on this machine (or /proc unreadable)
        return cls(int(fields[1]), database)

    def _ours(self, pid: int) -> bool:
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            return False
        if not title.startswith("postgres: "):
            return False  # a backend not titled yet: asked again at the next sample
        rest = title[len("postgres: "):]
        if rest.startswith(PG_WORKERS):
            self.workers.add(pid)
            return True
        words = rest.split()
        if len(words) >= 2 and words[1] == self.database:
            return True
        self._others.add(pid)
        return False

    def _children(self) -> list[int]:
        try:
            if self._children_fd is None:
                self._children_fd = os.open(
                    f"/proc/{self.postmaster}/task/{self.postmaster}/children", os.O_RDONLY)
            return [int(p) for p in os.pread(self._children_fd, 65536, 0).split()]
        except OSError:
            return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                    and (_stat(int(p.name)) or ["", "0"])[1] == str(self.postmaster)]

    def _ticks(self, pid: int) -> int | None:
        """utime + stime of a server process (None once it is gone)."""
        try:
            fd = self._stat_fds.get(pid)
            if fd is None:
                fd = self._stat_fds[pid] = os.open(f"/proc/{pid}/stat", os.O_RDONLY)
            raw = os.pread(fd, 4096, 0)
        except OSError:
            raw = b""
        if not raw:
            fd = self._stat_fds.pop(pid, None)
            if fd is not None:
                os.close(fd)
            return None
        fields = raw[raw.rindex(b")") + 2:].split()
        self._sys_ticks[pid] = int(fields[12])
        return int(fields[11]) + int(fields[12])

    def _sample(self, *, start: bool = False) -> None:
        for pid in self._children():
            if pid in self._others or (pid not in self._first and not self._ours(pid)):
                continue
            ticks = self._ticks(pid)
            if ticks is None:
                continue
            self._first.setdefault(pid, ticks if start else 0)
            self._first_sys.setdefault(pid, self._sys_ticks[pid] if start else 0)
            self._last[pid] = ticks

    def _close_files(self) -> None:
        for fd in [*self._stat_fds.values(), self._children_fd]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._stat_fds.clear()
        self._children_fd = None

    async def _every(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            self._sample()

    def start(self) -> None:
        self._sample(start=True)
        self._task = asyncio.create_task(self._every(0.2))

    async def stop(self) -> float:
        """Stop sampling; return the CPU seconds spent since start()."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._sample()
        self._close_files()
        self.workers_seconds = sum(self._last[pid] - self._first[pid] for pid in self._last
                                   if pid in self.workers) / TICKS
        self.sys_seconds = sum(self._sys_ticks.get(pid, 0) - self._first_sys.get(pid, 0)
                               for pid in self._last) / TICKS
        return sum(self._last[pid] - self._first[pid] for pid in self._last) / TICKS


DRIVER_PROFILE = ""  # --profile-driver: where the driver's profile of each load goes


async def measured(api: FakeBotApi, token: str, users: int,
                   processes: list[subprocess.Popen[bytes]],
                   server: ServerCpu | None = None, *, profile_bots: bool = False) -> Result:
    """Drive the load and add the CPU the bot processes (and the server) spent during it
    (`profile_bots`: the bots profile the load, see _profile_on_signals)."""
    pids = [p.pid for p in processes]
    calls = dict(api.bots[token].calls)
    before = cpu_seconds(pids)
    sys_before, switches_before = sum(_sys_ticks(pid) for pid in pids), _switches(pids)
    driver = time.process_time()
    if server is not None:
        server.start()
    profiler = None
    if DRIVER_PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if profile_bots:
        for process in processes:
            process.send_signal(signal.SIGUSR1)
    try:
        result = await drive(api, token, users)
    finally:
        if profile_bots:
            for process in processes:
                process.send_signal(signal.SIGUSR2)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(f"{DRIVER_PROFILE}.{token.split(':')[1].split('-')[0].lower()}"
                                f".{users}.{len(processes)}")
        server_seconds = await server.stop() if server is not None else None
    result.cpu_seconds = cpu_seconds(pids) - before
    result.sys_seconds = (sum(_sys_ticks(pid) for pid in pids) - sys_before) / TICKS
    switches = _switches(pids)
    result.switches = (switches[0] - switches_before[0], switches[1] - switches_before[1])
    result.server_cpu_seconds = server_seconds
    result.server_workers_seconds = None if server is None else server.workers_seconds
    result.server_sys_seconds = None if server is None else server.sys_seconds
    result.driver_cpu_seconds = time.process_time() - driver
    result.api_calls = {method: n - calls.get(method, 0)
                        for method, n in api.bots[token].calls.items()
                        if n > calls.get(method, 0)}
    return result


async def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=out)


async def _wait_polling(api: FakeBotApi, token: str, procs: int, started: list[Any]) -> None:
    deadline = time.monotonic() + 120
    while api.bots[token].polling < procs:
        if any(p.poll() is not None for p in started):
            raise RuntimeError("a bot process ended before polling; see its log")
        if time.monotonic() > deadline:
            raise RuntimeError("bots did not start polling in time")
        await asyncio.sleep(0.05)


async def _no_pollers(api: FakeBotApi, token: str) -> None:
    """Wait until no long poll of a stopped bot is still parked in the fake (each waits at
    most a second): the next run's start must see only its own processes polling."""
    deadline = time.monotonic() + 10
    while api.bots[token].polling and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        for _ in range(300):
            if process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        else:
            process.kill()


async def fresh_database(kind: str, folder: Path) -> str:
    """Return a migrated, empty database URL."""
    from sqlalchemy import text

    from storage.db import create_engine
    from storage.migrate import upgrade

    if kind == "sqlite":
        path = folder / f"bench-{time.monotonic_ns()}.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    await upgrade(url)
    return url


async def run_echo(api: FakeBotApi, users: int, log: Path) -> Result:
    env = dict(os.environ)
    process = await _start([sys.executable, "-m", "bench.throughput", "--serve-echo",
                            api.base_url], env, log)
    try:
        await _wait_polling(api, BOT_TOKENS["echo"], 1, [process])
        return await measured(api, BOT_TOKENS["echo"], users, [process])
    finally:
        await _stop([process])
        await _no_pollers(api, BOT_TOKENS["echo"])


async def run_thidua(api: FakeBotApi, users: int, url: str, procs: int, log: Path,
                     log_level: str, profile: str | None = None, copies: int = 1,
                     gc_file: Path | None = None, sql_file: Path | None = None,
                     warm: int = 0) -> Result:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("ZALO", "TELEGRAM", "DATABASE_URL", "ADMIN_IDS")):
            del env[name]
    env.update({"DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": BOT_TOKENS["thidua"],
                "TELEGRAM_API_BASE": api.base_url, "HEALTH_PORT": "0",
                "LOG_LEVEL": log_level, "AUTO_MIGRATE": "false"})
    command = (["-m", "bot", "run"]
               if copies <= 1 and gc_file is None and not profile and sql_file is None
               else ["-m", "bench.throughput", "--serve-thidua", str(copies)])
    if sql_file is not None:
        env["BENCH_SQL_FILE"] = str(sql_file)
    if gc_file is not None:
        env["BENCH_GC_FILE"] = str(gc_file)
    if profile:
        env["BENCH_PROFILE"] = profile
    processes = [await _start([sys.executable, *command], env, log)
                 for _ in range(procs)]
    from storage.db import is_sqlite

    server = None if is_sqlite(url) else await ServerCpu.of(url)
    wal_before = None
    try:
        await _wait_polling(api, BOT_TOKENS["thidua"], procs, processes)
        if warm:
            # Other people first, not measured: the processes' connections, prepared
            # statements, the server's plans and the lookup's memos warm up, as in a bot
            # that has been running (a cold start is paid once per process, and a second
            # process pays it again over half the messages).
            await drive(api, BOT_TOKENS["thidua"], warm, first_user=WARM_USERS_FROM)
        wal_before = None if server is None else await wal_counters(url)
        result = await measured(api, BOT_TOKENS["thidua"], users, processes, server,
                                profile_bots=bool(profile) or sql_file is not None)
    finally:
        await _stop(processes)
        await _no_pollers(api, BOT_TOKENS["thidua"])
    # Read once the bots stopped: a backend reports its counters at its end at the latest.
    wal_after = None if wal_before is None else await wal_counters(url)
    if wal_before is not None and wal_after is not None:
        result.wal_flushes = wal_after[0] - wal_before[0]
        result.commits = wal_after[1] - wal_before[1] - 1  # less the reading's own
        result.wal_bytes = wal_after[2] - wal_before[2]
    if gc_file is not None:
        result.collections = gc_meter(gc_file, *result.window)
    if sql_file is not None:
        result.statements = _sql_counts(sql_file, processes)
    return result


def _switches_line(result: Result) -> str:
    """The bots' system CPU and context switches per answered message."""
    per = 1 / max(1, result.answered)
    voluntary, involuntary = result.switches or (0, 0)
    return (f"  bots: sys {1000 * (result.sys_seconds or 0) * per:.2f} ms/msg, context "
            f"switches {voluntary * per:.2f} voluntary + {involuntary * per:.2f} involuntary"
            " per answered message")


def _sql_line(statements: dict[str, int], answered: int) -> str:
    heads = sorted(((head, n) for head, n in statements.items() if not head.startswith("~")),
                   key=lambda item: -item[1])
    per = 1000 / answered
    return (f"  SQL per answered message {sum(n for _h, n in heads) / answered:.2f}: "
            + ", ".join(f"{head} {n / answered:.2f}" for head, n in heads)
            + f"; connections opened {statements.get(OPENED, 0) * per:.0f}, closed "
            f"{statements.get(CLOSED, 0) * per:.0f} per 1k msg")


def _sql_counts(sql_file: Path, processes: list[subprocess.Popen[bytes]]) -> dict[str, int]:
    """The statements the bots counted during the load (_count_sql_on_signals), summed."""
    total: dict[str, int] = {}
    for process in processes:
        path = Path(f"{sql_file}.{process.pid}")
        with contextlib.suppress(OSError, ValueError):
            for head, n in json.loads(path.read_text()).items():
                total[head] = total.get(head, 0) + int(n)
    return total


def _line(name: str, result: Result, echo: Result | None) -> str:
    ratio = f"{result.rate / echo.rate:5.2f}x" if echo and echo.rate else "   - "
    p99x = (f"{result.pct(0.99) / echo.pct(0.99):5.2f}x" if echo and echo.latencies
            else "   - ")
    cpu = result.cpu_ms_per_message
    cpu_text = f"{cpu:6.2f}" if cpu is not None else "     -"
    server = result.server_cpu_ms_per_message
    server_text = f"  pg {server:5.2f}" if server is not None else ""
    workers = result._per_message(result.server_workers_seconds)
    server_sys = result._per_message(result.server_sys_seconds)
    if workers is not None and server_sys is not None:
        server_text += f" (sys {server_sys:4.2f}, workers {workers:4.2f})"
    driver = result.driver_cpu_ms_per_message
    server_text += f"  driver {driver:5.2f}" if driver is not None else ""
    wal = ""
    if result.wal_flushes is not None and result.commits is not None and result.answered:
        per = 1000 / result.answered
        wal = (f"  flushes {result.wal_flushes * per:4.0f} commits {result.commits * per:4.0f}"
               " /1k msg")
        if result.wal_bytes is not None:
            wal += f", WAL {result.wal_bytes / result.answered:5.0f} B/msg"
    return (f"{name:<26} {result.answered:>5}/{result.sent:<5} {result.rate:8.1f}/s "
            f"p50 {1000 * result.pct(0.5):7.0f} ms  p99 {1000 * result.pct(0.99):7.0f} ms  "
            f"ratio {ratio}  p99/echo {p99x}  cpu {cpu_text}{server_text} ms/msg{wal}")


async def wal_counters(url: str) -> tuple[int, int, int] | None:
    """Return the server's WAL flushes so far (pg_stat_wal.wal_sync, PostgreSQL 14+), the
    commits of the database of `url` and the WAL bytes written (the server's); None when
    the server does not tell."""
    from sqlalchemy import text

    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(text(
                "SELECT (SELECT wal_sync FROM pg_stat_wal), xact_commit,"
                " (SELECT wal_bytes FROM pg_stat_wal) FROM pg_stat_database"
                " WHERE datname = current_database()"))).one()
    except Exception:
        return None
    finally:
        await engine.dispose()
    return int(row[0]), int(row[1]), int(row[2])


async def load_main(args: argparse.Namespace) -> None:
    api = FakeBotApi(tuple(BOT_TOKENS.values()))
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log = Path(args.log)
        print(f"logs of the bots: {log}")
        try:
            for users in args.users:
                echo = await run_echo(api, users, log) if not args.no_echo else None
                if echo is not None:
                    print(_line(f"echo   {users:>4} users", echo, echo), flush=True)
                for db in args.db:
                    for procs in args.procs:
                        if db == "sqlite" and procs > 1:
                            continue  # one `thidua run` per SQLite file
                        url = await fresh_database(db, folder)
                        gc_file = folder / "gc.json" if args.gc else None
                        sql_file = folder / "sql.json" if args.count_sql else None
                        result = await run_thidua(api, users, url, procs, log, args.log_level,
                                                  args.profile, args.content_copies, gc_file,
                                                  sql_file, args.warm)
                        name = f"thidua {users:>4} users {db[:6]}×{procs}"
                        if args.content_copies > 1:
                            name = f"{name} ×{args.content_copies}c"
                        print(_line(name, result, echo), flush=True)
                        if result.collections is not None:
                            print(result.collections.text(result.answered), flush=True)
                        if result.statements is not None and result.answered:
                            print(_sql_line(result.statements, result.answered), flush=True)
                        if args.gc:
                            print(_switches_line(result), flush=True)
                            print("  Bot API calls per answer: " + ", ".join(
                                f"{method} {n / max(1, result.answered):.2f}"
                                for method, n in sorted(result.api_calls.items())), flush=True)
        finally:
            await api.close()


# --- App.handle alone --------------------------------------------------------------------


async def in_process_main(args: argparse.Namespace) -> None:
    """Drive App.handle with the users' messages; print answered/s and CPU ms/message."""
    with tempfile.TemporaryDirectory() as tmp:
        for db in args.db:
            for users in args.users:
                url = await fresh_database(db, Path(tmp))
                await _in_process_run(url, db, users, args.content_copies, args.profile,
                                      args.gc)


async def _in_process_run(url: str, db: str, users: int, copies: int,
                          profile: str | None = None, collections: bool = False) -> None:

    from bot.app import create_app
    from bot.core.config import Settings
    from bot.core.types import Incoming

    settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                        rate_limit_messages=0, log_level="WARNING")
    with_content_copies(copies)
    _threshold_from_env()
    app = create_app(settings)
    await app.start()
    counted: list[str] = []
    _count_statements(app.engine, db, counted)  # through SQLAlchemy or on the driver

    latencies: list[float] = []
    # As many messages in flight as a channel handles at once (bot.channels.base).
    in_flight = asyncio.Semaphore(16)

    async def one_user(n: int) -> None:
        user = str(7_000_000 + n)
        last = None
        for step in range(5):
            text = choice = None
            if step == 0:
                text = "/start"
            elif step % 2 == 1:
                text = QUESTIONS[(n + step) % len(QUESTIONS)]
            else:
                flat = [c for r in last or [] for c in r.flat_choices()]
                choice = flat[0].payload if flat else "x"
            started = time.perf_counter()
            async with in_flight:
                last = await app.handle(Incoming("telegram", user, user, text=text,
                                                 choice=choice))
            latencies.append(time.perf_counter() - started)

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()  # the load only, not the content's loading
    events = _record_collections(None) if collections else None
    before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    since = time.time()
    await asyncio.gather(*(one_user(n) for n in range(users)))
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - wall
    until = time.time()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile}.{db}.{users}.{copies}")
    await asyncio.sleep(0)  # asyncpg reports its last statements with call_soon
    statements, writers = len(counted), counted.count("BEGIN IMMEDIATE")
    await app.close()
    user_s, sys_s = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    result = Result(len(latencies), users * 5, wall, latencies, user_s + sys_s)
    per = 1000 / max(1, result.answered)
    print(_line(f"App.handle {users:>4} users {db[:6]}"
                + (f" ×{copies}c" if copies > 1 else ""), result, None)
          + f"  sql {statements * per / 1000:4.2f}/msg"
          + (f", writer {writers * per / 1000:4.2f}/msg" if db == "sqlite" else "")
          + f" (user {user_s * per:.2f}"
          f" + sys {sys_s * per:.2f})", flush=True)
    if events is not None:
        import gc

        print(_collections(events, since, until, gc.get_freeze_count(),
                           len(gc.get_objects())).text(result.answered), flush=True)


# --- SQL statements per message -------------------------------------------------------------


async def statements_main(db: str = "sqlite") -> None:
    """Count the SQL statements of one rule question, one menu choice and one form step."""

    from bot.app import create_app
    from bot.core.config import Settings
    from bot.core.types import Incoming

    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(db, Path(tmp))
        settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                            rate_limit_messages=0)
        app = create_app(settings)
        await app.start()
        counted: list[str] = []
        _count_statements(app.engine, db, counted)

        async def send(text: str | None = None, choice: str | None = None) -> tuple[int, str]:
            counted.clear()
            replies = await app.handle(Incoming("telegram", "42", "42", text=text,
                                                choice=choice))
            for _ in range(3):
                await asyncio.sleep(0)  # asyncpg reports a statement with call_soon
            kinds = {k: counted.count(k) for k in dict.fromkeys(counted)}
            summary = ", ".join(f"{v} {k}" for k, v in kinds.items())
            first = replies[0] if replies else None
            return len(counted), summary + ("" if first is None else
                                            f"  → {first.text[:40]!r}")

        first = await send("/start")
        await send("dan van kheo het han ngay nao")
        rows = [
            ("first contact (/start)", first),
            ("rule question", await send("thoi han nop bao cao")),
            ("menu choice (typed 1)", await send("1")),
            ("menu command /toi", await send(choice="c:toi")),
        ]
        steps = await _form_steps(app, send)
        rows.extend(steps)
        if db == "sqlite":
            print("(SQLite, every statement SQLite ran (its trace callback); BEGIN IMMEDIATE is "
                  "a transaction holding the single writer, a plain BEGIN a read snapshot, a "
                  "SELECT outside a transaction its own snapshot; PRAGMA: the busy timeout off "
                  "and on around a BEGIN IMMEDIATE tried without waiting; one message at a "
                  "time: under load, messages that only change their chat's state share "
                  "BEGIN IMMEDIATE, UPDATE and COMMIT)")
        else:
            print("(PostgreSQL; statements through SQLAlchemy and straight on asyncpg; BEGIN "
                  "is implicit in asyncpg and not counted; a ROLLBACK outside a transaction "
                  "sends nothing: under load, messages that only change their chat's state "
                  "share one UPDATE)")
        for name, (count, summary) in rows:
            print(f"{name:<28} {count:>3} statements: {summary}")
        await app.close()


def _count_statements(engine: Any, db: str, counted: list[str]) -> None:
    """Append to `counted` the head of every statement the database runs for the app,
    through SQLAlchemy or straight on the driver (storage.people_driver): SQLite's own
    trace of each connection; on PostgreSQL SQLAlchemy's events and asyncpg's query log
    (the statements SQLAlchemy prepares do not reach that log; its transactions' BEGIN
    and COMMIT, which do, are counted from the events instead; asyncpg's one-time look-up
    of the types a connection has not met yet, a SELECT, does)."""
    from sqlalchemy import event

    def head(statement: str) -> str:
        words = statement.split(None, 2)
        first = words[0].upper() if words else "?"
        if first == "BEGIN" and len(words) > 1:
            return f"BEGIN {words[1].upper()}"
        return first

    # SQLAlchemy's executemany (the inbox's stores) reaches asyncpg's log too: counted once.
    many: set[str] = set()

    def on_query(record: Any) -> None:
        if head(record.query).split()[0].rstrip(";") not in ("BEGIN", "COMMIT", "ROLLBACK") \
                and record.query not in many:
            counted.append(head(record.query))

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _trace(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("bench_traced"):
            return
        record.info["bench_traced"] = True
        driver = dbapi_connection.driver_connection
        if db == "sqlite":
            driver._conn.set_trace_callback(lambda statement: counted.append(head(statement)))
        else:
            driver.add_query_logger(on_query)

    if db == "sqlite":
        return

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any,
               executemany: bool) -> None:
        counted.append(head(statement))
        if executemany:
            many.add(statement)

    # A connection outside any transaction (AUTOCOMMIT) sends no COMMIT or ROLLBACK.
    def _alone(conn: Any) -> bool:
        return conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"

    @event.listens_for(engine.sync_engine, "commit")
    def _commit(conn: Any) -> None:
        if not _alone(conn):
            counted.append("COMMIT")

    @event.listens_for(engine.sync_engine, "rollback")
    def _rollback(conn: Any) -> None:
        if not _alone(conn):
            counted.append("ROLLBACK")


async def _form_steps(app: Any, send: Any) -> list[tuple[str, tuple[int, str]]]:
    """Start registration and answer its first step (typed), counting both."""
    started = await send(choice="c:toi")
    del started
    replies = await app.handle(_incoming(choice=None, text="/toi"))
    choices = [c.payload for r in replies for c in r.flat_choices()]
    start = next((c for c in choices if "reg" in c or c.startswith("f")), choices[0])
    begin = await send(choice=start)
    consent = await send("1")
    reminders = await send("1")
    wrong = await send("abc")
    step = await send("Nguyễn Văn An")
    return [("form start (Đăng ký)", begin), ("form step: consent '1'", consent),
            ("form step: reminders '1'", reminders), ("form step: name 'abc'", wrong),
            ("form step: year refused", step)]


def _incoming(text: str | None, choice: str | None) -> Any:
    from bot.core.types import Incoming

    return Incoming("telegram", "42", "42", text=text, choice=choice)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve-echo", metavar="API", help=argparse.SUPPRESS)
    parser.add_argument("--serve-thidua", type=int, metavar="COPIES", help=argparse.SUPPRESS)
    parser.add_argument("--content-copies", type=int, default=1, metavar="N",
                        help="run thidua on N times today's content (1)")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"],
                        default=["sqlite", "postgresql"])
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--warm", type=int, default=0, metavar="USERS",
                        help="before each measured thidua load, an unmeasured one of USERS "
                        "other users (warm processes, as in a bot running for a while)")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of thidua (INFO)")
    parser.add_argument("--log", default=str(Path(tempfile.gettempdir()) / "bench-tp.log"))
    parser.add_argument("--profile", metavar="FILE",
                        help="profile thidua's CPU time during the load, stats written to "
                        "FILE.PID (with --in-process: to FILE.DB.USERS.COPIES)")
    parser.add_argument("--profile-driver", metavar="FILE",
                        help="profile this process (the fake Bot API and the users) during "
                        "each load, stats written to FILE.BOT.USERS.PROCS")
    parser.add_argument("--gc", action="store_true",
                        help="time the bot's garbage collections during the load (one process)")
    parser.add_argument("--in-process", action="store_true",
                        help="drive App.handle directly: the dispatcher's own CPU per message")
    parser.add_argument("--count-sql", action="store_true",
                        help="with a load: the SQL statements the bots run per answered "
                             "message, by first word (BEGIN and COMMIT too)")
    parser.add_argument("--statements", action="store_true",
                        help="only count SQL statements per message")
    args = parser.parse_args()
    global DRIVER_PROFILE
    DRIVER_PROFILE = args.profile_driver or ""
    if args.serve_echo:
        _echo_main(args.serve_echo)
    elif args.serve_thidua:
        sys.exit(_thidua_main(args.serve_thidua))
    elif args.in_process:
        asyncio.run(in_process_main(args))
    elif args.statements:
        asyncio.run(statements_main(args.db[0]))
    else:
        asyncio.run(load_main(args))


if __name__ == "__main__":
    main()
