"""Stopping background work: a stop that is itself cancelled must end, not run on."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.tasks import cancel_and_wait


async def _slow_to_stop() -> None:
    try:
        await asyncio.sleep(3600)
    finally:
        await asyncio.sleep(0.05)  # e.g. a connection closed on the way out


async def test_a_loop_cancelled_while_it_stops_a_child_ends() -> None:
    children: list[asyncio.Task[None]] = []
    turns = 0

    async def loop() -> None:
        nonlocal turns
        while True:  # a worker loop that stops a helper task each turn
            turns += 1
            children.append(asyncio.create_task(_slow_to_stop()))
            await asyncio.sleep(0)
            await cancel_and_wait(children[-1])

    worker = asyncio.create_task(loop())
    await asyncio.sleep(0.01)
    worker.cancel()  # lands while the worker waits for its child to end
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(worker, timeout=2.0)
    # The old `with suppress(CancelledError): await child` ate this cancel: the loop ran on.
    assert worker.cancelled() and turns == 1
    await asyncio.sleep(0.1)
    assert all(child.done() for child in children)


async def test_the_children_end_and_their_errors_are_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    async def fails_on_stop() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            raise RuntimeError("secret detail")

    done = asyncio.create_task(asyncio.sleep(0))
    await done
    failing = asyncio.create_task(fails_on_stop())
    waiting = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    await cancel_and_wait(None, done, failing, waiting)
    assert failing.done() and waiting.cancelled()
    assert "RuntimeError" in caplog.text and "secret detail" not in caplog.text


async def test_a_loop_that_turns_the_cancel_into_an_error_is_stopped_anyway() -> None:
    turns = 0

    async def keeper() -> None:  # like a token keeper: log a failed check, sleep, again
        nonlocal turns
        while True:
            turns += 1
            try:
                try:
                    await asyncio.sleep(3600)  # a database call…
                except asyncio.CancelledError:
                    raise RuntimeError("session closed half-way") from None  # …ends so
            except Exception:
                pass
            await asyncio.sleep(600)

    task = asyncio.create_task(keeper())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait(task, grace=0.05), timeout=2.0)
    assert task.cancelled() and turns == 1


async def test_a_task_that_never_ends_is_left_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    stubborn_ones = [True]

    async def stubborn() -> None:
        while stubborn_ones[0]:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait(task, grace=0.05, timeout=0.2), timeout=2.0)
    assert not task.done() and "did not stop" in caplog.text
    stubborn_ones[0] = False  # the test's own clean-up
    task.cancel()
    await asyncio.wait_for(task, timeout=2.0)
