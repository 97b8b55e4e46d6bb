"""Search parameters declared once: the web app and `jiancha search` read the same model."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from indexer.base import QueryError
from indexer.cli import add_search_arguments, query_from_args
from indexer.params import SearchParams, parse_params
from pipeline.china_time import CHINA_TZ


def cli_query(*argv: str) -> object:
    parser = argparse.ArgumentParser()
    add_search_arguments(parser)
    return query_from_args(parser.parse_args(list(argv)))


def test_the_cli_and_the_web_parameters_build_the_same_query() -> None:
    web = parse_params(
        {
            "q": "司法救助 山西",
            "source": "山西日报",
            "from": "2024-05-01",
            "to": "2024-05-31",
            "sort": "date",
            "size": "10",
            "relevant": "1",
            "stories": "0",
            "histogram": "week",
        }
    ).to_query()
    cli = cli_query("司法救助", "山西", "--source", "山西日报", "--from", "2024-05-01", "--to", "2024-05-31",
                    "--sort", "date", "--relevant", "yes", "--every-copy", "--histogram", "week")  # fmt: skip
    assert web == cli


def test_days_are_whole_calendar_days_in_china_time() -> None:
    query = parse_params({"q": "检察", "from": "2024-05-01", "to": "2024-05-01"}).to_query()
    assert query.date_from == datetime(2024, 5, 1, tzinfo=CHINA_TZ)
    assert query.date_to == datetime(2024, 5, 2, tzinfo=CHINA_TZ)  # exclusive end: the next midnight
    assert query.date_from.astimezone(UTC) == datetime(2024, 4, 30, 16, tzinfo=UTC)


def test_a_preset_is_a_window_ending_today_in_china() -> None:
    # 20:00 UTC on 31 May is already 1 June in China.
    now = datetime(2024, 5, 31, 20, tzinfo=UTC)
    week = parse_params({"q": "检察", "preset": "7d", "from": "2020-01-01"}).to_query(now=now)
    assert (week.date_from, week.date_to) == (
        datetime(2024, 5, 26, tzinfo=CHINA_TZ),
        datetime(2024, 6, 2, tzinfo=CHINA_TZ),
    )
    today = parse_params({"q": "检察", "preset": "today"}).days(now)
    assert today == (datetime(2024, 6, 1).date(), datetime(2024, 6, 1).date())


def test_empty_form_fields_count_as_absent() -> None:
    params = parse_params({"q": "检察", "site": "", "page": " ", "sort": "", "from": ""})
    assert (params.site, params.page, params.sort, params.date_from) == (None, 1, "relevance", None)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"page": "abc"}, "page must be a whole number, not 'abc'"),
        ({"page": "0"}, "page must be at least 1"),
        ({"size": "1000"}, "size must be at most 100"),
        ({"from": "May 1st"}, "from must be a date like 2024-05-01, not 'May 1st'"),
        ({"relevant": "maybe"}, "relevant must be 1 or 0, not 'maybe'"),
        ({"histogram": "year"}, "histogram must be one of 'day', 'week' or 'month', not 'year'"),
        ({"sort": "random"}, "sort must be one of 'relevance' or 'date'"),
        ({"min_relevance": "2"}, "min_relevance must be at most 1"),
        ({"source": "报" * 201}, "source is too long"),
        ({"from": "2024-06-02", "to": "2024-06-01"}, "is after to"),
    ],
)
def test_bad_values_are_worded_for_a_person(values: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")) as caught:
        parse_params({"q": "检察", **values}).to_query()
    assert "Input should be" not in str(caught.value)  # not pydantic's own wording


def test_as_params_round_trips_a_search_through_a_url() -> None:
    params = parse_params(
        {"q": "检察", "from": "2024-05-01", "tone": "critical", "stories": "0", "page": "3"}
    )
    shown = params.as_params()
    assert shown == {"q": "检察", "tone": "critical", "from": "2024-05-01", "page": "3", "stories": "0"}
    assert SearchParams.model_validate(shown) == params
