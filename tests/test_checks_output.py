"""The findings as the rest of the system sees them: order, scope, frames, ranking, evidence cap, command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from checks_support import D, Data, Y, check, code, fired

from supervision.checks import (
    FINDING_COLUMNS,
    RANKING_COLUMNS,
    findings_csv,
    findings_frame,
    risk_ranking,
    run_checks,
)
from supervision.checks.base import EVIDENCE_LIMIT
from supervision.checks.export import CSV_HEADERS, FIGURE_LABELS
from supervision.cli.main import main
from supervision.core.findings import RULES
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.core.safety import neutralise
from supervision.ingest.importer import import_package

ALL = [rule.id for rule in RULES]


def _clean_smelter(d: Data, township: str = "城厢镇") -> str:
    """An enterprise whose every figure agrees: no rule may fire for it."""
    e = d.enterprise(township=township)
    buyer = d.enterprise("深加工应用", township=township)
    d.quota(e, "1200")
    d.months(e, purchase_ore_domestic_t="60", production_t="50", sales_t="50", raw_inventory_t="10")
    for m in range(1, 13):
        d.trace(e, f"{Y}-{m:02d}", "50")
        d.invoice(e, buyer, "50", issued_on=dt.date(Y, m, 15))
    d.tax(e, "720")
    d.self_check(e, dt.date(Y, 7, 20))
    d.township_report(township, dt.date(Y, 8, 10))
    return e


def test_consistent_data_gives_no_findings(db, settings):
    d = Data()
    _clean_smelter(d)
    d.save(db)
    assert run_checks(db, settings, Y, D) == []


def _mixed(d: Data) -> dict[str, str]:
    """Findings in two townships: a smelter over quota, a recycler on ore, a tip-off, a missing township report."""
    over = d.enterprise(township="城厢镇")
    d.quota(over, "100")
    d.months(over, months=[1], production_t="150")
    recycler = d.enterprise("资源综合利用", township="沙溪镇")
    d.months(recycler, months=[1], purchase_ore_domestic_t="3")
    holder = d.enterprise("贸易流通", township="沙溪镇")
    licence = d.license(holder, "10")
    d.declaration(holder, "11", license_no=licence)
    tip = d.tipoff(dt.date(Y, 2, 1), township="城厢镇", subject_uscc=recycler)
    return {"over": over, "recycler": recycler, "holder": holder, "licence": licence, "tip": tip}


def test_findings_are_in_rule_order_then_subject_and_repeatable(db, settings):
    d = Data()
    _mixed(d)
    d.save(db)
    first = run_checks(db, settings, Y, D)
    order = {r.id: i for i, r in enumerate(RULES)}
    keys = [(order[f.rule], f.subject) for f in first]
    assert keys == sorted(keys)
    assert run_checks(db, settings, Y, D) == first


def test_township_officer_sees_only_their_township(db, settings):
    d = Data()
    k = _mixed(d)
    d.save(db)
    officer = Principal("shaxi", "沙溪镇经办人", Role.TOWNSHIP, township="沙溪镇")
    mine = run_checks(db, settings, Y, D, officer)
    assert {f.township for f in mine} == {"沙溪镇"}
    assert k["recycler"] in fired(mine, "R08") and k["licence"] in fired(mine, "R09")
    assert fired(mine, "R02") == set() and fired(mine, "R18") == set()  # the tip-off was filed in 城厢镇
    assert fired(mine, "R17") == {"沙溪镇"}
    everyone = run_checks(db, settings, Y, D)
    assert fired(everyone, "R17") == {"城厢镇", "沙溪镇"}
    assert fired(everyone, "R18") == {k["tip"]}
    # Asking for another township through the filter gives nothing, never its rows.
    assert run_checks(db, settings, Y, D, officer, township="城厢镇") == []


def test_findings_frame_filters(db, settings):
    d = Data()
    k = _mixed(d)
    d.save(db)
    frame = findings_frame(db, settings, SYSTEM, Y, D)
    assert list(frame.columns) == list(FINDING_COLUMNS)
    assert len(frame) == len(run_checks(db, settings, Y, D))
    town = findings_frame(db, settings, SYSTEM, Y, D, township="城厢镇")
    assert set(town["township"]) == {"城厢镇"}
    assert set(town["rule"]) >= {"R02", "R17", "R18"}
    recyclers = findings_frame(db, settings, SYSTEM, Y, D, category="资源综合利用")
    assert set(recyclers["uscc"]) == {k["recycler"]}  # R17 is about no enterprise: left out by a category
    only_r09 = findings_frame(db, settings, SYSTEM, Y, D, rules=["R09"])
    assert list(only_r09["subject"]) == [k["licence"]]
    assert only_r09.iloc[0]["figures"]["declared_t"] == Decimal("11.000")
    warnings = findings_frame(db, settings, SYSTEM, Y, D, severity="预警")
    assert warnings.empty and list(warnings.columns) == list(FINDING_COLUMNS)


def test_evidence_is_capped_and_the_full_count_kept(db, settings):
    d = Data()
    e = d.enterprise()
    buyer = d.enterprise("深加工应用")
    d.months(e, months=[1], sales_t="1000")
    for i in range(EVIDENCE_LIMIT + 10):
        d.invoice(e, buyer, "1", issued_on=dt.date(Y, 1, 1) + dt.timedelta(days=i))
    d.save(db)
    [f] = check(db, settings, ["R05"])
    invoices = [r for r in f.rows if r.table == "invoices"]
    assert len(invoices) == EVIDENCE_LIMIT
    assert f.figures["invoices"] == EVIDENCE_LIMIT + 10
    assert invoices[0].key == "INV000001" and invoices[0].label.startswith(f"{Y}-01-01 氧化物")


def test_evidence_of_many_enterprises_is_one_statement_in_each_ones_order(db, settings):
    """Three flagged sellers (two over the cap, one under): their invoices come from one statement and the capped
    ones' totals from one more, not a query per enterprise (issue 21); each keeps its own date order."""
    from sqlalchemy import event

    d = Data()
    buyer = d.enterprise("深加工应用")
    sellers = {d.enterprise(): n for n in (EVIDENCE_LIMIT + 10, 3, EVIDENCE_LIMIT + 1)}
    for seller, n in sellers.items():
        d.months(seller, months=[1], sales_t="1000")
        for i in reversed(range(n)):  # written newest first: the order comes from the query
            d.invoice(seller, buyer, "1", issued_on=dt.date(Y, 1, 1) + dt.timedelta(days=i))
    d.save(db)
    statements: list[str] = []

    def seen(conn: object, cursor: object, text: str, *args: object) -> None:
        statements.append(text)

    event.listen(db, "before_cursor_execute", seen)
    try:
        found = {f.uscc: f for f in check(db, settings, ["R05"])}
    finally:
        event.remove(db, "before_cursor_execute", seen)
    assert set(found) == set(sellers)
    for seller, n in sellers.items():
        invoices = [r for r in found[seller].rows if r.table == "invoices"]
        assert len(invoices) == min(n, EVIDENCE_LIMIT) and found[seller].figures["invoices"] == n
        dates = [r.label[:10] for r in invoices]
        assert dates == sorted(dates) and dates[0] == f"{Y}-01-01"
    assert sum("evidence_subject" in text for text in statements) == 2  # the rows, then the capped ones' totals


def test_risk_ranking_weighs_violations_repeats_and_last_year(db, settings):
    d = Data()
    warned = d.enterprise(name="预警企业")
    d.quota(warned, "100")
    d.months(warned, months=range(1, 6), production_t="19", purchase_compound_t="20")
    for m in range(1, 6):
        d.trace(warned, f"{Y}-{m:02d}", "19")
    exporter = d.enterprise("贸易流通", name="出口企业")
    for day in (1, 2, 3):
        d.declaration(exporter, "1", declared_on=dt.date(Y, 3, day), inspection_no=None,
                      license_no=d.license(exporter, "5"))
    once = d.enterprise("贸易流通", name="一次违规企业")
    d.declaration(once, "1", inspection_no=None, license_no=d.license(once, "5"))
    recidivist = d.enterprise("贸易流通", name="连续违规企业")
    for year in (Y - 1, Y):
        d.declaration(recidivist, "1", declared_on=dt.date(year, 6, 1), inspection_no=None,
                      license_no=d.license(recidivist, "5", valid_from=dt.date(year, 1, 1),
                                           valid_to=dt.date(year, 12, 31)))
    d.save(db)
    ranking = risk_ranking(db, settings, SYSTEM, Y, dt.date(Y, 6, 30))
    assert list(ranking.columns) == list(RANKING_COLUMNS)
    assert list(ranking["name"]) == ["出口企业", "连续违规企业", "一次违规企业", "预警企业"]
    scores = dict(zip(ranking["name"], ranking["score"], strict=True))
    assert scores == {"出口企业": 20.0, "连续违规企业": 15.0, "一次违规企业": 10.0, "预警企业": 3.0}
    row = ranking.set_index("name").loc["出口企业"]
    assert (row["violations"], row["warnings"], row["rank"]) == (3, 0, 1)
    assert row["reasons"] == "R11 出口未法检×3（违规）20分"
    assert ranking.set_index("name").loc["连续违规企业", "reasons"] == "R11 出口未法检（违规，上年亦有）15分"
    assert ranking.set_index("name").loc["预警企业", "reasons"] == "W01 指标使用预警（预警）3分"


def test_csv_cells_that_look_like_formulas_are_neutralised():
    # Plain numbers (a 红冲 amount, a year) stay numbers; anything else that starts a formula is quoted.
    assert [neutralise(v) for v in ("=1+1", "+86 512", "-5", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "正常")] == [
        "'=1+1", "'+86 512", "-5", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1)", "正常"]


def _write_package(folder: Path) -> dict[str, str]:
    over, buyer = code(901), code(902)
    folder.mkdir()
    (folder / "企业名录.csv").write_text(
        "统一社会信用代码,企业名称,企业类别,所属镇区,生产状态,环评批复,环保竣工验收,最近清洁生产审核日期\n"
        f"{over},=HYPERLINK(\"http://x\"),冶炼分离,城厢,在产,是,是,2019-01-01\n"
        f"{buyer},下游应用公司,深加工应用,港区,在产,是,是,\n",
        encoding="utf-8",
    )
    quotas = f"year,batch,uscc,quota_t\n2019,1,{over},1000\n"
    (folder / "quotas.csv").write_text(quotas, encoding="utf-8")
    months = "".join(f"{over},2019-{m:02d},80,75,75\n" for m in range(1, 13))
    (folder / "monthly_reports.csv").write_text(
        "uscc,period,purchase_compound_t,production_t,sales_t\n" + months, encoding="utf-8")
    traced = "".join(f"{over},2019-{m:02d},75\n" for m in range(1, 13))
    (folder / "traceability.csv").write_text("uscc,period,production_t\n" + traced, encoding="utf-8")
    self_checks = f"uscc,year,submitted_on\n{over},2019,2019-07-15\n"
    (folder / "self_checks.csv").write_text(self_checks, encoding="utf-8")
    (folder / "稀土专用发票.csv").write_text(
        "发票号码,开票日期,销方税号,购方税号,产品类别,折REO,状态\n"
        f"0451,2019年3月1日,{over},{buyer},OXIDE,1005,正常\n"
        f"0452,2019/03/02,{over},{buyer},OXIDE,500,作废\n",
        encoding="gb18030",
    )
    return {"over": over, "buyer": buyer}


@pytest.fixture
def imported(db, settings, tmp_path):
    codes = _write_package(tmp_path / "pkg")
    report = import_package(tmp_path / "pkg", db, settings)
    assert report.written, report.summary()
    return db, codes


def test_check_command_prints_json(imported, capsysbinary):
    engine, codes = imported
    url = engine.url.render_as_string(hide_password=False)
    assert main(["check", "--year", "2019", "--as-of", "2020-03-01", "--db", url]) == 0
    out, err = capsysbinary.readouterr()
    data = json.loads(out.decode("utf-8"))
    assert [(f["rule"], f["subject"]) for f in data] == [("W01", codes["over"]), ("R05", codes["over"]),
                                                        ("R17", "城厢镇"), ("R17", "浮桥镇")]
    w01 = data[0]
    assert {"rule", "subject", "year", "severity", "message", "evidence"} <= set(w01)
    assert (w01["year"], w01["severity"]) == (2019, "预警")
    assert w01["message"] == "2019年冶炼分离产量900.00吨，已达指标1000.00吨的90.0%（预警线90%）"
    assert w01["evidence"]["figures"]["production_t"] == "900.000"
    assert w01["evidence"]["figures"]["quota_t"] == "1000.000"
    r05 = data[1]
    assert r05["evidence"]["figures"]["invoiced_t"] == "1005.000"  # the void invoice is not counted
    assert [r["key"] for r in r05["evidence"]["rows"] if r["table"] == "invoices"] == ["0451"]
    assert "违规3条，预警1条" in err.decode("utf-8")


def test_check_command_prints_csv_for_excel(imported, capsysbinary):
    engine, codes = imported
    url = engine.url.render_as_string(hide_password=False)
    assert main(["check", "--year", "2019", "--as-of", "2020-03-01", "--db", url, "--format", "csv"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADERS
    assert [r[0] for r in rows[1:]] == ["W01", "R05", "R17", "R17"]
    w01 = dict(zip(rows[0], rows[1], strict=True))
    assert w01["企业名称"] == "'=HYPERLINK(\"http://x\")"
    assert w01["所属镇区"] == "城厢镇"
    assert "冶炼分离产量（吨）=900.000" in w01["核对数据"]
    assert f"总量控制指标 2019|1|{codes['over']}|冶炼分离" in w01["来源记录"]


def test_check_command_usage_errors_exit_2(db, capsys):
    url = db.url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as bad_date:
        main(["check", "--year", "2019", "--as-of", "2019-02-30", "--db", url])
    assert bad_date.value.code == 2
    assert "日期“2019-02-30”无效" in capsys.readouterr().err
    with pytest.raises(SystemExit) as bad_year:
        main(["check", "--year", "19x"])
    assert bad_year.value.code == 2
    with pytest.raises(SystemExit) as no_year:
        main(["check", "--db", url])
    assert no_year.value.code == 2


def test_every_figure_has_a_chinese_label(db, settings):
    d = Data()
    _mixed(d)
    late = d.enterprise(last_clean_audit=None, eia_approved=False)
    d.environment(late, dt.date(Y, 3, 1))
    d.months(late, months=[2], toll_processing_t="1", production_t="9", purchase_ore_domestic_t="3", sales_t="4")
    d.trace(late, f"{Y}-02", "20")
    d.declaration(late, "2", license_no=None, inspection_no=None)
    d.tipoff(dt.date(Y, 1, 1), dt.date(Y, 3, 1))
    d.township_report("沙溪镇", dt.date(Y, 8, 20))
    trader = d.enterprise("贸易流通")
    d.invoice(trader, late, "30")
    d.save(db)
    found = run_checks(db, settings, Y, dt.date(Y + 1, 3, 1))
    assert {f.rule for f in found} >= set(ALL) - {"W01"}
    keys = {k for f in found for k in f.figures}
    assert keys - set(FIGURE_LABELS) == set()
    assert findings_csv(found).count(b"\r\n") == len(found) + 1


def test_migrations_give_the_covering_invoice_indexes_the_models_declare(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from supervision.storage.models import Base

    indexes = {ix["name"]: ix["column_names"] for ix in inspect(db).get_indexes("invoices")}
    assert indexes["ix_invoices_seller_issued"] == ["seller_uscc", "issued_on", "status", "reo_t"]
    assert indexes["ix_invoices_buyer_issued"] == ["buyer_uscc", "issued_on", "status", "product_category", "reo_t"]
    with db.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
