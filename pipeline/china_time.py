"""China Standard Time, the clock every reader of the pipeline's output lives by: the one
``CHINA_TZ``, calendar days as half-open ranges of aware datetimes, and moments as read in China.

China has used UTC+8 all year since 1991 (no daylight saving), so a fixed offset is exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def day_start(day: date) -> datetime:
    """Midnight at the start of a calendar day in China."""
    return datetime.combine(day, time(), CHINA_TZ)


def day_range(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Inclusive calendar days (either may be open) as ``[start, end)`` aware datetimes."""
    start = day_start(first) if first else None
    end = day_start(last + timedelta(days=1)) if last else None
    return start, end


def china_today(now: datetime | None = None) -> date:
    """Today's date in China (``now`` for tests; aware)."""
    return (now or datetime.now(UTC)).astimezone(CHINA_TZ).date()


def china_time(moment: datetime | None) -> str | None:
    """``2024-05-01 16:30``: a moment as a reader in China reads it."""
    # isoformat's first 16 characters (the offset cut): half strftime's time, on every export row.
    return moment.astimezone(CHINA_TZ).isoformat(" ", "minutes")[:16] if moment else None
