"""When queued alerts may leave: batching every N minutes and the push window (China Standard Time)."""

from __future__ import annotations

from datetime import datetime

import pytest

from alerts.model import SavedSearch
from alerts.schedule import CHINA_TZ, due_at


def _search(**options: object) -> SavedSearch:
    return SavedSearch.model_validate({"name": "n", "owner": "o", "query": "检察", **options})


def _cst(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=CHINA_TZ)


def test_immediate_is_now() -> None:
    assert due_at(_search(), _cst(10, 7)) == _cst(10, 7)


def test_batched_waits_for_the_next_boundary() -> None:
    assert due_at(_search(batch_minutes=15), _cst(10, 7, 30)) == _cst(10, 15)
    assert due_at(_search(batch_minutes=15), _cst(10, 15)) == _cst(10, 15)


def test_outside_the_push_window_waits_for_its_opening() -> None:
    search = _search(window_start="08:00", window_end="22:00")
    assert due_at(search, _cst(12, 0)) == _cst(12, 0)
    assert due_at(search, _cst(23, 30)) == datetime(2026, 3, 3, 8, 0, tzinfo=CHINA_TZ)
    assert due_at(search, _cst(6, 59)) == _cst(8, 0)


def test_a_window_over_midnight() -> None:
    search = _search(window_start="22:00", window_end="06:00")
    assert due_at(search, _cst(23, 0)) == _cst(23, 0)
    assert due_at(search, _cst(12, 0)) == _cst(22, 0)


def test_bad_options_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        _search(window_start="8h", window_end="22:00")
    with pytest.raises(ValueError, match="both"):
        _search(window_start="08:00")
    with pytest.raises(ValueError, match="quote"):
        _search(query='"unbalanced')
