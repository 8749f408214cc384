"""Drill-down (issue 18): enterprise tables open the profile, KPI cards link to the rows behind them."""

from __future__ import annotations

from typing import Any

from page_support import click_table_row, no_exception, table

PARAMS = {"year": "2019", "as_of": "2019-10-15"}


def _profile_of_row(at: Any, key: str, name_column: str) -> None:
    rows = table(at, name_column, "镇区")
    name = rows[name_column].iloc[0]
    click_table_row(at, key, 0)
    no_exception(at)
    assert at.query_params["year"] == "2019" and at.query_params["as_of"] == "2019-10-15"  # filters kept
    assert at.query_params["uscc"]
    assert at.header[0].value == name  # the profile of the chosen row


def test_the_quota_table_opens_the_profile(app: Any) -> None:
    _profile_of_row(app("quota", **PARAMS), "quota_table", "企业")


def test_the_map_township_list_opens_the_profile(app: Any) -> None:
    at = app("map", township="浮桥镇", **PARAMS)
    _profile_of_row(at, "map_enterprises", "企业名称")


def test_the_progress_self_check_table_opens_the_profile(app: Any) -> None:
    _profile_of_row(app("progress", **PARAMS), "progress_self_checks", "企业")


def test_every_kpi_card_links_to_the_rows_behind_it(app: Any) -> None:
    at = app("overview", **PARAMS)
    targets = [(e.proto.page, e.proto.label) for e in at.get("page_link") if e.proto.label != "本页说明"]
    assert len(targets) == len(at.metric) == 6
    labels = [label for _, label in targets]
    assert labels == ["企业分布", "指标执行明细", "整顿进度", "问题清单", "报送红黄绿灯", "处罚与黑名单"]
