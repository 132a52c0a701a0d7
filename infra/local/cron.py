"""EventBridge schedule expressions, evaluated locally: ``cron(m h dom mon dow yr)`` and ``rate(...)``.

Supports what EventBridge supports in each field: ``*``, ``?``, numbers, names (JAN, MON),
lists, ranges and ``/`` steps. Day-of-week is 1-7 with 1 = Sunday, as in EventBridge. The ``L``,
``W`` and ``#`` extensions are refused rather than silently misread.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int] | None = None
    hours: frozenset[int] | None = None
    days: frozenset[int] | None = None
    months: frozenset[int] | None = None
    weekdays: frozenset[int] | None = None
    years: frozenset[int] | None = None
    every: timedelta | None = None

    def due(self, at: datetime, last: datetime | None) -> bool:
        """Whether a run is due at minute ``at`` (seconds ignored), given the last run."""
        if self.every is not None:
            return last is None or at - last >= self.every
        if last is not None and last >= at:
            return False  # already ran this minute
        weekday = (at.isoweekday() % 7) + 1  # Python: Monday=1..Sunday=7 -> EventBridge: Sunday=1
        return all(field is None or value in field for field, value in (
            (self.minutes, at.minute), (self.hours, at.hour), (self.days, at.day),
            (self.months, at.month), (self.weekdays, weekday), (self.years, at.year)))


def parse(expression: str) -> Schedule:
    expression = expression.strip()
    if match := _RATE.match(expression):
        value, unit = int(match.group(1)), match.group(2).rstrip("s")
        return Schedule(every=timedelta(**{f"{unit}s": value}))
    match = _CRON.match(expression)
    if not match:
        raise ValueError(f"not a schedule expression: {expression!r}")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"cron needs 6 fields: {expression!r}")
    m, h, dom, mon, dow, yr = fields
    return Schedule(
        minutes=_field(m, 0, 59), hours=_field(h, 0, 23), days=_field(dom, 1, 31),
        months=_field(mon, 1, 12, _MONTHS), weekdays=_field(dow, 1, 7, _DAYS), years=_field(yr, 1970, 2199),
    )


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    if text in ("*", "?"):
        return None
    bare = text.upper()
    for name in names or {}:
        bare = bare.replace(name, "")
    if any(ch in bare for ch in "LW#"):
        raise ValueError(f"unsupported cron feature in {text!r}")
    values: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base in ("*", ""):
            start, end = low, high
        elif "-" in base:
            start, end = (_value(v, names) for v in base.split("-", 1))
        else:
            start = _value(base, names)
            end = high if step else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(f"{part!r} out of range {low}-{high}")
        values.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    return int(text)
