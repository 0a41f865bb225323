"""Stopping background tasks without hanging the one who stops them.

Two ways a stop used to wait forever:
- `with suppress(CancelledError): await task` after `task.cancel()` also swallowed a cancel
  aimed at the caller itself, so the caller ran on;
- a task cancelled inside a database call can see the cancel turned into another error on
  the way out (a session closed half-way raises its own), which a loop's
  `except Exception: log and go on` then catches: the loop sleeps its full interval
  (ten minutes for the OA token keeper) while its stopper waits.

`cancel_and_wait` cancels again each `grace` seconds until the tasks have ended (a second
cancel lands in the sleep the first one was turned into) and gives up after `timeout`
with a warning; a cancel of the caller is raised as usual.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)


async def cancel_and_wait(*tasks: asyncio.Future[Any] | None, grace: float = 5.0,
                          timeout: float = 30.0) -> None:
    """Cancel `tasks` (None and finished ones are skipped) and wait until they have ended.

    An error a task ended with is logged (by kind only), not raised: the caller is stopping
    it. A task still running after `timeout` is left, with a warning.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pending = {t for t in tasks if t is not None and not t.done()}
    while pending:
        left = deadline - loop.time()
        if left <= 0:
            logger.warning("%d background task(s) did not stop within %.0f s",
                           len(pending), timeout)
            return
        for task in pending:
            task.cancel()
        done, pending = await asyncio.wait(pending, timeout=min(grace, left))
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                logger.warning("a background task ended with %s while stopping",
                               type(task.exception()).__name__)
