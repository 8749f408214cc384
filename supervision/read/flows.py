"""Where the rare earth went (物料流向): a year's material balance as of D, in tonnes REO, as nodes and links.

Every link is one figure from one table, summed in the database over the rows that count at D (spec 1.1,
section 4.1): the monthly reports' purchases, production, sales and stocks; the resource-tax certificates; the
rare-earth invoices (作废 ignored, 红冲 with its sign); the customs declarations. Each enterprise node balances
exactly, because where its two sides disagree a separate 差额 link in red carries the difference and names the
rule it feeds:

- smelters and recyclers (冶炼分离, 资源综合利用): raw side — purchases of four kinds (domestic ore split into
  covered and not covered by tax certificates, R07) + opening raw stock − closing raw stock is what they consumed;
  production above that is "原料来源不明" (R04), production below it is 损耗/未说明. Product side — opening
  product stock + production − sales = closing product stock, a reported stock that disagrees is 库存差额; sales
  go where the invoices and export declarations say, sales the paper trail does not cover are 无票据销量 (R05),
  invoices and exports beyond the reported sales are 票据多于销量 (R05).
- traders (贸易流通): purchases on invoices and imports in, sales on invoices and exports out; selling more than
  came in is 来源不明 (R12), the rest is 未售出（推定结存）(traders report no stocks).

Choices where the spec is silent, written down in README: exports count with invoices as the paper trail of
sales (an export has no domestic VAT invoice, so R05's invoice-only comparison would call every export
unexplained); R12's stream also counts exports as outflow; opening stocks are the latest report before Y, as R04
says. Material a city trader sells to a city smelter appears in the trader's sales (to 市内冶炼/综合利用企业)
and again in the smelter's purchases: each enterprise's books are drawn as it keeps them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from supervision.access.scope import scoped
from supervision.core.asof import AsOf
from supervision.core.principal import Principal
from supervision.storage import asof as counts
from supervision.storage.models import Customs, Enterprise, Invoice, MonthlyReport, ResourceTax

ZERO = Decimal(0)
PRODUCERS = ("冶炼分离", "资源综合利用")
TRADERS = ("贸易流通",)

# Node kinds: where material enters the picture, the enterprises it passes, where it leaves.
SOURCE, PRODUCER, TRADER, SINK = "source", "producer", "trader", "sink"
FLOW, GAP = "flow", "gap"

# Fixed nodes (key → label).
ORE_TAXED = ("src:ore_taxed", "国内矿产品（有完税证明）")
ORE_UNTAXED = ("src:ore_untaxed", "国内矿产品（无完税证明）")
ORE_IMPORTED = ("src:ore_imported", "进口矿产品")
COMPOUND = ("src:compound", "富集物及化合物")
SCRAP = ("src:scrap", "废料")
OPENING_RAW = ("src:opening_raw", "期初原料库存")
OPENING_PRODUCT = ("src:opening_product", "期初产品库存")
NO_SOURCE = ("gap:no_source", "原料来源不明")
OVER_PAPER = ("gap:over_paper", "票据多于销量")
STOCK_IN = ("gap:stock_in", "库存差额（账面多出）")
TRADER_NO_SOURCE = ("gap:trader_no_source", "贸易来源不明")
IMPORTS = ("src:imports", "进口（报关）")
OUTSIDE_SELLER = ("src:outside_seller", "市外供货（名录外）")
OTHER_TOWN_SELLER = ("src:other_town_seller", "镇外企业（市内）")
CITY_OTHER_SELLER = ("src:city_other_seller", "市内其他企业")

CLOSING_RAW = ("out:closing_raw", "期末原料库存")
CLOSING_PRODUCT = ("out:closing_product", "期末产品库存")
LOSS = ("out:loss", "损耗/未说明")
NO_PAPER = ("gap:no_paper", "无票据销量")
STOCK_OUT = ("gap:stock_out", "库存差额（账面短少）")
UNSOLD = ("out:unsold", "未售出（推定结存）")
EXPORTS = ("out:exports", "出口（报关）")
OUTSIDE_BUYER = ("out:outside_buyer", "市外买方（名录外）")
OTHER_TOWN_BUYER = ("out:other_town_buyer", "镇外企业（市内）")
CITY_OTHER_BUYER = ("out:city_other_buyer", "市内金属冶炼/深加工企业")
CITY_PRODUCER_BUYER = ("out:city_producer_buyer", "市内冶炼/综合利用企业")


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str  # source, producer, trader, sink
    uscc: str | None = None  # an enterprise node's code (clicking it opens the profile)


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    tonnes: Decimal
    kind: str  # flow, or gap (the 差额 streams, drawn in red)
    rule: str | None = None


@dataclass(frozen=True)
class Flow:
    year: int
    as_of: dt.date
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]

    def node(self, key: str) -> Node:
        return next(n for n in self.nodes if n.key == key)

    def imbalance(self) -> dict[str, Decimal]:
        """In − out of every enterprise node: zero to the last unit, the 差额 links included."""
        out: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for link in self.links:
            out[link.target] += link.tonnes
            out[link.source] -= link.tonnes
        return {n.key: out[n.key] for n in self.nodes if n.kind in (PRODUCER, TRADER)}

    def entering(self) -> Decimal:
        """Σ of the links leaving source nodes (the 差额 sources included)."""
        kinds = {n.key: n.kind for n in self.nodes}
        return sum((lk.tonnes for lk in self.links if kinds[lk.source] == SOURCE), ZERO)

    def leaving(self) -> Decimal:
        """Σ of the links reaching sink nodes (the 差额 sinks included)."""
        kinds = {n.key: n.kind for n in self.nodes}
        return sum((lk.tonnes for lk in self.links if kinds[lk.target] == SINK), ZERO)

    def gaps(self) -> list[Link]:
        return sorted((lk for lk in self.links if lk.kind == GAP), key=lambda lk: -lk.tonnes)

    def table(self, *, gaps_only: bool = False, limit: int | None = None) -> pd.DataFrame:
        """The links largest first, as the page and the exports list them (LINK_COLUMNS)."""
        chosen = self.gaps() if gaps_only else sorted(self.links, key=lambda lk: -lk.tonnes)
        labels = {n.key: n.label for n in self.nodes}
        rows = [{"source": labels[lk.source], "target": labels[lk.target], "tonnes": lk.tonnes,
                 "kind": "差额" if lk.kind == GAP else "流向", "rule": lk.rule or ""} for lk in chosen[:limit]]
        return pd.DataFrame(rows, columns=list(LINK_COLUMNS))

    def enterprises(self) -> dict[str, str]:
        """USCC → name of the enterprise nodes (one node per enterprise), for opening a profile."""
        return {n.uscc: n.label for n in self.nodes if n.uscc}


LINK_COLUMNS = {"source": "从", "target": "到", "tonnes": "折REO（吨）", "kind": "类型", "rule": "相关规则"}


@dataclass
class _Firm:
    uscc: str
    name: str
    township: str
    category: str


def _d(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO


def material_flow(engine: Engine, principal: Principal, year: int, township: str | None = None, *,
                  as_of: dt.date, by_enterprise: bool = False) -> Flow:
    """The year's flow picture as of `as_of` for the principal's enterprises (narrowed to `township`).

    Enterprises are grouped one node per township and kind (smelters/recyclers, traders), or one node each
    with `by_enterprise`. Parties outside the selection are aggregated: 镇外企业（市内） when a township is
    selected (by the filter or the officer's scope), 市外买方/市外供货 for codes outside the directory.
    """
    window = AsOf(year, as_of)
    chosen_q = scoped(select(Enterprise.uscc, Enterprise.name, Enterprise.township, Enterprise.category),
                      Enterprise, principal, township)
    with engine.connect() as conn:
        firms = {r.uscc: _Firm(r.uscc, r.name, r.township, r.category) for r in conn.execute(chosen_q).all()}
        chosen = select(chosen_q.subquery().c.uscc)
        monthly = _monthly(conn, window, chosen)
        taxed = dict(conn.execute(
            select(ResourceTax.uscc, func.sum(ResourceTax.ore_t))
            .where(counts.dated_in_year(ResourceTax.issued_on, window), ResourceTax.uscc.in_(chosen))
            .group_by(ResourceTax.uscc)).all())
        valid = and_(counts.dated_in_year(Invoice.issued_on, window), Invoice.status != "作废")
        # The other party is summed by class in the database (its code kept only where it is a stage of the
        # picture): a province's two million invoices come back as a few thousand rows, not 120 000 pairs.
        party = aliased(Enterprise)
        buyer = _party(party, Invoice.buyer_uscc, TRADERS)
        sold = conn.execute(
            select(Invoice.seller_uscc, buyer, func.sum(Invoice.reo_t))
            .outerjoin(party, party.uscc == Invoice.buyer_uscc)
            .where(valid, Invoice.seller_uscc.in_(chosen)).group_by(Invoice.seller_uscc, buyer)).all()
        seller = _party(party, Invoice.seller_uscc, PRODUCERS + TRADERS)
        bought = conn.execute(
            select(Invoice.buyer_uscc, seller, func.sum(Invoice.reo_t))
            .outerjoin(party, party.uscc == Invoice.seller_uscc)
            .where(valid, Invoice.buyer_uscc.in_(chosen)).group_by(Invoice.buyer_uscc, seller)).all()
        customs = conn.execute(
            select(Customs.uscc, Customs.direction, func.sum(Customs.reo_t))
            .where(counts.dated_in_year(Customs.declared_on, window), Customs.uscc.in_(chosen))
            .group_by(Customs.uscc, Customs.direction)).all()
    return _build(year, as_of, firms, monthly, taxed, sold, bought, customs, by_enterprise=by_enterprise,
                  selected=principal.township_scope or township)


OUTSIDE = "~out"  # a party outside the directory (or with no code)


def _party(party: Any, code: Any, kept: tuple[str, ...]) -> Any:
    """The other party of an invoice as a key: its code when its category is `kept`, else "~category|township"."""
    return case((party.category.in_(kept), code), (party.category.is_(None), literal(OUTSIDE)),
                else_=literal("~") + party.category + literal("|") + party.township)


def _monthly(conn: Any, window: AsOf, chosen: Any) -> dict[str, dict[str, Decimal]]:
    """Per enterprise: the year's purchases, production and sales at D, and the opening and closing stocks."""
    m = MonthlyReport
    totals = conn.execute(
        select(m.uscc, func.sum(m.purchase_ore_domestic_t), func.sum(m.purchase_ore_imported_t),
               func.sum(m.purchase_compound_t), func.sum(m.purchase_scrap_t), func.sum(m.production_t),
               func.sum(m.sales_t))
        .where(counts.periods_in_year(m.period, window), m.uscc.in_(chosen)).group_by(m.uscc)).all()
    # Opening stock: the latest report before Y (R04's rule), one seek per enterprise on the (uscc, period) key,
    # materialised so the planner does not fold it into the join (a GROUP BY read every earlier year, issue 21);
    # closing: the latest of Y that counts at D.
    ids = chosen.subquery("chosen_ids")
    last_before = (select(func.max(m.period)).where(m.uscc == ids.c.uscc, m.period < window.first_period,
                                                    counts.month_ended(m.period, window.date))
                   .correlate(ids).scalar_subquery())
    before = select(ids.c.uscc.label("uscc"), last_before.label("period")).cte("before").prefix_with("MATERIALIZED")
    latest = (select(m.uscc.label("uscc"), func.max(m.period).label("period"))
              .where(counts.periods_in_year(m.period, window), m.uscc.in_(chosen)).group_by(m.uscc).subquery("latest"))
    stocks: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for prefix, marker in (("opening", before), ("closing", latest)):
        rows = conn.execute(select(m.uscc, m.raw_inventory_t, m.inventory_t)
                            .join(marker, and_(marker.c.uscc == m.uscc, marker.c.period == m.period))).all()
        for r in rows:
            stocks[r.uscc][f"{prefix}_raw"] = _d(r.raw_inventory_t)
            stocks[r.uscc][f"{prefix}_product"] = _d(r.inventory_t)
    out: dict[str, dict[str, Decimal]] = {}
    for r in totals:
        out[r[0]] = {"domestic": _d(r[1]), "imported": _d(r[2]), "compound": _d(r[3]), "scrap": _d(r[4]),
                     "production": _d(r[5]), "sales": _d(r[6]), **stocks.get(r[0], {})}
    return out


class _Builder:
    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.values: dict[tuple[str, str, str, str | None], Decimal] = defaultdict(lambda: ZERO)

    def node(self, key: str, label: str, kind: str, uscc: str | None = None) -> str:
        self.nodes.setdefault(key, Node(key, label, kind, uscc))
        return key

    def fixed(self, pair: tuple[str, str], kind: str) -> str:
        return self.node(pair[0], pair[1], kind)

    def link(self, source: str, target: str, tonnes: Decimal, kind: str = FLOW, rule: str | None = None) -> None:
        if tonnes > 0:
            self.values[(source, target, kind, rule)] += tonnes

    def flow(self, year: int, as_of: dt.date) -> Flow:
        links = tuple(Link(s, t, v, k, r) for (s, t, k, r), v in self.values.items() if v != 0)
        used = {lk.source for lk in links} | {lk.target for lk in links}
        nodes = tuple(n for n in self.nodes.values() if n.key in used)
        return Flow(year, as_of, nodes, links)


def _build(year: int, as_of: dt.date, firms: dict[str, _Firm], monthly: dict[str, dict[str, Decimal]],
           taxed: dict[str, Any], sold: Iterable[Any], bought: Iterable[Any], customs: Iterable[Any], *,
           by_enterprise: bool, selected: str | None) -> Flow:
    b = _Builder()

    def home(uscc: str) -> str:
        f = firms[uscc]
        kind = PRODUCER if f.category in PRODUCERS else TRADER
        if by_enterprise:
            return b.node(f"{kind}:{uscc}", f.name, kind, uscc)
        label = f"{f.township}·{'冶炼/综合利用企业' if kind == PRODUCER else '贸易企业'}"
        return b.node(f"{kind}:{f.township}", label, kind)

    def outside(key: str) -> tuple[str, bool] | None:
        """A class key's category and whether it lies within the selection; None for a party outside the directory."""
        if key == OUTSIDE:
            return None
        category, town = key[1:].split("|", 1)
        return category, selected is None or town == selected

    def buyer(key: str) -> str:
        if not key.startswith("~"):  # a trader's code: one of ours, or one of another township
            return home(key) if key in firms else b.fixed(OTHER_TOWN_BUYER, SINK)
        known = outside(key)
        if known is None:
            return b.fixed(OUTSIDE_BUYER, SINK)
        category, inside = known
        if not inside:
            return b.fixed(OTHER_TOWN_BUYER, SINK)
        return b.fixed(CITY_PRODUCER_BUYER if category in PRODUCERS else CITY_OTHER_BUYER, SINK)

    def seller(key: str) -> str:
        if not key.startswith("~"):  # a producer or trader of another township (ours are drawn from their node)
            return b.fixed(OTHER_TOWN_SELLER, SOURCE)
        known = outside(key)
        if known is None:
            return b.fixed(OUTSIDE_SELLER, SOURCE)
        return b.fixed(CITY_OTHER_SELLER if known[1] else OTHER_TOWN_SELLER, SOURCE)

    staged = {u for u, f in firms.items() if f.category in PRODUCERS + TRADERS}
    exports: dict[str, Decimal] = defaultdict(lambda: ZERO)
    imports: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for uscc, direction, reo in customs:
        (exports if direction == "出口" else imports)[uscc] += _d(reo)
    # Net tonnes per seller and buyer (or buyer class): a negative net (more 红冲 than sales) is drawn as nothing,
    # on both sides.
    paper_out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for seller_code, buyer_code, reo in sold:
        if seller_code not in staged:
            continue  # downstream plants (金属冶炼, 深加工应用) are destinations in this picture, not stages
        tonnes = max(_d(reo), ZERO)
        paper_out[seller_code] += tonnes
        source, target = home(seller_code), buyer(buyer_code)
        if source != target:  # a sale inside one grouped node (two traders of one township) stays inside it
            b.link(source, target, tonnes)
    trader_in: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for buyer_code, seller_code, reo in bought:
        if firms[buyer_code].category not in TRADERS:
            continue  # a smelter's inputs are its monthly report's purchases
        tonnes = max(_d(reo), ZERO)
        trader_in[buyer_code] += tonnes
        if seller_code not in staged:  # a staged seller's sale is drawn from its own node above
            b.link(seller(seller_code), home(buyer_code), tonnes)

    for uscc in sorted(staged):
        node = home(uscc)
        if firms[uscc].category in TRADERS:
            came = trader_in[uscc] + max(imports[uscc], ZERO)
            went = paper_out[uscc] + max(exports[uscc], ZERO)
            b.link(b.fixed(IMPORTS, SOURCE), node, max(imports[uscc], ZERO))
            b.link(node, b.fixed(EXPORTS, SINK), max(exports[uscc], ZERO))
            b.link(b.fixed(TRADER_NO_SOURCE, SOURCE), node, went - came, GAP, "R12")
            b.link(node, b.fixed(UNSOLD, SINK), came - went)
            continue
        _producer(b, node, monthly.get(uscc, {}), _d(taxed.get(uscc)), paper_out[uscc], max(exports[uscc], ZERO))
    return b.flow(year, as_of)


def _producer(b: _Builder, node: str, m: dict[str, Decimal], taxed: Decimal, invoiced: Decimal,
              exported: Decimal) -> None:
    """A smelter's or recycler's links besides its invoiced sales: sources, stocks and its 差额 streams."""
    v = {k: max(m.get(k, ZERO), ZERO) for k in ("domestic", "imported", "compound", "scrap", "production", "sales",
                                                 "opening_raw", "opening_product", "closing_raw", "closing_product")}
    covered = min(v["domestic"], max(taxed, ZERO))
    b.link(b.fixed(ORE_TAXED, SOURCE), node, covered)
    b.link(b.fixed(ORE_UNTAXED, SOURCE), node, v["domestic"] - covered, GAP, "R07")
    b.link(b.fixed(ORE_IMPORTED, SOURCE), node, v["imported"])
    b.link(b.fixed(COMPOUND, SOURCE), node, v["compound"])
    b.link(b.fixed(SCRAP, SOURCE), node, v["scrap"])
    b.link(b.fixed(OPENING_RAW, SOURCE), node, v["opening_raw"])
    b.link(node, b.fixed(CLOSING_RAW, SINK), v["closing_raw"])
    consumed = v["opening_raw"] + v["domestic"] + v["imported"] + v["compound"] + v["scrap"] - v["closing_raw"]
    b.link(b.fixed(NO_SOURCE, SOURCE), node, v["production"] - consumed, GAP, "R04")
    b.link(node, b.fixed(LOSS, SINK), consumed - v["production"])
    b.link(b.fixed(OPENING_PRODUCT, SOURCE), node, v["opening_product"])
    b.link(node, b.fixed(EXPORTS, SINK), exported)
    paper = invoiced + exported
    b.link(node, b.fixed(NO_PAPER, SINK), v["sales"] - paper, GAP, "R05")
    b.link(b.fixed(OVER_PAPER, SOURCE), node, paper - v["sales"], GAP, "R05")
    b.link(node, b.fixed(CLOSING_PRODUCT, SINK), v["closing_product"])
    missing = v["opening_product"] + v["production"] - v["sales"] - v["closing_product"]
    b.link(node, b.fixed(STOCK_OUT, SINK), missing, GAP)
    b.link(b.fixed(STOCK_IN, SOURCE), node, -missing, GAP)


LEDGER_COLUMNS = {
    "period": "月份", "opening_raw_t": "期初原料库存", "purchase_ore_domestic_t": "采购国内矿",
    "purchase_ore_imported_t": "采购进口矿", "purchase_compound_t": "采购富集物及化合物",
    "purchase_scrap_t": "采购废料",
    "closing_raw_t": "期末原料库存（报送）", "consumed_t": "原料消耗（推算）", "production_t": "产量",
    "raw_gap_t": "产量−原料消耗", "opening_product_t": "期初产品库存", "sales_t": "销量",
    "closing_product_calc_t": "期末产品库存（推算）", "closing_product_t": "期末产品库存（报送）",
    "stock_gap_t": "推算−报送", "invoiced_t": "开票量（销方）", "trace_production_t": "追溯系统产量",
    "tax_covered_ore_t": "完税证明矿量", "books": "账目",
}
"""Columns of enterprise_ledger(), in order, with their headers (tonnes REO; the page and the xlsx use both)."""


def enterprise_ledger(engine: Engine, principal: Principal, uscc: str, year: int, *, as_of: dt.date,
                      factor: Decimal, relative: Decimal, absolute_t: Decimal) -> pd.DataFrame:
    """An enterprise's monthly stock-and-flow ledger: raw side and product side, and the paper beside each month.

    Raw side: opening raw stock + the four purchases − reported closing raw stock = consumption (derived); a month
    whose production exceeds `factor` × consumption (R04's tolerance) does not close. Product side: opening product
    stock + production − sales = closing stock, against the reported one; a difference above max(`relative` ×
    sales, `absolute_t`) (the spec's tolerances) does not close. A month's opening is the latest earlier report's
    closing (the report before Y for January). Only the months that count at D (spec 4.1); invoices (as seller),
    traceability and tax certificates by month beside them (`queries.monthly_flows`).
    """
    from supervision.read.queries import monthly_flows

    window = AsOf(year, as_of)
    m = MonthlyReport
    visible = scoped(select(Enterprise.uscc).where(Enterprise.uscc == uscc), Enterprise, principal)
    with engine.connect() as conn:
        rows = conn.execute(select(m.__table__).where(m.uscc.in_(visible), counts.periods_in_year(m.period, window))
                            .order_by(m.period)).all()
        opening = conn.execute(select(m.raw_inventory_t, m.inventory_t)
                               .where(m.uscc.in_(visible), m.period < window.first_period,
                                      counts.month_ended(m.period, as_of))
                               .order_by(m.period.desc()).limit(1)).first()
    paper = monthly_flows(engine, principal, year, uscc=uscc, as_of=as_of).set_index("period")
    raw, product = (_d(opening.raw_inventory_t), _d(opening.inventory_t)) if opening else (ZERO, ZERO)
    out: list[dict[str, Any]] = []
    for r in rows:
        bought = [_d(r.purchase_ore_domestic_t), _d(r.purchase_ore_imported_t), _d(r.purchase_compound_t),
                  _d(r.purchase_scrap_t)]
        closing_raw, production, sales = _d(r.raw_inventory_t), _d(r.production_t), _d(r.sales_t)
        consumed = raw + sum(bought, ZERO) - closing_raw
        calc = product + production - sales
        reported = _d(r.inventory_t)
        problems = []
        if production > consumed * factor:
            problems.append("产量超过原料消耗")
        if abs(calc - reported) > max(relative * sales, absolute_t):
            problems.append("产品库存对不上")
        month = paper.loc[r.period] if r.period in paper.index else None
        out.append({
            "period": r.period, "opening_raw_t": raw, "purchase_ore_domestic_t": bought[0],
            "purchase_ore_imported_t": bought[1], "purchase_compound_t": bought[2], "purchase_scrap_t": bought[3],
            "closing_raw_t": closing_raw, "consumed_t": consumed, "production_t": production,
            "raw_gap_t": production - consumed, "opening_product_t": product, "sales_t": sales,
            "closing_product_calc_t": calc, "closing_product_t": reported, "stock_gap_t": calc - reported,
            **{c: (month[c] if month is not None and isinstance(month[c], Decimal) else None)
               for c in ("invoiced_t", "trace_production_t", "tax_covered_ore_t")},
            "books": "、".join(problems) if problems else "平衡", "closes": not problems,
        })
        raw, product = closing_raw, reported
    return pd.DataFrame(out, columns=[*LEDGER_COLUMNS, "closes"])
