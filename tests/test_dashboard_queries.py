"""The dashboard's read queries on SQLite and PostgreSQL: the same hand-checked figures on both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fixture_package import AS_OF, FACTS, A, B, C, D, write_package

from supervision.core import campaign, frames
from supervision.core.principal import Principal, Role
from supervision.ingest.importer import import_package
from supervision.read import queries

LEADER = Principal("leader", "领导", Role.LEADER)
FUQIAO = Principal("fq", "浮桥镇人员", Role.TOWNSHIP, township="浮桥镇")


@pytest.fixture
def seeded(db, settings, tmp_path):
    report = import_package(write_package(tmp_path / "package"), db, settings, actor="查询测试")
    assert report.written, report.summary()
    return db


def test_quota_figures_are_exact(seeded):
    by = queries.quota_by_enterprise(seeded, LEADER, 2019, as_of=AS_OF).set_index("uscc")
    assert by.loc[A, "quota_t"] == Decimal("1000.000") and by.loc[A, "production_t"] == Decimal("900.000")
    assert by.loc[A, "utilisation"] == FACTS.utilisation_a
    assert by.loc[B, "utilisation"] == FACTS.utilisation_b
    assert by.loc[C, "batches"] == 0  # a recycler without quota still appears with its production
    used, total = frames.utilisation_totals(queries.quota_by_enterprise(seeded, LEADER, 2019, as_of=AS_OF))
    assert (used, total) == (Decimal(FACTS.production_2019_t), Decimal(FACTS.quota_total_t))
    batches = queries.quota_batches(seeded, LEADER, 2019, uscc=A)
    assert list(batches["cumulative_t"]) == [Decimal("600.000"), Decimal("1000.000")]


def test_monthly_flows_follow_the_invoice_and_tax_rules(seeded):
    flows = queries.monthly_flows(seeded, LEADER, 2019, uscc=A, as_of=AS_OF).set_index("month")
    assert flows.loc[7, "invoiced_t"] == Decimal("80.000")  # 90 issued, a 10 t credit note
    assert flows.loc[6, "invoiced_t"] == Decimal("90.000")  # the void 500 t invoice is left out
    assert flows.loc[9, "cumulative_production_t"] == Decimal("900.000")
    assert flows.loc[10, "production_t"] is None
    per = queries.flows_by_enterprise(seeded, LEADER, 2019, as_of=AS_OF).set_index("uscc")
    assert per.loc[A, "invoiced_t"] == Decimal(FACTS.invoiced_a_t)
    assert per.loc[A, "tax_covered_ore_t"] == Decimal("990.000")


def test_multi_year_counts_only_quota_holders(seeded):
    years = queries.quota_years(seeded, LEADER, year=2019, years=5, as_of=AS_OF).set_index("year")
    assert years.loc[2018, "quota_t"] == Decimal("1400.000") and years.loc[2018, "production_t"] == Decimal("1320.000")
    assert years.loc[2019, "production_t"] == Decimal("1440.000")


def test_the_year_by_year_chart_reads_only_its_window(seeded):
    """trend_years years ending with the selected one: nothing before the window, nothing after the year."""
    assert list(queries.quota_years(seeded, LEADER, year=2019, years=2, as_of=AS_OF)["year"]) == [2018, 2019]
    assert list(queries.quota_years(seeded, LEADER, year=2019, years=1, as_of=AS_OF)["year"]) == [2019]
    assert list(queries.quota_years(seeded, LEADER, year=2018, years=2, as_of=AS_OF)["year"]) == [2018]


def test_submission_statuses(seeded, settings):
    checks = queries.self_check_status(seeded, LEADER, settings, 2019, AS_OF).set_index("uscc")
    assert checks.loc[A, "status"] == campaign.ON_TIME
    assert checks.loc[C, "status"] == campaign.LATE
    assert checks.loc[D, "status"] == campaign.MISSING
    gaps = queries.monthly_report_gaps(seeded, LEADER, settings, 2019, AS_OF).set_index("uscc")
    assert gaps.loc[C, "missing"] == FACTS.monthly_missing_liuhe and gaps.loc[C, "due"] == 9
    reports = queries.township_report_status(seeded, LEADER, settings, 2019, dt.date(2019, 8, 15)).set_index("township")
    assert reports.loc["浏河镇", "status"] == campaign.MISSING  # its 08-20 report had not arrived on 08-15
    assert "陆渡街道" not in reports.index


def test_scores_and_change(seeded):
    totals = queries.score_totals(seeded, LEADER, (2018, 2019), as_of=AS_OF)
    mine = totals.set_index(["township", "year"])
    assert mine.loc[("浮桥镇", 2019), "total"] == Decimal(FACTS.score_fuqiao)
    assert mine.loc[("沙溪镇", 2018), "share"] == FACTS.score_shaxi_2018_share
    change = frames.score_change_table(totals, 2019, 2018).set_index("township")
    assert change.loc["沙溪镇", "change"] == "-30.0个百分点"


def test_township_officer_sees_only_their_township(seeded, settings):
    assert queries.enterprises(seeded, FUQIAO)["township"].unique().tolist() == ["浮桥镇"]
    assert queries.enterprise(seeded, FUQIAO, B) is None
    assert queries.quota_by_enterprise(seeded, FUQIAO, 2019, as_of=AS_OF)["uscc"].tolist() == [A]
    assert queries.blacklist(seeded, FUQIAO, AS_OF).empty
    measures = queries.township_measures(seeded, FUQIAO, settings, 2019, AS_OF)
    assert measures["township"].tolist() == ["浮桥镇"]
    records = queries.enterprise_records(seeded, FUQIAO, A, 2019, as_of=AS_OF)
    assert len(records["invoices"]) == 11


def test_blacklist_and_data_as_of(seeded):
    listed = queries.blacklist(seeded, LEADER, AS_OF)
    assert listed["name"].tolist() == [FACTS.blacklisted]
    assert queries.blacklist(seeded, LEADER, dt.date(2020, 9, 10)).empty
    assert queries.data_as_of(seeded, LEADER, ("invoices",), 2019, as_of=AS_OF) == "2019-09-21"
    both = ("monthly_reports", "invoices")
    assert queries.data_as_of(seeded, LEADER, both, 2019, as_of=AS_OF) == "2019-09"  # the whole month
    assert queries.data_as_of(seeded, LEADER, ("tipoffs",), 2018, as_of=AS_OF) is None
    assert queries.data_years(seeded, LEADER) == [2018, 2019]
