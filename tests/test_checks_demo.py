"""The checks on the demo database: exactly the planted problems of demo.scenario, none of its near misses."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from supervision.checks import findings_csv, risk_ranking, run_checks
from supervision.checks.export import findings_json
from supervision.core.findings import RULES
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.demo import scenario
from supervision.demo.build import build_demo_database
from supervision.demo.scenario import NEAR_MISSES, PLANTED


@pytest.fixture
def demo_db(db, settings):
    build_demo_database(db, settings)
    return db


@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_demo_findings_are_the_planted_table(demo_db, settings, year):
    found = run_checks(demo_db, settings, year, dt.date(year, 12, 31))
    # 2018 has no [calendar.2018] table: no campaign, so no R16/R17 (the demo notes what a default
    # calendar would add); every other year's findings are exactly the planted ones.
    assert {(f.rule, f.subject) for f in found} == {(p.rule, p.subject) for p in PLANTED if p.year == year}
    for miss in NEAR_MISSES:
        if miss.year == year:
            assert (miss.rule, miss.subject) not in {(f.rule, f.subject) for f in found}, miss


def test_demo_2019_shows_most_rules_with_their_figures(demo_db, settings):
    found = run_checks(demo_db, settings, 2019, dt.date(2019, 12, 31))
    rules = {f.rule for f in found}
    assert len(rules) >= 18 and rules <= {r.id for r in RULES}
    by = {(f.rule, f.subject): f for f in found}
    s2, s3, s4 = scenario.F["S2"].uscc, scenario.F["S3"].uscc, scenario.F["S4"].uscc
    assert by[("R02", s2)].message == "2019年冶炼分离产量1502.386吨，超出指标1430.00吨（105.1%）"
    assert str(by[("W01", s3)].figures["production_t"]) == "1200.625" == str(by[("W01", s3)].figures["quota_t"])
    r04 = by[("R04", s4)].figures
    assert (str(r04["sources_t"]), str(r04["production_t"])) == ("1225.131", "1330.000")
    assert str(by[("R09", "2019-CK-0002")].figures["declared_t"]) == "36.500"
    assert by[("R19", scenario.F["C1"].uscc)].figures["missing_periods"] == ["2019-09", "2019-10"]
    # Both formats carry every finding.
    assert len(json.loads(findings_json(found))) == len(found)
    assert findings_csv(found).decode("utf-8-sig").count("\r\n") == len(found) + 1


def test_demo_r13_depends_on_the_as_of_date(demo_db, settings):
    s6 = scenario.F["S6"].uscc
    at_year_end = run_checks(demo_db, settings, 2019, dt.date(2019, 12, 31), rules={"R13"})
    after_repair = run_checks(demo_db, settings, 2019, dt.date(2020, 3, 15), rules={"R13"})
    assert s6 in {f.subject for f in at_year_end}
    assert s6 not in {f.subject for f in after_repair}


def test_demo_township_officer_and_ranking(demo_db, settings):
    officer = Principal("shaxi", "沙溪镇经办人", Role.TOWNSHIP, township="沙溪镇")
    mine = run_checks(demo_db, settings, 2019, dt.date(2019, 12, 31), officer)
    assert mine and {f.township for f in mine} == {"沙溪镇"}
    ranking = risk_ranking(demo_db, settings, SYSTEM, 2019, dt.date(2019, 12, 31))
    assert ranking.iloc[0]["uscc"] in {scenario.F["S4"].uscc, scenario.F["C3"].uscc}
    assert list(ranking["score"]) == sorted(ranking["score"], reverse=True)
    assert ranking["reasons"].str.len().gt(0).all()
