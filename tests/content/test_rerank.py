"""The lookup's learned re-ranker: its features, its weights file and its hook in the search."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from content.loader import load_campaigns
from content.search import SearchIndex, build_index
from content.search_base import _Query
from content.search_rerank import (
    FEATURES,
    RELATIVE,
    TOP,
    WEIGHTS_FILE,
    Reranker,
    load_model,
    parse_model,
    rerank,
)

QUESTION = "hạn đăng ký công trình phần việc là khi nào"


class Probe:
    """A model that records what it is given and puts one chosen passage first."""

    top = TOP

    def __init__(self, force: int | None = None) -> None:
        self.force = force
        self.rows: list[list[float]] = []
        self.refs: list[int] = []

    def order(self, rows: Sequence[Sequence[float]], refs: Sequence[int]) -> list[int]:
        self.rows, self.refs = [list(r) for r in rows], list(refs)
        order = list(range(len(refs)))
        if self.force in refs:
            k = list(refs).index(self.force)
            order = [k, *(j for j in order if j != k)]
        return order


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def _model(**changes: object) -> dict[str, object]:
    n = len(FEATURES)
    data: dict[str, object] = {"features": list(FEATURES), "weights": [0.0] * n,
                               "means": [0.0] * n, "scales": [1.0] * n, "top": 8}
    data.update(changes)
    return data


def test_committed_weights_file_is_a_model_of_todays_features() -> None:
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    parsed = parse_model({**data, "enabled": True})
    assert parsed is not None and len(parsed.weights) == len(FEATURES)


def test_missing_weights_file_keeps_todays_order_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="content.search_rerank"):
        assert load_model(tmp_path / "none.json") is None
    assert "no weights file" in caplog.text


@pytest.mark.parametrize("content", [
    "{not json",
    "[1, 2]",
    json.dumps(_model(features=["first"])),
    json.dumps(_model(weights=[float("nan")] * len(FEATURES))),
    json.dumps(_model(scales=[0.0] * len(FEATURES))),
    json.dumps(_model(weights=[1.0])),
    json.dumps(_model(top=1)),
    "\x00\xff binary",
    b"\x89PNG\r\n\x1a\n\xff\xfe\x00",  # not even UTF-8
])
def test_corrupt_weights_file_keeps_todays_order_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str | bytes
) -> None:
    path = tmp_path / "weights.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="content.search_rerank"):
        assert load_model(path) is None
    assert "unusable" in caplog.text


def test_switched_off_model_is_none_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(_model(enabled=False)), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="content.search_rerank"):
        assert load_model(path) is None
    assert caplog.text == ""


def test_a_valid_file_loads_its_weights(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    weights = [0.5] + [0.0] * (len(FEATURES) - 1)
    path.write_text(json.dumps(_model(weights=weights, enabled=True)), encoding="utf-8")
    model = load_model(path)
    assert model is not None and model.weights[0] == 0.5 and model.top == 8


def test_linear_order_is_by_score_and_ties_keep_todays_order() -> None:
    n = len(FEATURES)
    model = Reranker((0.0, 1.0, *[0.0] * (n - 2)), (0.0,) * n, (1.0,) * n)
    rows = [[0.0, v, *[0.0] * (n - 2)] for v in (0.2, 0.9, 0.2, 0.5)]
    assert model.order(rows, [10, 11, 12, 13]) == [1, 3, 0, 2]


def test_features_of_the_candidates(index: SearchIndex) -> None:
    probe = Probe()
    index.__dict__["rerank_model"] = probe
    try:
        index.search(QUESTION)
    finally:
        del index.__dict__["rerank_model"]
    assert 2 <= len(probe.rows) <= TOP
    col = {name: k for k, name in enumerate(FEATURES)}
    for pos, row in enumerate(probe.rows):
        assert len(row) == len(FEATURES)
        assert all(math.isfinite(v) for v in row)
        assert row[col["first"]] == (1.0 if pos == 0 else 0.0)
        assert row[col["inv_pos"]] == pytest.approx(1 / (1 + pos))
        assert row[col["gap"]] <= 0.0  # today's order: the best rank first
        assert 0.0 <= row[col["own_share"]] <= 1.0 + 1e-9
        assert row[col["asks_kind"]] == 1.0  # "khi nào" asks for a date
    assert probe.rows[0][col["gap"]] == 0.0
    for name in RELATIVE:
        values = [row[col[f"{name}_rel"]] for row in probe.rows]
        assert max(values) == pytest.approx(0.0) and min(values) <= 0.0


def test_the_models_first_candidate_is_the_answer(index: SearchIndex) -> None:
    probe = Probe()
    index.__dict__["rerank_model"] = probe
    try:
        today = index.search(QUESTION)
        second = probe.refs[1]
        index.__dict__["rerank_model"] = Probe(force=second)
        moved = index.search(QUESTION)
    finally:
        del index.__dict__["rerank_model"]
    assert today[0].ref == probe.refs[0]
    assert moved[0].ref == second != today[0].ref
    assert today[0].ref in [h.ref for h in moved]


def test_model_off_is_todays_order(index: SearchIndex) -> None:
    index.__dict__["rerank_model"] = None
    try:
        off = index.search(QUESTION)
    finally:
        del index.__dict__["rerank_model"]
    index.__dict__["rerank_model"] = Probe()
    try:
        identity = index.search(QUESTION)
    finally:
        del index.__dict__["rerank_model"]
    assert [(h.ref, h.text) for h in off] == [(h.ref, h.text) for h in identity]


def test_rerank_moves_passages_not_ranks(index: SearchIndex) -> None:
    """The rank column stays in place (what parallel passages are compared with)."""
    probe = Probe()
    index.__dict__["rerank_model"] = probe
    try:
        index.search(QUESTION)
    finally:
        del index.__dict__["rerank_model"]
    refs = probe.refs
    ranked = [(1.0 - k / 10, 0.9, ref) for k, ref in enumerate(refs)]
    q = _Query(core={"han": 1.0}, bonus={}, campaigns=frozenset(), only_names=False)
    out = rerank(index, q, ranked, model_for=lambda _: Probe(force=refs[-1]))
    assert [r for r, _, _ in out] == [r for r, _, _ in ranked]
    assert out[0][2] == refs[-1] and sorted(i for _, _, i in out) == sorted(refs)
    assert rerank(index, q, ranked, model_for=lambda _: None) is ranked
