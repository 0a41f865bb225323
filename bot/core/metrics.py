"""Process metrics in the Prometheus text format (counters, gauges, histograms), no library.

Any layer may count here (`MESSAGES.inc(channel="zalo", outcome="ok")`); the health server
of bot/channels renders `REGISTRY` at `/metrics`. Label values are escaped; names are fixed
in code, never built from input.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable

LabelKey = tuple[tuple[str, str], ...]


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted((name, str(value)) for name, value in labels.items()))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(key: LabelKey, extra: tuple[str, str] | None = None) -> str:
    pairs = list(key) + ([extra] if extra else [])
    if not pairs:
        return ""
    body = ",".join(f'{name}="{_escape(value)}"' for name, value in pairs)
    return "{" + body + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str) -> None:
        self.name = name
        self.help = help_text
        self._lock = threading.Lock()

    def lines(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"


class Counter(_Metric):
    """A value that only goes up, per label set."""

    kind = "counter"

    def __init__(self, name: str, help_text: str) -> None:
        super().__init__(name, help_text)
        self._values: dict[LabelKey, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` to the series of `labels`."""
        key = _key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        """Return the current value of one series (0 when never counted)."""
        return self._values.get(_key(labels), 0.0)

    def lines(self) -> Iterable[str]:
        yield from super().lines()
        for key, value in sorted(self._values.items()):
            yield f"{self.name}{_labels(key)} {_number(value)}"


class Gauge(Counter):
    """A value set to the latest reading, per label set."""

    kind = "gauge"

    def set(self, value: float, **labels: str) -> None:
        """Set the series of `labels` to `value`."""
        with self._lock:
            self._values[_key(labels)] = float(value)

    def replace(self, values: dict[LabelKey, float]) -> None:
        """Replace every series at once (readings taken at scrape time)."""
        with self._lock:
            self._values = dict(values)


class Histogram(_Metric):
    """Observations counted in cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(self, name: str, help_text: str, buckets: Iterable[float]) -> None:
        super().__init__(name, help_text)
        self.buckets = sorted(buckets)
        self._series: dict[LabelKey, tuple[list[int], float, int]] = {}

    def observe(self, value: float, **labels: str) -> None:
        """Record one observation."""
        key = _key(labels)
        with self._lock:
            counts, total, count = self._series.get(key, ([0] * len(self.buckets), 0.0, 0))
            index = bisect.bisect_left(self.buckets, value)
            if index < len(counts):
                counts[index] += 1
            self._series[key] = (counts, total + value, count + 1)

    def count(self, **labels: str) -> int:
        """Return how many observations one series holds."""
        series = self._series.get(_key(labels))
        return series[2] if series else 0

    def lines(self) -> Iterable[str]:
        yield from super().lines()
        for key, (counts, total, count) in sorted(self._series.items()):
            running = 0
            for bound, n in zip(self.buckets, counts, strict=True):
                running += n
                yield f"{self.name}_bucket{_labels(key, ('le', _number(bound)))} {running}"
            yield f"{self.name}_bucket{_labels(key, ('le', '+Inf'))} {count}"
            yield f"{self.name}_sum{_labels(key)} {_number(total)}"
            yield f"{self.name}_count{_labels(key)} {count}"


class Registry:
    """The metrics of this process, rendered in registration order."""

    def __init__(self) -> None:
        self._metrics: list[_Metric] = []

    def add(self, metric: _Metric) -> None:
        """Register a metric."""
        self._metrics.append(metric)

    def render(self) -> str:
        """Return the Prometheus text exposition of every metric."""
        return "\n".join(line for metric in self._metrics for line in metric.lines()) + "\n"


REGISTRY = Registry()


def counter(name: str, help_text: str) -> Counter:
    """Create and register a counter."""
    metric = Counter(name, help_text)
    REGISTRY.add(metric)
    return metric


def gauge(name: str, help_text: str) -> Gauge:
    """Create and register a gauge."""
    metric = Gauge(name, help_text)
    REGISTRY.add(metric)
    return metric


def histogram(name: str, help_text: str, buckets: Iterable[float]) -> Histogram:
    """Create and register a histogram."""
    metric = Histogram(name, help_text, buckets)
    REGISTRY.add(metric)
    return metric


LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

MESSAGES = counter("thidua_messages_handled_total",
                   "Updates handled, by channel and outcome (ok, error, group, ignored).")
LATENCY = histogram("thidua_message_latency_seconds",
                    "Seconds from taking an update to its last reply sent.", LATENCY_BUCKETS)
LOOKUPS = counter("thidua_lookups_total",
                  "Free-text lookups, by result (answered, not_found).")
WEBHOOK_REFUSED = counter("thidua_webhook_refused_total",
                          "Webhook calls refused, by channel and reason.")
CHANNEL_PAUSES = counter("thidua_channel_pauses_total",
                         "Times a channel was paused after the platform refused the bot.")
CHANNEL_UP = gauge("thidua_channel_up", "1 when the channel takes and answers updates.")
CHANNEL_STATE = gauge("thidua_channel_state",
                      "1 for the current state of each channel (starting, ok, down, paused).")
INBOX_ROWS = gauge("thidua_inbox_rows", "Inbox rows by channel and status.")
OUTBOX_ROWS = gauge("thidua_outbox_rows",
                    "Outbox rows by channel and status (pending = depth; sent, failed, "
                    "blocked, cancelled = outcomes).")
DATABASE_UP = gauge("thidua_database_up", "1 when the database answered the last check.")
