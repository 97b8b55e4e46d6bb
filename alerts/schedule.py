"""When a queued alert may leave: at once, at the next batch boundary (every N minutes), and never
outside the saved search's push window (held until the window next opens). Pure functions.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from alerts.model import SavedSearch
from pipeline.china_time import CHINA_TZ

__all__ = ["CHINA_TZ", "due_at", "in_window", "next_opening"]


def in_window(moment: datetime, window: tuple[time, time]) -> bool:
    """Whether ``moment`` (aware) falls in the window, read in China Standard Time; a window
    whose end is before its start runs over midnight (22:00–06:00)."""
    start, end = window
    clock = moment.astimezone(CHINA_TZ).time()
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def next_opening(moment: datetime, window: tuple[time, time]) -> datetime:
    """The first instant at or after ``moment`` inside the window."""
    if in_window(moment, window):
        return moment
    local = moment.astimezone(CHINA_TZ)
    opening = local.replace(hour=window[0].hour, minute=window[0].minute, second=0, microsecond=0)
    if opening < local:
        opening += timedelta(days=1)
    return opening.astimezone(moment.tzinfo)


def due_at(search: SavedSearch, now: datetime) -> datetime:
    """When an alert recorded at ``now`` is to be sent."""
    due = now
    if search.batch_minutes:
        period = search.batch_minutes * 60
        due = datetime.fromtimestamp(math.ceil(now.timestamp() / period) * period, now.tzinfo)
    window = search.window()
    return due if window is None else next_opening(due, window)
