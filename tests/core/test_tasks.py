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
