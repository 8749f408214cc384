"""物料流向 in AppTest: the Sankey and the tables are the domain's flow, with the filters and the enterprise toggle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from page_support import charts, metric, no_exception
from sqlalchemy import create_engine

from supervision.core.principal import Principal, Role
from supervision.read.flows import material_flow

PARAMS = {"year": "2019", "as_of": "2019-10-15"}
LEADER = Principal("flows.page", "领导", Role.LEADER)


def _domain(url: str, township: str | None = None, by_enterprise: bool = False):
    engine = create_engine(url)
    try:
        return material_flow(engine, LEADER, 2019, township, as_of=dt.date(2019, 10, 15), by_enterprise=by_enterprise)
    finally:
        engine.dispose()


def _sankey(at):
    return charts(at)["flows_sankey"]["data"][0]


def test_the_picture_and_tables_are_the_domains_flow(app, seeded):
    at = app("flows", **PARAMS)
    no_exception(at)
    flow = _domain(seeded[0])
    assert flow.links and flow.gaps()
    sankey = _sankey(at)
    assert list(sankey["node"]["label"]) == [n.label for n in flow.nodes]
    assert [round(v, 3) for v in sankey["link"]["value"]] == [round(float(lk.tonnes), 3) for lk in flow.links]
    red = [c for c in sankey["link"]["color"] if c.startswith("rgba(211")]
    assert len(red) == len(flow.gaps())
    assert metric(at, "进入（吨，折REO）") == f"{float(flow.entering()):,.3f}"
    assert metric(at, "差额流（条）") == str(len(flow.gaps()))
    gaps, top = (d.value for d in at.dataframe if "相关规则" in d.value.columns)  # 差额流, then the largest
    assert set(gaps["类型"]) == {"差额"} and len(top) == min(15, len(flow.links))
    assert [Decimal(str(v)).quantize(Decimal("0.001")) for v in gaps["折REO（吨）"]] == [
        g.tonnes.quantize(Decimal("0.001")) for g in flow.gaps()]
    assert set(gaps["相关规则"]) <= {"R04", "R05", "R07", "R12", ""}
    assert not at.toggle(key="flows_by_enterprise").value  # the city: one node per township and kind


def test_enterprise_toggle_and_township_filter_and_opening_a_profile(app, seeded):
    at = app("flows", **PARAMS, township="浮桥镇")
    no_exception(at)
    assert at.toggle(key="flows_by_enterprise").value  # a township's picture starts with its enterprises
    flow = _domain(seeded[0], "浮桥镇", by_enterprise=True)
    sankey = _sankey(at)
    assert {c for c in sankey["node"]["customdata"] if c} == set(flow.enterprises())
    assert not any("城厢镇" in label for label in sankey["node"]["label"])
    at.toggle(key="flows_by_enterprise").set_value(False).run()
    no_exception(at)
    assert not any(_sankey(at)["node"]["customdata"])
    at.toggle(key="flows_by_enterprise").set_value(True).run()
    uscc = next(iter(flow.enterprises()))
    at.selectbox(key="flows_enterprise").set_value(uscc).run()
    at.button(key="flows_open").click().run()
    no_exception(at)
    assert at.query_params["uscc"] == [uscc] or at.query_params["uscc"] == uscc


def test_before_any_month_has_ended_the_page_says_there_is_nothing(app):
    at = app("flows", year="2019", as_of="2019-01-05")
    no_exception(at)
    assert metric(at, "差额流（条）") == "0"
    assert any("没有流向数据" in c.value for c in at.caption)


def test_the_ledger_on_the_profile_and_its_xlsx_hold_the_same_figures(app, seeded):
    import io

    import openpyxl
    from fixture_package import A

    from supervision.read.flows import LEDGER_COLUMNS, enterprise_ledger
    from supervision.reporting.tables import DATA_SHEET, xlsx_table

    at = app("enterprise", **PARAMS, uscc=A)
    no_exception(at)
    shown = next(d.value for d in at.dataframe if "账目" in d.value.columns)
    engine = create_engine(seeded[0])
    try:
        ledger = enterprise_ledger(engine, LEADER, A, 2019, as_of=dt.date(2019, 10, 15), factor=Decimal("1.02"),
                                   relative=Decimal("0.05"), absolute_t=Decimal(1))
    finally:
        engine.dispose()
    assert list(shown["月份"]) == list(ledger["period"]) and len(shown) == 9  # January to September at 10-15
    book = openpyxl.load_workbook(io.BytesIO(xlsx_table(ledger, LEDGER_COLUMNS, title="台账")))
    rows = list(book[DATA_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == list(LEDGER_COLUMNS.values())
    for header in ("产量", "期末产品库存（推算）", "推算−报送", "原料消耗（推算）"):
        column = list(LEDGER_COLUMNS.values()).index(header)
        in_file = [Decimal(str(r[column])) for r in rows[1:]]
        on_page = [Decimal(str(v)) for v in shown[header]]
        assert in_file == on_page, header
    assert [r[-1] for r in rows[1:]] == list(shown["账目"])
