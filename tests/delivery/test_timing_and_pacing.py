"""Quiet hours, retry waits, pacing and the reform lineage of audiences: pure rules."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.delivery.pacing import ChatSpacing, Pacer
from bot.delivery.timing import QuietHours, day_bounds, retry_delay
from bot.delivery.units import units_concerned
from content.units import load_units

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = QuietHours(time(21, 0), time(7, 0))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_quiet_hours_span_midnight_and_end_in_the_morning() -> None:
    assert not NIGHT.contains(at("2024-04-20 20:59"), TZ)
    assert NIGHT.contains(at("2024-04-20 21:00"), TZ)
    assert NIGHT.contains(at("2024-04-21 06:59"), TZ)
    assert not NIGHT.contains(at("2024-04-21 07:00"), TZ)
    assert NIGHT.next_allowed(at("2024-04-20 22:30"), TZ) == at("2024-04-21 07:00")
    assert NIGHT.next_allowed(at("2024-04-21 03:00"), TZ) == at("2024-04-21 07:00")
    assert NIGHT.next_allowed(at("2024-04-21 09:00"), TZ) == at("2024-04-21 09:00")


def test_quiet_hours_within_one_day_and_switched_off() -> None:
    lunch = QuietHours(time(11, 30), time(13, 30))
    assert lunch.contains(at("2024-04-20 12:00"), TZ)
    assert not lunch.contains(at("2024-04-20 22:00"), TZ)
    assert lunch.next_allowed(at("2024-04-20 12:00"), TZ) == at("2024-04-20 13:30")
    off = QuietHours(time(0, 0), time(0, 0))
    assert not off.enabled and not off.contains(at("2024-04-20 23:00"), TZ)


def test_quiet_hours_read_utc_times_in_local_time() -> None:
    utc_evening = datetime(2024, 4, 20, 15, 0, tzinfo=ZoneInfo("UTC"))  # 22:00 in Hà Nội
    assert NIGHT.contains(utc_evening, TZ)


def test_retry_waits_grow_and_are_capped() -> None:
    waits = [retry_delay(n).total_seconds() for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240] and max(waits) == 3600


def test_local_day_bounds() -> None:
    start, end = day_bounds(at("2024-04-20 23:30"), TZ)
    assert (start, end) == (at("2024-04-20 00:00"), at("2024-04-21 00:00"))


async def test_pacer_spaces_sends_evenly_and_holds_them_during_a_pause() -> None:
    clock = [0.0]
    starts: list[float] = []

    async def sleep(seconds: float) -> None:
        clock[0] += seconds

    pacer = Pacer(10.0, now=lambda: clock[0], sleep=sleep)
    for _ in range(5):
        await pacer.acquire()
        starts.append(round(clock[0], 3))
    assert starts == [0.0, 0.1, 0.2, 0.3, 0.4]
    pacer.pause(3.0)
    await pacer.acquire()
    assert round(clock[0], 3) == 3.4
    await pacer.acquire(2)  # a message in two parts takes two slots
    await pacer.acquire()
    assert round(clock[0], 3) == 3.7


async def test_late_wakeups_do_not_lower_the_rate() -> None:
    clock = [0.0]

    async def oversleeping(seconds: float) -> None:
        clock[0] += seconds + 0.005  # the event loop wakes us 5 ms late every time

    pacer = Pacer(10.0, now=lambda: clock[0], sleep=oversleeping)
    for _ in range(11):
        await pacer.acquire()
    assert round(clock[0], 3) == 1.005  # ten intervals, not ten delays


def test_chat_spacing_keeps_one_message_per_second_per_chat() -> None:
    clock = [100.0]
    spacing = ChatSpacing(1.0, now=lambda: clock[0])
    assert spacing.wait_for("a") == 0
    spacing.note("a")
    assert spacing.wait_for("a") > 1.0 and spacing.wait_for("b") == 0
    clock[0] += 1.2
    assert spacing.wait_for("a") == 0


def test_a_district_plan_reaches_its_old_communes_and_the_new_ones() -> None:
    area = units_concerned(load_units(), ["ls.bac-son"])
    assert {"ls.bac-son.long-dong", "ls.xa-bac-son", "ls.xa-vu-lang"} <= area
    assert not any(code.startswith(("ls.chi-lang", "ls.xa-chi-lang")) for code in area)


def test_a_new_commune_reaches_people_registered_in_the_communes_merged_into_it() -> None:
    area = units_concerned(load_units(), ["ls.xa-nhan-ly"])
    assert area == {"ls.xa-nhan-ly", "ls.chi-lang.nhan-ly", "ls.chi-lang.mai-sao",
                    "ls.chi-lang.bac-thuy", "ls.chi-lang.lam-son"}


def test_an_old_commune_does_not_reach_its_merged_neighbours() -> None:
    area = units_concerned(load_units(), ["ls.chi-lang.nhan-ly"])
    assert area == {"ls.chi-lang.nhan-ly", "ls.xa-nhan-ly"}


def test_unknown_units_reach_nobody() -> None:
    assert units_concerned(load_units(), ["xx.nowhere"]) == frozenset()


