"""The year the app opens on ([display] default_year), and address values that are not valid: said, not dropped."""

from __future__ import annotations

import tomllib

import pytest
from page_support import metric, no_exception

from supervision.cli.users import screen_link
from supervision.core.config import DEFAULT_CONFIG, ConfigError, parse_settings


def _raw() -> dict:
    with open(DEFAULT_CONFIG, "rb") as fh:
        return tomllib.load(fh)


def test_the_demo_configuration_opens_on_2019_and_its_wall_link_says_so():
    settings = parse_settings(_raw())
    assert settings.display.default_year == 2019
    assert screen_link("t0k", settings.display.default_year) == "/?token=t0k&mode=screen&year=2019"
    raw = _raw()
    del raw["display"]["default_year"]
    assert parse_settings(raw).display.default_year is None
    assert screen_link("t0k") == "/?token=t0k&mode=screen"


def test_an_implausible_default_year_is_refused_in_chinese():
    raw = _raw()
    raw["display"]["default_year"] = 19
    with pytest.raises(ConfigError, match="default_year.*四位年份"):
        parse_settings(raw)


@pytest.mark.parametrize("years", [1, 21])
def test_a_trend_window_outside_two_to_twenty_years_is_refused_in_chinese(years):
    raw = _raw()
    raw["display"]["trend_years"] = years
    with pytest.raises(ConfigError, match="trend_years.*2到20之间"):
        parse_settings(raw)


def test_the_app_opens_on_the_configured_year(demo_app):
    at = demo_app()
    no_exception(at)
    assert any("2019年" in c.value for c in at.caption)
    assert metric(at, "整顿阶段") == "已结束"  # 2019 looked at on its last day


def test_invalid_address_values_are_named_in_a_notice(demo_app):
    at = demo_app(year="abc", township="不存在镇", category="外星企业")
    no_exception(at)
    text = " ".join(w.value for w in at.warning)
    assert "年度“abc”" in text and "镇区“不存在镇”" in text and "企业类别“外星企业”" in text
    assert not any("无效" in w.value for w in demo_app(year="2019").warning)


def test_findings_rules_in_the_readme_form(demo_app):
    at = demo_app("findings", year="2019", as_of="2019-12-31", rules="R05,R19")
    no_exception(at)
    assert sorted(at.multiselect(key="rules").value) == ["R05", "R19"]
    shown = {r for r in at.dataframe[0].value["规则"]} if at.dataframe else set()
    assert shown <= {"R05", "R19"} and shown
    at.multiselect(key="rules").unselect("R05").run()  # the officer's own choice then holds, not the address
    assert at.multiselect(key="rules").value == ["R19"]
    bad = demo_app("findings", year="2019", rules="R99")
    assert any("规则“R99”" in w.value for w in bad.warning)
    assert bad.multiselect(key="rules").value == []
