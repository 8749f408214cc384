"""The as-of rule itself (supervision.core.asof) and the read queries on the demo data looked at on 2019-08-13."""

from __future__ import annotations

import datetime as dt

import pytest

from supervision.core.asof import AsOf, dated_counts, last_ended_period, last_full_year, period_counts
from supervision.core.principal import Principal, Role
from supervision.read import queries
from supervision.storage.models import DATA_MODELS

LEADER = Principal("t.leader", "领导", Role.LEADER)
D = dt.date(2019, 8, 13)
day = dt.date


@pytest.mark.parametrize(("d", "period", "months", "text"), [
    (day(2019, 8, 13), "2019-07", 7, "1–7月"),
    (day(2019, 7, 31), "2019-07", 7, "1–7月"),
    (day(2019, 7, 30), "2019-06", 6, "1–6月"),
    (day(2019, 2, 1), "2019-01", 1, "1月"),
    (day(2019, 1, 30), "2018-12", 0, "无已结束月份"),
    (day(2019, 12, 31), "2019-12", 12, "1–12月"),
    (day(2020, 3, 15), "2020-02", 12, "1–12月"),
])
def test_months_that_have_ended(d, period, months, text):
    assert last_ended_period(d) == period
    window = AsOf(2019, d)
    assert (window.months, window.month_range()) == (months, text)


def test_dated_undated_and_closing_dates():
    assert period_counts("2019-07", day(2019, 7, 31)) and not period_counts("2019-07", day(2019, 7, 30))
    assert period_counts("2019-02", day(2019, 2, 28)) and period_counts("2020-02", day(2020, 2, 29))
    assert dated_counts(D, D) and not dated_counts(D + dt.timedelta(days=1), D)
    # An undated self-check, township report or inspection score counts from the last day of its year.
    assert not dated_counts(None, D, 2019) and dated_counts(None, day(2019, 12, 31), 2019)
    assert dated_counts(None, D, 2018) and not dated_counts(None, D)
    assert last_full_year(day(2019, 12, 31)) == 2019 and last_full_year(D) == 2018
    window = AsOf(2019, D)
    assert (window.first_day, window.last_day, window.first_period, window.last_period) == (
        day(2019, 1, 1), D, "2019-01", "2019-07")
    assert AsOf(2019, day(2020, 5, 1)).last_day == day(2019, 12, 31) and AsOf(2019, day(2020, 5, 1)).whole_year


def test_no_data_as_of_label_names_a_day_after_d(demo):
    for key in DATA_MODELS:
        shown = queries.data_as_of(demo, LEADER, (key,), 2019, as_of=D)
        if shown is not None:  # a day on or before D, or a month ended by D
            assert shown <= D.isoformat() if len(shown) == 10 else shown <= "2019-07", (key, shown)
    assert queries.data_as_of(demo, LEADER, ("monthly_reports",), 2019, as_of=D) == "2019-07"
    fresh = queries.table_freshness(demo, LEADER, 2019, as_of=D)
    for key, shown in zip(fresh["table"], fresh["as_of"], strict=True):
        if isinstance(shown, str) and key not in ("quotas", "scoring_items"):  # those two hold a year, not a date
            assert shown <= D.isoformat() if len(shown) == 10 else shown <= "2019-07", (key, shown)


def test_what_d_leaves_out_is_counted(demo):
    assert queries.later_rows(demo, LEADER, ("inspection_scores",), 2019, as_of=D) > 0
    assert queries.later_rows(demo, LEADER, ("monthly_reports", "invoices"), 2019, as_of=D) > 0
    assert queries.later_rows(demo, LEADER, ("inspection_scores",), 2019, as_of=day(2019, 12, 31)) == 0
    scores = queries.inspection_scores(demo, LEADER, 2019, as_of=D)
    assert (scores["inspected_on"] <= D).all()
    monthly = queries.monthly_flows(demo, LEADER, 2019, as_of=D)
    assert monthly.loc[monthly["month"] > 7, "production_t"].isna().all()
    assert monthly.loc[monthly["month"] <= 7, "production_t"].notna().any()
