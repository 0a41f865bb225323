"""The garbage collector of a running bot (issue #17): the loaded content is frozen, out of
the collector's way, and what the bot allocates afterwards is still collected."""

from __future__ import annotations

import gc
import weakref

from bot.app import YOUNG_THRESHOLD, load_content, settle_collector


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_the_content_is_not_walked_by_collections() -> None:
    content = load_content()
    assert gc.get_freeze_count() > 0
    walked = {id(o) for o in gc.get_objects()}  # every generation but the frozen one
    assert id(content.search) not in walked
    assert id(content.campaigns) not in walked


def test_garbage_made_after_loading_is_still_collected() -> None:
    load_content()
    settle_collector()
    assert gc.isenabled()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    dead = [_cycle() for _ in range(100)]  # a message's cycles (a task and its future...)
    gc.collect()
    assert all(ref() is None for ref in dead)


def test_settling_again_freezes_what_was_loaded_since_and_keeps_the_thresholds() -> None:
    before = gc.get_threshold()
    settle_collector()
    loaded_later = [_Node() for _ in range(10)]  # a second content load (bench: copies)
    settle_collector()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    walked = {id(o) for o in gc.get_objects()}
    assert not walked & {id(o) for o in loaded_later}
    # Frozen objects no longer referenced are still freed (reference counting): dropping a
    # loaded content without cycles gives its memory back.
    refs = [weakref.ref(o) for o in loaded_later]
    del loaded_later
    assert all(ref() is None for ref in refs)
