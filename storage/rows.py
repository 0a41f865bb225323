"""How many rows an UPDATE or DELETE changed.

`AsyncSession.execute` is typed as returning a plain `Result`; for data-modifying statements
it is a `CursorResult`, whose `rowcount` this reads (0 when the driver reports none).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Result


def changed(result: Result[Any]) -> int:
    """The number of rows the statement behind `result` changed."""
    return int(getattr(result, "rowcount", 0) or 0)
