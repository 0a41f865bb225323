"""Stopping background tasks without swallowing the caller's own cancellation.

`with suppress(CancelledError): await task` after `task.cancel()` also swallows a cancel
aimed at the caller while it waits: the caller then runs on (a loop keeps looping, a stop
never ends) and whoever cancelled it waits forever. `gather(..., return_exceptions=True)`
collects the cancelled tasks' ends but still raises when the caller itself is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)


async def cancel_and_wait(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel `tasks` (None and finished ones are skipped) and wait until they have ended.

    An error a task ended with is logged (by kind only), not raised: the caller is stopping
    it. A cancellation of the caller is raised as usual.
    """
    pending = [t for t in tasks if t is not None]
    for task in pending:
        task.cancel()
    if not pending:
        return
    for result in await asyncio.gather(*pending, return_exceptions=True):
        if isinstance(result, Exception):
            logger.warning("a background task ended with %s while stopping",
                           type(result).__name__)
