"""The demo's economy: producers sell to traders, metal makers and users, month by month.

Every monthly report, invoice, traceability row, certificate and customs declaration comes out of the
same flows, so clean enterprises are consistent by construction and the planted problems are exactly
the plans of `supervision.demo.scenario`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from supervision.demo.scenario import (
    CERTIFICATE_SHORTFALL,
    COMPOUND_SELLER,
    EXPORT_REO_PER_GOODS,
    EXPORTS,
    IMPORT_COUNTRY,
    KG,
    METAL_BUYERS,
    MISSING_CERTIFICATES,
    MONTHS,
    NO_REPORT,
    ORE_SELLER,
    OUTSIDE,
    OUTSIDE_BUYERS,
    PRODUCTION,
    PRODUCTS,
    RECYCLER_BUYERS,
    RECYCLER_ORE_IMPORTS,
    RECYCLER_PRODUCT_PURCHASES,
    REO_PER_GOODS,
    SCRAP_SELLERS,
    SEASON,
    SMELTER,
    SMELTER_BUYERS,
    SMELTER_MIX,
    TAX_PER_T,
    TOLL_PROCESSING,
    TRACEABILITY_SHARE,
    TRADER_BUYERS,
    UNINVOICED_PURCHASES,
    UNINVOICED_SALES_FIXED,
    UNINVOICED_SALES_SHARE,
    UNLICENSED_SEPARATION,
    UNRECORDED_OUTPUT,
    YEAR_PRICE,
    YEARS,
    ZERO,
    F,
    date_of,
    period,
    q2,
    q3,
    seeded_rng,
)


@dataclass
class Report:
    ore_domestic: Decimal = ZERO
    ore_imported: Decimal = ZERO
    compound: Decimal = ZERO
    scrap: Decimal = ZERO
    production: Decimal = ZERO
    sales: Decimal = ZERO
    inventory: Decimal = ZERO
    raw_inventory: Decimal = ZERO
    toll: Decimal = ZERO
    submitted_on: dt.date | None = None


@dataclass
class Invoice:
    issued_on: dt.date
    seller: str
    buyer: str
    category: str
    product: str
    quantity: Decimal
    unit: str
    reo: Decimal
    amount: Decimal
    status: str = "正常"


NUMBERED_LATER = "待编号"  # declaration, licence or inspection number assigned once all are known


@dataclass
class Declaration:
    number: str  # "" until numbered
    declared_on: dt.date
    firm: str
    direction: str
    hs: str
    product: str
    goods: Decimal
    reo: Decimal
    country: str
    license: str | None  # None: no licence cited
    inspection: str | None  # None: no 法检批次号


def party(key: str) -> str:
    """The code of a directory enterprise (by key) or of an outside party."""
    return F[key].uscc if key in F else OUTSIDE[key]


def reporting(key: str, per: str) -> bool:
    return per not in NO_REPORT.get(key, frozenset())


def pieces(rng: random.Random, total: Decimal, low: float, high: float, most: int = 6) -> list[Decimal]:
    """Split a quantity into a few invoice-sized parts that add up to it exactly."""
    if total <= 0:
        return []
    count = max(1, min(most, round(float(total) / rng.uniform(low, high))))
    weights = [rng.uniform(0.6, 1.4) for _ in range(count)]
    whole = sum(weights)
    parts = [q3(total * Decimal(repr(w / whole))) for w in weights[:-1]]
    parts.append(total - sum(parts, ZERO))
    return parts if all(p > 0 for p in parts) else [total]


def spread(total: Decimal, year: int, months: Sequence[int], rng: random.Random) -> dict[int, Decimal]:
    """A year's quantity over its active months with the seasonal pattern; the sum is exact."""
    weights = {m: SEASON[year][m - 1] * rng.uniform(0.95, 1.05) for m in months}
    whole = sum(weights.values())
    out = {m: q3(total * Decimal(repr(w / whole))) for m, w in weights.items()}
    last = months[-1]
    out[last] += total - sum(out.values(), ZERO)
    return out


def _weighted(rng: random.Random, options: dict[str, int], per: str) -> str:
    keys = sorted(k for k in options if k == "OUT" or reporting(k, per))
    choice = rng.choices(keys, weights=[options[k] for k in keys])[0]
    return rng.choice(OUTSIDE_BUYERS) if choice == "OUT" else choice


def _year(per: str) -> int:
    return int(per[:4])


def _month(per: str) -> int:
    return int(per[5:])


class Economy:
    """Builds every business table of the demo from the plans, month by month."""

    def __init__(self) -> None:
        self.reports: dict[tuple[str, str], Report] = {}
        self.invoices: list[Invoice] = []
        self.received: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.traceability: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self.imports: list[Declaration] = []
        self.certificates: list[tuple[str, dt.date, Decimal, Decimal]] = []
        self.import_licenses: dict[str, tuple[str, str, Decimal, str, str]] = {}
        self.t2_sales: dict[str, Decimal] = defaultdict(Decimal)
        for key in ("S1", "S2", "S3", "S4", "S5", "S6", "C1", "C2", "C3", "C4", "C5", "C6"):
            self.producer(key)
        self.importer_t2()
        for key in ("T1", "T3", "T4", "T5", "T6", "T7", "T8"):
            self.trader(key)
        for key in ("M1", "M2", "M3", "M4"):
            self.metal(key)
        self.add_voids_and_credit_notes()
        self.add_import_licenses()

    # Invoices.

    def invoice(self, rng: random.Random, per: str, seller: str, buyer: str, category: str, reo: Decimal,
                day: int | None = None) -> None:
        names = PRODUCTS[category]
        name, _, price = rng.choices(names, weights=[w for _, w, _ in names])[0]
        goods = max(KG, q3(reo / REO_PER_GOODS[category]))
        if goods < 3 and rng.random() < 0.5:
            unit, quantity = "公斤", goods * 1000
        else:
            unit, quantity = "吨", goods
        amount = q2(goods * Decimal(price) * Decimal(repr(YEAR_PRICE[_year(per)] * rng.uniform(0.94, 1.06))))
        issued = date_of(_year(per), _month(per), day or rng.randint(3, 26))
        self.invoices.append(Invoice(issued, party(seller), party(buyer), category, name, quantity, unit, reo, amount))
        if buyer in F:
            self.received[(buyer, per)] += reo

    def sell(self, rng: random.Random, per: str, seller: str, total: Decimal, buyers: dict[str, int],
             category: str, low: float = 15, high: float = 40) -> None:
        for part in pieces(rng, total, low, high):
            self.invoice(rng, per, seller, _weighted(rng, buyers, per), category, part)

    def add_voids_and_credit_notes(self) -> None:
        """A few voided invoices (ignored by checks) and credit notes with their reissue (net unchanged)."""
        rng = seeded_rng("voids")
        extra: list[Invoice] = []
        for inv in self.invoices:
            if inv.category == "TOLL_FEE" or inv.issued_on.day > 24:
                continue
            roll = rng.random()
            if roll < 0.012:
                extra.append(Invoice(inv.issued_on, inv.seller, inv.buyer, inv.category, inv.product, inv.quantity,
                                     inv.unit, inv.reo, inv.amount, "作废"))
            elif roll < 0.018:
                wrong = q2(inv.amount * Decimal("1.08"))
                later = inv.issued_on + dt.timedelta(days=rng.randint(1, 3))
                extra.append(Invoice(inv.issued_on, inv.seller, inv.buyer, inv.category, inv.product, inv.quantity,
                                     inv.unit, inv.reo, wrong))
                extra.append(Invoice(later, inv.seller, inv.buyer, inv.category, inv.product, -inv.quantity,
                                     inv.unit, -inv.reo, -wrong, "红冲"))
                inv.issued_on = later
        self.invoices.extend(extra)

    # Producers: smelters and recyclers.

    def producer(self, key: str) -> None:
        firm = F[key]
        smelter = firm.category == SMELTER
        rng = seeded_rng("producer", key)
        output_yield = Decimal("0.955") if smelter else Decimal("0.92")
        legal: dict[str, Decimal] = {}
        unrecorded: dict[str, Decimal] = {}
        for year in YEARS:
            active = [m for m in range(1, 13) if reporting(key, period(year, m))]
            total = PRODUCTION.get((key, year))
            if total is None or not active:
                continue
            reported = spread(Decimal(total), year, active, rng)
            extra = UNRECORDED_OUTPUT.get((key, year))
            if extra is not None:
                off_book = spread(Decimal(extra), year, range(3, 12), rng)
                unrecorded.update({period(year, m): v for m, v in off_book.items()})
            for m, value in reported.items():
                legal[period(year, m)] = value - unrecorded.get(period(year, m), ZERO)
        months = [period(y, m) for y, m in MONTHS if period(y, m) in legal]
        consumption = {p: q3(legal[p] / output_yield) for p in months}
        mean_use = self._yearly_mean(consumption)
        mean_out = self._yearly_mean({p: legal[p] + unrecorded.get(p, ZERO) for p in months})
        raw = q3(consumption[months[0]] * Decimal("0.25"))
        stock = q3(legal[months[0]] * Decimal("0.4"))
        mix = [Decimal(x) for x in SMELTER_MIX.get(key, ("0", "0", "0"))]
        special_compound = RECYCLER_PRODUCT_PURCHASES.get(key)
        ore_imports = {d[:7]: (d, goods, reo, country) for d, goods, reo, country in RECYCLER_ORE_IMPORTS.get(key, ())}
        domestic_by_month: dict[str, Decimal] = {}
        for per in months:
            year = _year(per)
            report = Report()
            special = ZERO
            if special_compound and special_compound[1] == per:
                report.compound = sum((Decimal(x) for x in special_compound[2]), ZERO)
                special += report.compound
            if per in ore_imports:
                day, goods, ore_reo, country = ore_imports[per]
                report.ore_imported = Decimal(ore_reo)
                special += report.ore_imported
                self.imports.append(Declaration("", dt.date.fromisoformat(day), key, "进口", "25309020", "稀土精矿",
                                                Decimal(goods), report.ore_imported, country, None, NUMBERED_LATER))
            target = mean_use[year] * Decimal("0.6")
            need = (consumption[per] + (target - raw) * Decimal("0.5")) * Decimal(repr(rng.uniform(0.97, 1.03)))
            bought = max(q3(need), consumption[per] - raw, ZERO)
            normal = max(bought - special, ZERO)
            raw = raw + normal + special - consumption[per]
            if smelter:
                self._smelter_purchases(rng, key, per, normal, mix, report)
                domestic_by_month[per] = report.ore_domestic
            else:
                report.scrap = normal
                for part in pieces(rng, normal, 8, 25, most=4):
                    self.invoice(rng, per, rng.choice(SCRAP_SELLERS[key]), key, "SCRAP", part)
            produced = legal[per] + unrecorded.get(per, ZERO)
            target_stock = mean_out[year] * Decimal("0.5")
            sale = q3(max(ZERO, (produced + (stock - target_stock) * Decimal("0.4")))
                      * Decimal(repr(rng.uniform(0.97, 1.03))))
            exported = self._exports(key, per)
            forced = self._forced_sales(key, per)
            forced_total = sum((reo for _, reo in forced), ZERO)
            sale = min(max(sale, exported + forced_total), stock + produced)
            stock = stock + produced - sale
            for buyer, reo in forced:
                self.invoice(rng, per, key, buyer, "OXIDE", reo)
            domestic = sale - exported - forced_total
            self.sell(rng, per, key, domestic, SMELTER_BUYERS if smelter else RECYCLER_BUYERS, "OXIDE")
            toll = TOLL_PROCESSING.get((key, per))
            if toll is not None:
                report.toll = Decimal(toll)
                self.invoices.append(Invoice(date_of(year, _month(per), 28), party(key), party("toll_client"),
                                             "TOLL_FEE", "稀土分离加工费", Decimal(toll), "吨", ZERO,
                                             q2(Decimal(toll) * 18000)))
            report.production, report.sales, report.inventory, report.raw_inventory = produced, sale, stock, raw
            report.submitted_on = self._submitted(rng, per)
            self.reports[(key, per)] = report
            share = Decimal(TRACEABILITY_SHARE.get((key, year), "1"))
            traced = q3(legal[per] * share)
            traced_sales = q3(sale * legal[per] / produced) if per in unrecorded else sale
            self.traceability[(key, per)] = (traced, traced_sales)
        if smelter:
            self._certificates(key, domestic_by_month)

    def _smelter_purchases(self, rng: random.Random, key: str, per: str, total: Decimal, mix: list[Decimal],
                           report: Report) -> None:
        domestic = q3(total * mix[0] * Decimal(repr(rng.uniform(0.9, 1.1))))
        imported = q3(total * mix[1] * Decimal(repr(rng.uniform(0.9, 1.1)))) if mix[1] else ZERO
        compound = total - domestic - imported
        report.ore_domestic, report.ore_imported, report.compound = domestic, imported, compound
        for part in pieces(rng, domestic, 40, 90, most=3):
            self.invoice(rng, per, ORE_SELLER[key], key, "MINE", part)
        seller = COMPOUND_SELLER[key]
        if seller == "T2":
            self.invoice(rng, per, "T2", key, "SALT", compound)
            self.t2_sales[per] += compound
        else:
            for part in pieces(rng, compound, 20, 50, most=3):
                self.invoice(rng, per, seller, key, "SALT", part)
        if imported:
            goods = q3(imported / REO_PER_GOODS["MINE"])
            day = date_of(_year(per), _month(per), rng.randint(5, 25))
            self.imports.append(Declaration("", day, key, "进口", "25309020", "稀土精矿", goods, imported,
                                            IMPORT_COUNTRY[key], NUMBERED_LATER, NUMBERED_LATER))

    def _certificates(self, key: str, domestic: dict[str, Decimal]) -> None:
        rng = seeded_rng("certificates", key)
        rate = Decimal(TAX_PER_T[key])
        for per, ore in domestic.items():
            if ore <= 0 or per in MISSING_CERTIFICATES.get(key, frozenset()):
                continue
            shortfall = CERTIFICATE_SHORTFALL.get((key, _year(per)))
            if shortfall is not None and shortfall[0] == per:
                year_total = sum((v for p, v in domestic.items() if _year(p) == _year(per)), ZERO)
                ore = ore - q3(year_total * Decimal(shortfall[1]))
            issued = date_of(_year(per), _month(per), rng.randint(20, 28))
            self.certificates.append((key, issued, ore, q2(ore * rate)))

    def _exports(self, key: str, per: str) -> Decimal:
        return sum((q3(Decimal(e.goods_t) * EXPORT_REO_PER_GOODS[e.hs]) for e in EXPORTS
                    if e.firm == key and e.day[:7] == per), ZERO)

    def _forced_sales(self, seller: str, per: str) -> list[tuple[str, Decimal]]:
        return [(buyer, Decimal(r)) for buyer, (s, p, parts) in sorted(RECYCLER_PRODUCT_PURCHASES.items())
                if s == seller and p == per for r in parts]

    @staticmethod
    def _yearly_mean(values: dict[str, Decimal]) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for year in YEARS:
            months = [v for p, v in values.items() if _year(p) == year]
            if months:
                out[year] = sum(months, ZERO) / len(months)
        return out

    @staticmethod
    def _submitted(rng: random.Random, per: str) -> dt.date:
        year, month = _year(per), _month(per)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        late = rng.random() < 0.06
        return date_of(year, month, rng.randint(11, 24) if late else rng.randint(2, 10))

    # The importing trader: mixed carbonate from abroad for two smelters.

    def importer_t2(self) -> None:
        rng = seeded_rng("trader", "T2")
        stock = q3(self.t2_sales["2018-01"] * Decimal("0.3"))
        for y, m in MONTHS:
            per = period(y, m)
            sold = self.t2_sales[per]
            imported = q3(sold * Decimal("0.85") * Decimal(repr(rng.uniform(0.98, 1.02))))
            domestic = q3(sold * Decimal("0.17") * Decimal(repr(rng.uniform(0.98, 1.02))))
            self.invoice(rng, per, "dealer_ganzhou", "T2", "SALT", domestic)
            if imported:
                day = date_of(y, m, rng.randint(3, 20))
                self.imports.append(Declaration("", day, "T2", "进口", "28469048", "混合碳酸稀土",
                                                q3(imported / REO_PER_GOODS["SALT"]), imported, "缅甸", NUMBERED_LATER,
                                                NUMBERED_LATER))
            stock = stock + imported + domestic - sold
            self.reports[("T2", per)] = Report(compound=imported + domestic, sales=sold, inventory=stock,
                                               submitted_on=self._submitted(rng, per))

    # Traders.

    def trader(self, key: str) -> None:
        rng = seeded_rng("trader", key)
        stock = ZERO
        for y, m in MONTHS:
            per = period(y, m)
            received = self.received[(key, per)]
            if received > 0:
                topup = q3(received * Decimal(repr(rng.uniform(0.05, 0.25))))
            else:
                topup = q3(rng.uniform(1.0, 1.6) if key == "T6" else rng.uniform(3, 8))
            for part in pieces(rng, topup, 10, 30, most=3):
                self.invoice(rng, per, rng.choice(("dealer_baotou", "dealer_ganzhou")), key, "OXIDE", part)
            unrecorded = Decimal(UNINVOICED_PURCHASES.get((key, y), "0"))
            bought = received + topup + unrecorded
            sale = min(q3(bought * Decimal(repr(rng.uniform(0.96, 0.995)))), stock + bought)
            exported = self._exports(key, per)
            stock = stock + bought - sale
            invoiced = sale - exported - Decimal(UNINVOICED_SALES_FIXED.get((key, per), "0"))
            self.sell(rng, per, key, invoiced, TRADER_BUYERS, "OXIDE", 5 if key == "T6" else 15, 40)
            self.reports[(key, per)] = Report(compound=bought, sales=sale, inventory=stock,
                                              submitted_on=self._submitted(rng, per))

    # Metal makers.

    def metal(self, key: str) -> None:
        rng = seeded_rng("metal", key)
        raw = stock = ZERO
        for y, m in MONTHS:
            per = period(y, m)
            if not reporting(key, per):
                continue
            received = self.received[(key, per)]
            topup = q3(received * Decimal(repr(rng.uniform(0.0, 0.15)))) if received > 0 else q3(rng.uniform(8, 15))
            for part in pieces(rng, topup, 10, 30, most=3):
                self.invoice(rng, per, rng.choice(("dealer_baotou", "dealer_ganzhou")), key, "OXIDE", part)
            bought = received + topup
            available = raw + bought
            used = q3(available * Decimal(repr(rng.uniform(0.8, 0.9))))
            raw = available - used
            made = q3(used * Decimal("0.985"))
            sale = min(q3(max(ZERO, made + (stock - made * Decimal("0.5")) * Decimal("0.4"))
                          * Decimal(repr(rng.uniform(0.97, 1.03)))), stock + made)
            stock = stock + made - sale
            exported = self._exports(key, per)
            domestic = sale - exported
            share = Decimal(UNINVOICED_SALES_SHARE.get((key, y), "0"))
            invoiced = domestic - q3(domestic * share)
            self.sell(rng, per, key, invoiced, METAL_BUYERS, "METAL", 10, 30)
            separated = Decimal(UNLICENSED_SEPARATION.get((key, y), {}).get(m, "0"))
            if separated:
                self.traceability[(key, per)] = (separated, ZERO)
            self.reports[(key, per)] = Report(compound=bought, production=separated, sales=sale, inventory=stock,
                                              raw_inventory=raw, submitted_on=self._submitted(rng, per))

    # Licences for imports: enough for the year's declarations.

    def add_import_licenses(self) -> None:
        holders = {"S1": 1, "S2": 2, "T2": 3}
        totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for d in self.imports:
            if d.license == NUMBERED_LATER:
                totals[(d.firm, d.declared_on.year)] += d.goods
        for (firm, year), goods in sorted(totals.items()):
            number = f"{year}-JK-{holders[firm]:04d}"
            allowed = Decimal(int((goods * Decimal("1.1")) / 50) * 50 + 50)
            hs = "28469048" if firm == "T2" else "25309020"
            self.import_licenses[number] = (firm, hs, allowed, f"{year}-01-01", f"{year}-12-31")
        for d in self.imports:
            if d.license == NUMBERED_LATER:
                d.license = f"{d.declared_on.year}-JK-{holders[d.firm]:04d}"
