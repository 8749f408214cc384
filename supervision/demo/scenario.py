"""The demo's scenario: 30 fictional enterprises in Taicang 2018–2020, the plans behind their figures, and
the planted findings. The flows themselves are simulated in `supervision.demo.economy`.

What is in it: 30 fictional enterprises (every name says 示例 and （演示）; codes 91320585DEM…, whose
organisation part starts with DEM as no real code does), monthly reports 2018-01..2020-12 with the
Spring Festival dip, the 2020 epidemic and a year-end push, separation quotas in two batches, about 3,000
稀土专用发票 (with 作废 and 红冲), traceability, resource-tax certificates, licences and customs
declarations, environment records, self-checks and township reports for 2019 and 2020, the 附件2 scoring
table (14 items, 100 points) with every township's scores, tip-offs and penalties (two blacklists that
run past 2026, one that expired). The flows are simulated — smelters and recyclers sell to traders,
metal makers and users, who buy and sell on — so clean enterprises are consistent by construction
(production ≤ 1.02 × inputs, invoices = sales, traceability = reports, certificates = domestic ore).
Exactly one enterprise (A1) lies outside its township's schematic polygon: the import's only warning.

Choices where the spec is silent:
- Exports appear in customs but not on 稀土专用发票 (a foreign buyer has no code). Each exporter's
  exports stay below 3.6 % of its sales, so R05 is quiet whether or not a check nets exports out
  (closest: S1 2018, sales 1471.059 vs invoiced 1420.074, 69 % of the tolerance).
- The campaign began in 2019 (107号 reviews data "2018年以来"): there are monthly data for 2018 but no
  2018 self-checks or township reports. A check that applies [calendar.default] to 2018 therefore
  reports R16 for all 20 smelters, recyclers and traders and R17 for all 8 townships in 2018.
- Quantities are t REO, except licence and customs quantity_t and invoice quantity (tonnes of goods).
- Metal makers report production_t 0 (their metal is not 冶炼分离产量), except the two planted R01 cases.

Enterprises (key, code, name, category, township; status 在产 unless said):
  S1 91320585DEM000001K 太仓示例稀土分离有限公司（演示）         冶炼分离 浮桥镇  中国稀有稀土
  S2 91320585DEM000002N 太仓示例港区稀土新材料有限公司（演示）   冶炼分离 浮桥镇  中国南方稀土
  S3 91320585DEM000003R 太仓示例浏河稀土冶炼分离有限公司（演示） 冶炼分离 浏河镇  五矿稀土
  S4 91320585DEM000004W 太仓示例沙溪稀土科技有限公司（演示）     冶炼分离 沙溪镇  北方稀土
  S5 91320585DEM0000050 太仓示例璜泾稀土材料有限公司（演示）     冶炼分离 璜泾镇  厦门钨业
  S6 91320585DEM0000063 太仓示例双凤稀土化工有限公司（演示）     冶炼分离 双凤镇  广东稀土  停产 since 2019-07
  C1 91320585DEM000011L 太仓示例再生资源科技有限公司（演示）     资源综合利用 沙溪镇
  C2 91320585DEM000012P 太仓示例稀土回收利用有限公司（演示）     资源综合利用 浏河镇
  C3 91320585DEM000013T 太仓示例废料综合利用有限公司（演示）     资源综合利用 浮桥镇
  C4 91320585DEM000014X 太仓示例磁材回收有限公司（演示）         资源综合利用 璜泾镇
  C5 91320585DEM0000151 太仓示例荧光粉回收有限公司（演示）       资源综合利用 双凤镇
  C6 91320585DEM0000164 太仓示例循环材料有限公司（演示）         资源综合利用 娄东街道
  T1 91320585DEM000021M 太仓示例稀土贸易有限公司（演示）         贸易流通 城厢镇
  T2 91320585DEM000022Q 太仓示例稀土进出口有限公司（演示）       贸易流通 城厢镇  imports carbonate
  T3 91320585DEM000023U 太仓示例金属材料贸易有限公司（演示）     贸易流通 沙溪镇
  T4 91320585DEM000024Y 太仓示例供应链管理有限公司（演示）       贸易流通 浏河镇
  T5 91320585DEM0000252 太仓示例港务物资有限公司（演示）         贸易流通 浮桥镇
  T6 91320585DEM0000265 太仓示例化工原料经营部（演示）           贸易流通 璜泾镇  no coordinates
  T7 91320585DEM0000278 太仓示例新材料贸易有限公司（演示）       贸易流通 娄东街道
  T8 91320585DEM000028B 太仓示例商贸有限公司（演示）             贸易流通 陆渡街道
  M1 91320585DEM000031N 太仓示例稀土金属有限公司（演示）         金属冶炼 城厢镇
  M2 91320585DEM000032R 太仓示例合金材料有限公司（演示）         金属冶炼 璜泾镇
  M3 91320585DEM000033W 太仓示例金属冶炼有限公司（演示）         金属冶炼 双凤镇
  M4 91320585DEM0000340 太仓示例特种金属有限公司（演示）         金属冶炼 娄东街道  关闭 since 2019-04
  A1 91320585DEM000041P 太仓示例磁性材料有限公司（演示）         深加工应用 城厢镇  point lies in 娄东街道
  A2 91320585DEM000042T 太仓示例永磁电机有限公司（演示）         深加工应用 沙溪镇
  A3 91320585DEM000043X 太仓示例抛光材料有限公司（演示）         深加工应用 浏河镇
  A4 91320585DEM0000441 太仓示例储氢合金有限公司（演示）         深加工应用 双凤镇
  A5 91320585DEM0000454 太仓示例催化材料有限公司（演示）         深加工应用 娄东街道
  A6 91320585DEM0000467 太仓示例发光材料有限公司（演示）         深加工应用 陆渡街道
Coordinates are WGS84 except S2, C4 (GCJ02) and T5, A2 (BD09); township written as an alias or short
name for S2 港区, S4 沙溪, C4 璜泾, C6 高新区, T2 城厢, T5 太仓港区, T8 陆渡, M3 双凤.

Planted findings, checked as of D = Y-12-31 (the same list as data: PLANTED). Every other
(rule, year, subject) must not fire, apart from the 2018 R16/R17 noted above. Tolerances are the
defaults of config.toml.
| rule | year | subject | who | figures |
|---|---|---|---|---|
| R01 | 2018 | 91320585DEM0000340 | M4 金属冶炼（关闭，仍按所报数据检查） | production_t 2018-05..09 6.2+7.15+5.9+6.5+5.75 = 31.5, no 2018 quota |
| W01 | 2018 | 91320585DEM000002N | S2 | production 1254.5 ≥ 0.9 × quota (600+700 = 1300) = 1170; 96.5 % |
| R11 | 2018 | 222620180000000006 | S4 export 2018-08-21 | 12 t 28469019 氧化铈 to 美国, no 法检批次号 |
| R13 | 2018 | 91320585DEM000004W | S4 | HB2018-005 of 2018-10-15 resolved 2019-01-25, after D |
| R14 | 2018 | 91320585DEM000013T | C3 | 在产 recycler, 环保竣工验收 否 (not year-bound: fires every year) |
| R15 | 2018 | 91320585DEM000013T | C3 | 在产 recycler, no clean-production audit date (every year) |
| R18 | 2018 | JB2018-002 | tip-off on M4 | received 2018-06-11, feedback 2018-07-23: 42 days |
| R01 | 2019 | 91320585DEM000032R | M2 金属冶炼 | production_t 2019-06..08 4.125+4.86+3.361 = 12.346, no 2019 quota (traceability agrees) |
| R02 | 2019 | 91320585DEM000002N | S2 | production 1502.386 > quota 650+780 = 1430 |
| W01 | 2019 | 91320585DEM000003R | S3 | production 1200.625 = quota 512.5+688.125 = 1200.625 exactly: ≥ 90 %, not over, so W01 and no R02 |
| R03 | 2019 | 91320585DEM0000050 | S5 | toll_processing_t 2019-04..06 8.5+12.25+6.8 = 27.55 (TOLL_FEE invoices to an outside client, reo 0) |
| R04 | 2019 | 91320585DEM000004W | S4 | production 1330 > 1.02 × (purchases 1224.562 + opening raw 60.972 − closing raw 60.403 = 1225.131) = 1249.634; 160 t came from ore off the books |
| R05 | 2019 | 91320585DEM000033W | M3 | sales_t 735.446 vs invoices as seller 583.506: 151.94 > max(36.772, 1) |
| R06 | 2019 | 91320585DEM000004W | S4 | monthly production 1330 vs traceability 1170: 160 > max(66.5, 1) |
| R07 | 2019 | 91320585DEM0000050 | S5 | domestic ore 633.334 − certificates 463.814 = 169.52 > max(31.667, 1); Oct–Dec certificates missing |
| R08 | 2019 | 91320585DEM000012P | C2 | buyer on two OXIDE invoices from S1 in 2019-06 (8 + 7.2 t REO); purchase_compound_t 15.2 |
| R09 | 2019 | 2019-CK-0002 | S2's export licence | declarations 12.5 + 11 + 13 = 36.5 t > 30 t |
| R09 | 2019 | 2019-CK-0003 | S2's export licence | cited by T3's declaration 222620190000000010 of 2019-08-27 (another enterprise; Σ 14.5 ≤ 25 t) |
| R10 | 2019 | 222620190000000009 | M3 export 2019-07-30 | 5.2 t 28053029 金属镨钕 to 越南, no licence |
| R11 | 2019 | 222620190000000011 | M2 export 2019-09-10 | 4.8 t 28053029 under 2019-CK-0006, no 法检批次号 |
| R12 | 2019 | 91320585DEM000023U | T3 | as seller 894.56 > as buyer 775.697 + imports 0 + max(38.785, 1); 12 t/month bought without invoices |
| R13 | 2019 | 91320585DEM0000063 | S6 (停产) | HB2019-004 of 2019-05-16 resolved 2020-03-15, after D (does not fire with an as-of after that) |
| R13 | 2019 | 91320585DEM000013T | C3 | HB2019-006 of 2019-09-12 still open |
| R14 | 2019 | 91320585DEM000013T | C3 | 在产 recycler, 环保竣工验收 否 |
| R15 | 2019 | 91320585DEM000013T | C3 | 在产 recycler, no clean-production audit date |
| R16 | 2019 | 91320585DEM000023U | T3 | no 2019 self-check |
| R16 | 2019 | 91320585DEM000011L | C1 | self-check submitted 2019-08-06 > 2019-07-31 |
| R17 | 2019 | 璜泾镇 | 璜泾镇 | township report submitted 2019-08-16 > 2019-08-13 |
| R18 | 2019 | JB2019-003 | tip-off on S4 | received 2019-03-12, feedback 2019-04-26: 45 days |
| R18 | 2019 | JB2019-011 | tip-off on C3 | received 2019-10-22, feedback 2020-02-20: 121 days (70 days without feedback at D) |
| R19 | 2019 | 91320585DEM000011L | C1 | reports 2019-09 and 2019-10 missing (idle for repairs, due 10-10 and 11-10) |
| R02 | 2020 | 91320585DEM000003R | S3 | production 1258.6 > quota 540+700 = 1240 |
| W01 | 2020 | 91320585DEM000001K | S1 | production 1974 ≥ 0.9 × quota (950+1150 = 2100) = 1890; 94 % |
| R08 | 2020 | 91320585DEM000013T | C3 | imports HS 25309020 on 2020-06-18 (40 t, 24 t REO) and 2020-09-22 (36 t, 21.6 t REO); purchase_ore_imported_t 45.6 |
| R09 | 2020 | 2020-CK-0004 | M1's export licence | valid to 2020-06-30, cited by M1's declaration 222620200000000005 of 2020-07-08 (Σ 11 ≤ 15 t) |
| R10 | 2020 | 222620200000000009 | T1 export 2020-11-17 | cites 2020-CK-0099, which does not exist |
| R12 | 2020 | 91320585DEM000028B | T8 | as seller 426.392 > as buyer 327.303 + imports 0 + max(16.365, 1); 9 t/month bought without invoices |
| R13 | 2020 | 91320585DEM0000050 | S5 | HB2020-006 of 2020-11-20 still open |
| R14 | 2020 | 91320585DEM000013T | C3 | 在产 recycler, 环保竣工验收 否 |
| R15 | 2020 | 91320585DEM000013T | C3 | 在产 recycler, no clean-production audit date |
| R15 | 2020 | 91320585DEM000001K | S1 | last clean-production audit 2017-12-31: 1096 days before 2020-12-31 |
| R16 | 2020 | 91320585DEM0000278 | T7 | self-check submitted 2020-08-03 > 2020-07-31 |
| R17 | 2020 | 陆渡街道 | 陆渡街道 | no 2020 township report |
| R18 | 2020 | JB2020-006 | tip-off on S5 | received 2020-10-09, no feedback: 83 days at D |
| R19 | 2020 | 91320585DEM000002N | S2 | report 2020-02 missing (shut for the epidemic) |
Near misses that must not fire (NEAR_MISSES):
| rule | year | subject | who | figures |
|---|---|---|---|---|
| W01 | 2019 | 91320585DEM000001K | S1 | production 1798 = 89.9 % of quota 2000 |
| R02 | 2019 | 91320585DEM000003R | S3 | production equal to quota (see W01 above) |
| W01 | 2019 | 91320585DEM000004W | S4 | production 1330 = 88.7 % of quota 1500, even with the off-book output |
| R01 | 2019 | 91320585DEM000011L | C1–C6 | recyclers produce from scrap without a quota: no R01, and no R08 except the planted C2 2019 / C3 2020 |
| R19 | 2019 | 91320585DEM0000063 | S6 (停产) | no reports since 2019-07; also 环保竣工验收 否 and last audit 2016-08-30: no R14, R15 or R19 (status 停产); M4 (关闭, 金属冶炼) is not subject either |
| R15 | 2019 | 91320585DEM000001K | S1 | last audit 2017-12-31, exactly 730 days before 2019-12-31 |
| R13 | 2019 | 91320585DEM000002N | S2 | HB2019-008 resolved on 2019-12-31 = D |
| R16 | 2019 | 91320585DEM000004W | S4 | self-check submitted on the deadline 2019-07-31 |
| R17 | 2019 | 沙溪镇 | 沙溪镇 | township report submitted on the deadline 2019-08-13 |
| R18 | 2019 | JB2019-006 | tip-off on C6 | feedback exactly 30 days after receipt |
| R18 | 2019 | JB2019-014 | tip-off on M3 | received 2019-12-10, feedback 2020-01-08: 29 days |
| R18 | 2020 | JB2020-008 | tip-off | received 2020-12-03, no feedback: 28 days at 2020-12-31 (fires with a later as-of) |
| R09 | 2019 | 2019-CK-0004 | S3's export licence | declarations 12 + 15.5 = 27.5 t = its 27.5 t |
| R07 | 2019 | 91320585DEM000003R | S3 | domestic ore 885.49 − certificates 850.07 = 35.42 (4 %) ≤ 44.275 |
| R06 | 2019 | 91320585DEM0000151 | C5 | monthly 96 vs traceability 92.637: 3.363 ≤ max(4.8, 1) |
| R05 | 2019 | 91320585DEM0000265 | T6 | sales 14.353 vs invoices 13.453: 0.9 ≤ max(0.718, 1), the 1 t floor |
| R12 | 2019 | 91320585DEM000022Q | T2 | as seller 712.298 ≫ as buyer 120.909, but imports 607.073 cover it |
| R10 | 2020 | 91320585DEM000013T | C3 | imports without a licence: R10 and R11 concern exports only |
"""

# ruff: noqa: E501 - the planted table above and the Chinese data rows below are wider than 120 columns
# (each CJK character counts twice); wrapping them would hurt reading more than it helps.

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from supervision.core.values import uscc_check_char

SEED = "taicang-rare-earth-demo-1"
YEARS = (2018, 2019, 2020)
MONTHS: tuple[tuple[int, int], ...] = tuple((y, m) for y in YEARS for m in range(1, 13))
ZERO = Decimal(0)
KG = Decimal("0.001")
_FEN = Decimal("0.01")

SMELTER, RECYCLER, TRADER, METAL, APPLICATION = "冶炼分离", "资源综合利用", "贸易流通", "金属冶炼", "深加工应用"


def q3(value: Decimal | float | int | str) -> Decimal:
    """A quantity rounded to the kilogram (floats via repr, so the result never depends on the platform)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(KG)


def q2(value: Decimal | float | int | str) -> Decimal:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(_FEN)


def make_uscc(region: str, serial: int) -> str:
    """A valid but recognisably fictional code: the organisation part starts with DEM, which no real code does."""
    body = f"91{region}DEM{serial:06d}"
    return body + uscc_check_char(body)


def period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def seeded_rng(*parts: object) -> random.Random:
    # One stream per purpose and subject, so changing one enterprise's plan does not redraw the others'
    # numbers (its sales still flow on to its buyers).
    return random.Random(":".join([SEED, *map(str, parts)]))


def date_of(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


# The directory: 30 fictional enterprises. Every name says 示例 and （演示）.


@dataclass(frozen=True)
class Firm:
    key: str
    serial: int
    name: str
    category: str
    township: str
    written_township: str  # as the department's file writes it: full name, short name or alias
    group: str | None = None
    capacity: str | None = None
    status: str = "在产"
    eia: tuple[bool | None, bool | None] = (True, True)
    clean_audit: str | None = None
    coords: str | None = "WGS84"  # None: no coordinates given
    placed_in: str | None = None  # the township whose polygon holds the point, when not its own

    @property
    def uscc(self) -> str:
        return make_uscc("320585", self.serial)


FIRMS: tuple[Firm, ...] = (
    Firm("S1", 1, "太仓示例稀土分离有限公司（演示）", SMELTER, "浮桥镇", "浮桥镇", "中国稀有稀土股份有限公司", "2500",
         clean_audit="2017-12-31"),
    Firm("S2", 2, "太仓示例港区稀土新材料有限公司（演示）", SMELTER, "浮桥镇", "港区", "中国南方稀土集团有限公司", "2000",
         clean_audit="2019-04-18", coords="GCJ02"),
    Firm("S3", 3, "太仓示例浏河稀土冶炼分离有限公司（演示）", SMELTER, "浏河镇", "浏河镇", "五矿稀土集团有限公司", "1500",
         clean_audit="2019-06-12"),
    Firm("S4", 4, "太仓示例沙溪稀土科技有限公司（演示）", SMELTER, "沙溪镇", "沙溪", "中国北方稀土(集团)高科技股份有限公司",
         "1800", clean_audit="2019-09-03"),
    Firm("S5", 5, "太仓示例璜泾稀土材料有限公司（演示）", SMELTER, "璜泾镇", "璜泾镇", "厦门钨业股份有限公司", "1200",
         clean_audit="2020-05-20"),
    Firm("S6", 6, "太仓示例双凤稀土化工有限公司（演示）", SMELTER, "双凤镇", "双凤镇", "广东省稀土产业集团有限公司", "800",
         status="停产", eia=(True, False), clean_audit="2016-08-30"),
    Firm("C1", 11, "太仓示例再生资源科技有限公司（演示）", RECYCLER, "沙溪镇", "沙溪镇", capacity="450", clean_audit="2019-03-22"),
    Firm("C2", 12, "太仓示例稀土回收利用有限公司（演示）", RECYCLER, "浏河镇", "浏河镇", capacity="300", clean_audit="2019-10-10"),
    Firm("C3", 13, "太仓示例废料综合利用有限公司（演示）", RECYCLER, "浮桥镇", "浮桥镇", capacity="400", eia=(True, False)),
    Firm("C4", 14, "太仓示例磁材回收有限公司（演示）", RECYCLER, "璜泾镇", "璜泾", capacity="250", clean_audit="2020-01-15",
         coords="GCJ02"),
    Firm("C5", 15, "太仓示例荧光粉回收有限公司（演示）", RECYCLER, "双凤镇", "双凤镇", capacity="150", clean_audit="2019-07-08"),
    Firm("C6", 16, "太仓示例循环材料有限公司（演示）", RECYCLER, "娄东街道", "高新区", capacity="300", clean_audit="2019-12-02"),
    Firm("T1", 21, "太仓示例稀土贸易有限公司（演示）", TRADER, "城厢镇", "城厢镇", eia=(None, None)),
    Firm("T2", 22, "太仓示例稀土进出口有限公司（演示）", TRADER, "城厢镇", "城厢", eia=(None, None)),
    Firm("T3", 23, "太仓示例金属材料贸易有限公司（演示）", TRADER, "沙溪镇", "沙溪镇", eia=(None, None)),
    Firm("T4", 24, "太仓示例供应链管理有限公司（演示）", TRADER, "浏河镇", "浏河镇", eia=(None, None)),
    Firm("T5", 25, "太仓示例港务物资有限公司（演示）", TRADER, "浮桥镇", "太仓港区", eia=(None, None), coords="BD09"),
    Firm("T6", 26, "太仓示例化工原料经营部（演示）", TRADER, "璜泾镇", "璜泾镇", eia=(None, None), coords=None),
    Firm("T7", 27, "太仓示例新材料贸易有限公司（演示）", TRADER, "娄东街道", "娄东街道", eia=(None, None)),
    Firm("T8", 28, "太仓示例商贸有限公司（演示）", TRADER, "陆渡街道", "陆渡", eia=(None, None)),
    Firm("M1", 31, "太仓示例稀土金属有限公司（演示）", METAL, "城厢镇", "城厢镇", capacity="900", clean_audit="2019-05-16"),
    Firm("M2", 32, "太仓示例合金材料有限公司（演示）", METAL, "璜泾镇", "璜泾镇", capacity="600", clean_audit="2018-09-27"),
    Firm("M3", 33, "太仓示例金属冶炼有限公司（演示）", METAL, "双凤镇", "双凤", capacity="700", clean_audit="2019-11-05"),
    Firm("M4", 34, "太仓示例特种金属有限公司（演示）", METAL, "娄东街道", "娄东街道", capacity="500", status="关闭",
         eia=(True, False)),
    Firm("A1", 41, "太仓示例磁性材料有限公司（演示）", APPLICATION, "城厢镇", "城厢镇", placed_in="娄东街道"),
    Firm("A2", 42, "太仓示例永磁电机有限公司（演示）", APPLICATION, "沙溪镇", "沙溪镇", coords="BD09"),
    Firm("A3", 43, "太仓示例抛光材料有限公司（演示）", APPLICATION, "浏河镇", "浏河镇"),
    Firm("A4", 44, "太仓示例储氢合金有限公司（演示）", APPLICATION, "双凤镇", "双凤镇"),
    Firm("A5", 45, "太仓示例催化材料有限公司（演示）", APPLICATION, "娄东街道", "娄东街道"),
    Firm("A6", 46, "太仓示例发光材料有限公司（演示）", APPLICATION, "陆渡街道", "陆渡街道"),
)
F: dict[str, Firm] = {f.key: f for f in FIRMS}

# Parties outside Taicang (other provinces' miners, buyers and dealers): valid codes, fictional too.
OUTSIDE: dict[str, str] = {
    "miner_baotou": make_uscc("150200", 501),
    "miner_liangshan": make_uscc("513400", 502),
    "miner_ganzhou": make_uscc("360700", 503),
    "cpd_ganzhou": make_uscc("360700", 511),
    "cpd_longyan": make_uscc("350800", 512),
    "buyer_ningbo": make_uscc("330200", 521),
    "buyer_pudong": make_uscc("310115", 522),
    "buyer_shenzhen": make_uscc("440300", 523),
    "buyer_changzhou": make_uscc("320400", 524),
    "buyer_hangzhou": make_uscc("330100", 525),
    "buyer_wuzhong": make_uscc("320506", 526),
    "buyer_kunshan": make_uscc("320583", 527),
    "dealer_baotou": make_uscc("150200", 531),
    "dealer_ganzhou": make_uscc("360700", 532),
    "scrap_ningbo": make_uscc("330200", 541),
    "scrap_baoshan": make_uscc("310113", 542),
    "toll_client": make_uscc("360700", 551),
}
OUTSIDE_BUYERS = ("buyer_ningbo", "buyer_pudong", "buyer_shenzhen", "buyer_changzhou", "buyer_hangzhou",
                  "buyer_wuzhong", "buyer_kunshan")

# Plans: the figures that matter for the checks are written here, not drawn at random.

# Separation quotas per (enterprise, year): batch 1, batch 2 (t REO, kind 冶炼分离).
QUOTAS: dict[tuple[str, int], tuple[str, ...]] = {
    ("S1", 2018): ("850", "1000"), ("S1", 2019): ("900", "1100"), ("S1", 2020): ("950", "1150"),
    ("S2", 2018): ("600", "700"), ("S2", 2019): ("650", "780"), ("S2", 2020): ("680", "800"),
    ("S3", 2018): ("500", "650"), ("S3", 2019): ("512.5", "688.125"), ("S3", 2020): ("540", "700"),
    ("S4", 2018): ("650", "750"), ("S4", 2019): ("700", "800"), ("S4", 2020): ("720", "830"),
    ("S5", 2018): ("380", "470"), ("S5", 2019): ("400", "500"), ("S5", 2020): ("420", "520"),
    ("S6", 2018): ("280", "320"), ("S6", 2019): ("300",),
}

# Annual separation output as reported in the monthly reports (t REO).
PRODUCTION: dict[tuple[str, int], str] = {
    ("S1", 2018): "1480", ("S1", 2019): "1798", ("S1", 2020): "1974",
    ("S2", 2018): "1254.5", ("S2", 2019): "1502.386", ("S2", 2020): "1258",
    ("S3", 2018): "943", ("S3", 2019): "1200.625", ("S3", 2020): "1258.6",
    ("S4", 2018): "1140", ("S4", 2019): "1330", ("S4", 2020): "1230",
    ("S5", 2018): "690", ("S5", 2019): "720", ("S5", 2020): "760",
    ("S6", 2018): "474", ("S6", 2019): "204.5",
    ("C1", 2018): "310", ("C1", 2019): "268", ("C1", 2020): "330",
    ("C2", 2018): "180", ("C2", 2019): "195", ("C2", 2020): "210",
    ("C3", 2018): "240", ("C3", 2019): "255", ("C3", 2020): "262",
    ("C4", 2018): "150", ("C4", 2019): "162", ("C4", 2020): "171",
    ("C5", 2018): "90", ("C5", 2019): "96", ("C5", 2020): "101",
    ("C6", 2018): "205", ("C6", 2019): "214", ("C6", 2020): "228",
}
# The part of PRODUCTION made from ore bought off the books: in the monthly report, but neither in
# the traceability system nor covered by reported purchases (S4 2019: R04 and R06).
UNRECORDED_OUTPUT: dict[tuple[str, int], str] = {("S4", 2019): "160"}
# Separation by metal companies without a quota (R01): (enterprise, year) -> {month: t REO}.
UNLICENSED_SEPARATION: dict[tuple[str, int], dict[int, str]] = {
    ("M4", 2018): {5: "6.2", 6: "7.15", 7: "5.9", 8: "6.5", 9: "5.75"},
    ("M2", 2019): {6: "4.125", 7: "4.86", 8: "3.361"},
}
TOLL_PROCESSING: dict[tuple[str, str], str] = {("S5", "2019-04"): "8.5", ("S5", "2019-05"): "12.25",
                                               ("S5", "2019-06"): "6.8"}

# Months without a monthly report: nothing happened then (idle, stopped or closed).
def _months(first: str, last: str) -> frozenset[str]:
    return frozenset(period(y, m) for y, m in MONTHS if first <= period(y, m) <= last)


NO_REPORT: dict[str, frozenset[str]] = {
    "S2": frozenset({"2020-02"}),            # shut for the epidemic and did not file (R19 2020)
    "C1": frozenset({"2019-09", "2019-10"}),  # idle for repairs and did not file (R19 2019)
    "S6": _months("2019-07", "2020-12"),      # 停产 since July 2019: exempt from R19
    "M4": _months("2019-04", "2020-12"),      # 关闭 at the end of March 2019
}

# Raw-material mix of the smelters: domestic ore, imported ore, compounds (富集物).
SMELTER_MIX: dict[str, tuple[str, str, str]] = {
    "S1": ("0.55", "0.30", "0.15"), "S2": ("0.60", "0.25", "0.15"), "S3": ("0.70", "0", "0.30"),
    "S4": ("0.75", "0", "0.25"), "S5": ("0.85", "0", "0.15"), "S6": ("0.90", "0", "0.10"),
}
ORE_SELLER = {"S1": "miner_baotou", "S2": "miner_ganzhou", "S3": "miner_liangshan", "S4": "miner_baotou",
              "S5": "miner_ganzhou", "S6": "miner_ganzhou"}
COMPOUND_SELLER = {"S1": "cpd_longyan", "S2": "cpd_ganzhou", "S3": "T2", "S4": "T2", "S5": "cpd_ganzhou",
                   "S6": "cpd_longyan"}
IMPORT_COUNTRY = {"S1": "美国", "S2": "老挝"}
# Resource-tax rate in yuan per t REO of ore (light rare earths are taxed lower than ionic ores).
TAX_PER_T = {"S1": "2875", "S2": "6200", "S3": "2875", "S4": "2875", "S5": "6200", "S6": "6200"}

# Where products go: buyer -> weight. Closed or small firms are filtered by month below.
SMELTER_BUYERS = {"M1": 8, "M2": 6, "M3": 7, "M4": 5, "T1": 10, "T3": 7, "T4": 8, "T5": 5, "T7": 6, "T8": 4,
                  "A1": 5, "A2": 3, "A4": 2, "A5": 2, "OUT": 22}
RECYCLER_BUYERS = {"M1": 15, "M3": 10, "T4": 15, "T7": 10, "OUT": 50}
TRADER_BUYERS = {"M1": 10, "M2": 10, "M3": 10, "A1": 10, "A2": 8, "A3": 5, "A4": 5, "A5": 7, "A6": 5, "OUT": 30}
METAL_BUYERS = {"A1": 25, "A2": 20, "A4": 10, "OUT": 45}
SCRAP_SELLERS = {"C1": ("A1", "scrap_ningbo"), "C2": ("A2", "scrap_baoshan"), "C3": ("scrap_ningbo", "scrap_baoshan"),
                 "C4": ("A1", "A2", "scrap_ningbo"), "C5": ("A3", "A6"), "C6": ("A5", "scrap_baoshan")}

# Trader purchases without an invoice behind them (the 来源不明 of R12), t REO per month.
UNINVOICED_PURCHASES: dict[tuple[str, int], str] = {("T3", 2019): "12", ("T8", 2020): "9"}
# Sales without an invoice (R05): share of a month's domestic sales, or fixed tonnes in one month.
UNINVOICED_SALES_SHARE: dict[tuple[str, int], str] = {("M3", 2019): "0.2"}
UNINVOICED_SALES_FIXED: dict[tuple[str, str], str] = {("T6", "2019-12"): "0.9"}

# Seasonality: the Spring Festival dip (and the 2020 epidemic), the year-end push.
SEASON: dict[int, tuple[float, ...]] = {
    2018: (0.98, 0.62, 0.93, 1.00, 1.02, 1.00, 0.97, 0.96, 1.02, 0.98, 1.05, 1.18),
    2019: (0.92, 0.58, 0.96, 1.01, 1.03, 1.00, 0.96, 0.97, 1.03, 0.97, 1.06, 1.20),
    2020: (0.80, 0.35, 0.82, 0.98, 1.03, 1.02, 0.98, 0.97, 1.04, 0.99, 1.08, 1.22),
}

# Goods per t REO and price per t of goods (yuan) by invoice category; product names.
REO_PER_GOODS = {"OXIDE": Decimal("0.99"), "SALT": Decimal("0.45"), "MINE": Decimal("0.6"),
                 "METAL": Decimal("1.166"), "SCRAP": Decimal("0.3"), "HYDROX": Decimal("0.65")}
PRODUCTS: dict[str, tuple[tuple[str, int, int], ...]] = {  # (name, weight, yuan per t of goods)
    "OXIDE": (("氧化镨钕", 45, 300000), ("氧化镧", 18, 12000), ("氧化铈", 22, 11000), ("氧化钕", 8, 310000),
              ("氧化钇", 7, 21000)),
    "METAL": (("金属镨钕", 60, 380000), ("金属钕", 25, 390000), ("混合稀土金属", 15, 36000)),
    "SALT": (("混合碳酸稀土", 70, 26000), ("氯化稀土", 30, 22000)),
    "MINE": (("稀土精矿", 100, 21000),),
    "SCRAP": (("钕铁硼废料", 80, 95000), ("荧光粉废料", 20, 30000)),
}
YEAR_PRICE = {2018: 1.06, 2019: 0.96, 2020: 1.02}


@dataclass(frozen=True)
class Export:
    seq: int
    day: str
    firm: str
    hs: str
    product: str
    goods_t: str
    country: str
    license: str | None  # None: no licence cited
    inspected: bool = True


# Export licences (商务局): number -> (holder, hs code, tonnes of goods, valid from, valid to).
EXPORT_LICENSES: dict[str, tuple[str, str, str, str, str]] = {
    "2018-CK-0001": ("S1", "28469019", "60", "2018-01-01", "2018-12-31"),
    "2018-CK-0002": ("S2", "28469019", "40", "2018-01-01", "2018-12-31"),
    "2018-CK-0003": ("S4", "28469019", "35", "2018-01-01", "2018-12-31"),
    "2018-CK-0004": ("M1", "28053011", "15", "2018-01-01", "2018-12-31"),
    "2019-CK-0001": ("S1", "28469019", "60", "2019-01-01", "2019-12-31"),
    "2019-CK-0002": ("S2", "28469019", "30", "2019-01-01", "2019-12-31"),
    "2019-CK-0003": ("S2", "2846909910", "25", "2019-01-01", "2019-12-31"),
    "2019-CK-0004": ("S3", "28469019", "27.5", "2019-01-01", "2019-12-31"),
    "2019-CK-0005": ("M1", "28053011", "15", "2019-01-01", "2019-12-31"),
    "2019-CK-0006": ("M2", "28053029", "10", "2019-01-01", "2019-12-31"),
    "2019-CK-0007": ("T1", "28469019", "20", "2019-01-01", "2019-12-31"),
    "2020-CK-0001": ("S1", "28469019", "60", "2020-01-01", "2020-12-31"),
    "2020-CK-0002": ("S2", "28469019", "40", "2020-01-01", "2020-12-31"),
    "2020-CK-0003": ("S3", "28469019", "30", "2020-01-01", "2020-12-31"),
    "2020-CK-0004": ("M1", "28053011", "15", "2020-01-01", "2020-06-30"),
    "2020-CK-0005": ("T1", "28469019", "20", "2020-01-01", "2020-12-31"),
}

EXPORTS: tuple[Export, ...] = (
    Export(1, "2018-03-15", "S1", "28469019", "氧化镨钕", "12", "日本", "2018-CK-0001"),
    Export(2, "2018-04-17", "S4", "28469019", "氧化镧", "10", "韩国", "2018-CK-0003"),
    Export(3, "2018-05-18", "S2", "28469019", "氧化镨钕", "18", "日本", "2018-CK-0002"),
    Export(4, "2018-06-05", "M1", "28053011", "金属钕", "6", "日本", "2018-CK-0004"),
    Export(5, "2018-06-20", "S1", "28469019", "氧化镨钕", "14.5", "韩国", "2018-CK-0001"),
    Export(6, "2018-08-21", "S4", "28469019", "氧化铈", "12", "美国", "2018-CK-0003", inspected=False),
    Export(7, "2018-09-12", "S1", "28469019", "氧化镨钕", "10", "日本", "2018-CK-0001"),
    Export(8, "2018-10-11", "S2", "28469019", "氧化镨钕", "16", "德国", "2018-CK-0002"),
    Export(9, "2018-11-22", "S1", "28469019", "氧化镧", "15", "美国", "2018-CK-0001"),
    Export(10, "2018-12-04", "M1", "28053011", "金属钕", "5.5", "日本", "2018-CK-0004"),
    Export(1, "2019-03-21", "S2", "28469019", "氧化镨钕", "12.5", "日本", "2019-CK-0002"),
    Export(2, "2019-04-10", "S1", "28469019", "氧化镨钕", "13.2", "日本", "2019-CK-0001"),
    Export(3, "2019-04-23", "M1", "28053011", "金属钕", "6.5", "日本", "2019-CK-0005"),
    Export(4, "2019-05-14", "S2", "2846909910", "氧化镝铽混合物", "6.5", "日本", "2019-CK-0003"),
    Export(5, "2019-05-28", "S3", "28469019", "氧化镨钕", "12", "韩国", "2019-CK-0004"),
    Export(6, "2019-06-19", "S2", "28469019", "氧化镨钕", "11", "日本", "2019-CK-0002"),
    Export(7, "2019-06-25", "T1", "28469019", "氧化镧", "9", "越南", "2019-CK-0007"),
    Export(8, "2019-07-16", "S1", "28469019", "氧化镨钕", "15", "日本", "2019-CK-0001"),
    Export(9, "2019-07-30", "M3", "28053029", "金属镨钕", "5.2", "越南", None),
    Export(10, "2019-08-27", "T3", "2846909910", "氧化镝铽混合物", "8", "韩国", "2019-CK-0003"),
    Export(11, "2019-09-10", "M2", "28053029", "金属镨钕", "4.8", "日本", "2019-CK-0006", inspected=False),
    Export(12, "2019-09-24", "S2", "28469019", "氧化镨钕", "13", "荷兰", "2019-CK-0002"),
    Export(13, "2019-10-15", "M1", "28053011", "金属钕", "6", "日本", "2019-CK-0005"),
    Export(14, "2019-10-22", "S1", "28469019", "氧化铈", "16", "韩国", "2019-CK-0001"),
    Export(15, "2019-11-19", "S3", "28469019", "氧化镨钕", "15.5", "日本", "2019-CK-0004"),
    Export(1, "2020-03-26", "M1", "28053011", "金属钕", "5", "日本", "2020-CK-0004"),
    Export(2, "2020-04-28", "T1", "28469019", "氧化镧", "8", "越南", "2020-CK-0005"),
    Export(3, "2020-05-20", "S1", "28469019", "氧化镨钕", "12", "日本", "2020-CK-0001"),
    Export(4, "2020-06-16", "S2", "28469019", "氧化镨钕", "15", "日本", "2020-CK-0002"),
    Export(5, "2020-07-08", "M1", "28053011", "金属钕", "6", "日本", "2020-CK-0004"),
    Export(6, "2020-07-14", "S3", "28469019", "氧化镨钕", "14", "韩国", "2020-CK-0003"),
    Export(7, "2020-09-15", "S1", "28469019", "氧化镨钕", "18", "美国", "2020-CK-0001"),
    Export(8, "2020-10-20", "S2", "28469019", "氧化镨钕", "17.5", "德国", "2020-CK-0002"),
    Export(9, "2020-11-17", "T1", "28469019", "氧化铈", "7.5", "越南", "2020-CK-0099"),
    Export(10, "2020-12-08", "S1", "28469019", "氧化镧", "14", "韩国", "2020-CK-0001"),
)
EXPORT_REO_PER_GOODS = {"28469019": Decimal("0.99"), "2846909910": Decimal("0.99"), "28053011": Decimal("1.166"),
                        "28053029": Decimal("1.166")}


def export_no(e: Export) -> str:
    """18-digit declaration number: customs office, year, 0 for exports, sequence."""
    return f"2226{e.day[:4]}0{e.seq:09d}"


# Imports of ore by a recycler (R08 2020): (day, goods t, t REO, country).
RECYCLER_ORE_IMPORTS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "C3": (("2020-06-18", "40", "24", "马来西亚"), ("2020-09-22", "36", "21.6", "马来西亚")),
}
# A recycler buying separated products (R08 2019): (seller, month, [t REO per invoice]).
RECYCLER_PRODUCT_PURCHASES: dict[str, tuple[str, str, tuple[str, ...]]] = {"C2": ("S1", "2019-06", ("8", "7.2"))}

# Months whose tax certificates are missing (R07) and certificates reduced on purpose (a near miss).
MISSING_CERTIFICATES: dict[str, frozenset[str]] = {"S5": _months("2019-10", "2019-12")}
CERTIFICATE_SHORTFALL: dict[tuple[str, int], tuple[str, str]] = {("S3", 2019): ("2019-11", "0.04")}
# The traceability system's production per month as a share of the monthly report (a near miss for R06).
TRACEABILITY_SHARE: dict[tuple[str, int], str] = {("C5", 2019): "0.965"}

# The planted problems and near misses, as data (the module docstring shows the same table).


@dataclass(frozen=True)
class Planted:
    rule: str
    year: int
    subject: str  # what the finding names: a code, licence no, declaration no, township or tip-off id
    who: str
    figures: str


def _u(key: str) -> str:
    return F[key].uscc


PLANTED: tuple[Planted, ...] = (
    Planted("R01", 2018, _u("M4"), "M4 金属冶炼（关闭，仍按所报数据检查）",
            "production_t 2018-05..09 6.2+7.15+5.9+6.5+5.75 = 31.5, no 2018 quota"),
    Planted("W01", 2018, _u("S2"), "S2", "production 1254.5 ≥ 0.9 × quota (600+700 = 1300) = 1170; 96.5 %"),
    Planted("R11", 2018, "222620180000000006", "S4 export 2018-08-21", "12 t 28469019 氧化铈 to 美国, no 法检批次号"),
    Planted("R13", 2018, _u("S4"), "S4", "HB2018-005 of 2018-10-15 resolved 2019-01-25, after D"),
    Planted("R14", 2018, _u("C3"), "C3", "在产 recycler, 环保竣工验收 否 (not year-bound: fires every year)"),
    Planted("R15", 2018, _u("C3"), "C3", "在产 recycler, no clean-production audit date (every year)"),
    Planted("R18", 2018, "JB2018-002", "tip-off on M4", "received 2018-06-11, feedback 2018-07-23: 42 days"),
    Planted("R01", 2019, _u("M2"), "M2 金属冶炼",
            "production_t 2019-06..08 4.125+4.86+3.361 = 12.346, no 2019 quota (traceability agrees)"),
    Planted("R02", 2019, _u("S2"), "S2", "production 1502.386 > quota 650+780 = 1430"),
    Planted("W01", 2019, _u("S3"), "S3",
            "production 1200.625 = quota 512.5+688.125 = 1200.625 exactly: ≥ 90 %, not over, so W01 and no R02"),
    Planted("R03", 2019, _u("S5"), "S5",
            "toll_processing_t 2019-04..06 8.5+12.25+6.8 = 27.55 (TOLL_FEE invoices to an outside client, reo 0)"),
    Planted("R04", 2019, _u("S4"), "S4",
            "production 1330 > 1.02 × (purchases 1224.562 + opening raw 60.972 − closing raw 60.403 = 1225.131)"
            " = 1249.634; 160 t came from ore off the books"),
    Planted("R05", 2019, _u("M3"), "M3", "sales_t 735.446 vs invoices as seller 583.506: 151.94 > max(36.772, 1)"),
    Planted("R06", 2019, _u("S4"), "S4", "monthly production 1330 vs traceability 1170: 160 > max(66.5, 1)"),
    Planted("R07", 2019, _u("S5"), "S5",
            "domestic ore 633.334 − certificates 463.814 = 169.52 > max(31.667, 1); Oct–Dec certificates missing"),
    Planted("R08", 2019, _u("C2"), "C2",
            "buyer on two OXIDE invoices from S1 in 2019-06 (8 + 7.2 t REO); purchase_compound_t 15.2"),
    Planted("R09", 2019, "2019-CK-0002", "S2's export licence", "declarations 12.5 + 11 + 13 = 36.5 t > 30 t"),
    Planted("R09", 2019, "2019-CK-0003", "S2's export licence",
            "cited by T3's declaration 222620190000000010 of 2019-08-27 (another enterprise; Σ 14.5 ≤ 25 t)"),
    Planted("R10", 2019, "222620190000000009", "M3 export 2019-07-30", "5.2 t 28053029 金属镨钕 to 越南, no licence"),
    Planted("R11", 2019, "222620190000000011", "M2 export 2019-09-10",
            "4.8 t 28053029 under 2019-CK-0006, no 法检批次号"),
    Planted("R12", 2019, _u("T3"), "T3",
            "as seller 894.56 > as buyer 775.697 + imports 0 + max(38.785, 1); 12 t/month bought without invoices"),
    Planted("R13", 2019, _u("S6"), "S6 (停产)",
            "HB2019-004 of 2019-05-16 resolved 2020-03-15, after D (does not fire with an as-of after that)"),
    Planted("R13", 2019, _u("C3"), "C3", "HB2019-006 of 2019-09-12 still open"),
    Planted("R14", 2019, _u("C3"), "C3", "在产 recycler, 环保竣工验收 否"),
    Planted("R15", 2019, _u("C3"), "C3", "在产 recycler, no clean-production audit date"),
    Planted("R16", 2019, _u("T3"), "T3", "no 2019 self-check"),
    Planted("R16", 2019, _u("C1"), "C1", "self-check submitted 2019-08-06 > 2019-07-31"),
    Planted("R17", 2019, "璜泾镇", "璜泾镇", "township report submitted 2019-08-16 > 2019-08-13"),
    Planted("R18", 2019, "JB2019-003", "tip-off on S4", "received 2019-03-12, feedback 2019-04-26: 45 days"),
    Planted("R18", 2019, "JB2019-011", "tip-off on C3",
            "received 2019-10-22, feedback 2020-02-20: 121 days (70 days without feedback at D)"),
    Planted("R19", 2019, _u("C1"), "C1", "reports 2019-09 and 2019-10 missing (idle for repairs, due 10-10 and 11-10)"),
    Planted("R02", 2020, _u("S3"), "S3", "production 1258.6 > quota 540+700 = 1240"),
    Planted("W01", 2020, _u("S1"), "S1", "production 1974 ≥ 0.9 × quota (950+1150 = 2100) = 1890; 94 %"),
    Planted("R08", 2020, _u("C3"), "C3",
            "imports HS 25309020 on 2020-06-18 (40 t, 24 t REO) and 2020-09-22 (36 t, 21.6 t REO);"
            " purchase_ore_imported_t 45.6"),
    Planted("R09", 2020, "2020-CK-0004", "M1's export licence",
            "valid to 2020-06-30, cited by M1's declaration 222620200000000005 of 2020-07-08 (Σ 11 ≤ 15 t)"),
    Planted("R10", 2020, "222620200000000009", "T1 export 2020-11-17", "cites 2020-CK-0099, which does not exist"),
    Planted("R12", 2020, _u("T8"), "T8",
            "as seller 426.392 > as buyer 327.303 + imports 0 + max(16.365, 1); 9 t/month bought without invoices"),
    Planted("R13", 2020, _u("S5"), "S5", "HB2020-006 of 2020-11-20 still open"),
    Planted("R14", 2020, _u("C3"), "C3", "在产 recycler, 环保竣工验收 否"),
    Planted("R15", 2020, _u("C3"), "C3", "在产 recycler, no clean-production audit date"),
    Planted("R15", 2020, _u("S1"), "S1", "last clean-production audit 2017-12-31: 1096 days before 2020-12-31"),
    Planted("R16", 2020, _u("T7"), "T7", "self-check submitted 2020-08-03 > 2020-07-31"),
    Planted("R17", 2020, "陆渡街道", "陆渡街道", "no 2020 township report"),
    Planted("R18", 2020, "JB2020-006", "tip-off on S5", "received 2020-10-09, no feedback: 83 days at D"),
    Planted("R19", 2020, _u("S2"), "S2", "report 2020-02 missing (shut for the epidemic)"),
)

NEAR_MISSES: tuple[Planted, ...] = (
    Planted("W01", 2019, _u("S1"), "S1", "production 1798 = 89.9 % of quota 2000"),
    Planted("R02", 2019, _u("S3"), "S3", "production equal to quota (see W01 above)"),
    Planted("W01", 2019, _u("S4"), "S4", "production 1330 = 88.7 % of quota 1500, even with the off-book output"),
    Planted("R01", 2019, _u("C1"), "C1–C6", "recyclers produce from scrap without a quota: no R01, and no R08"
            " except the planted C2 2019 / C3 2020"),
    Planted("R19", 2019, _u("S6"), "S6 (停产)", "no reports since 2019-07; also 环保竣工验收 否 and last audit"
            " 2016-08-30: no R14, R15 or R19 (status 停产); M4 (关闭, 金属冶炼) is not subject either"),
    Planted("R15", 2019, _u("S1"), "S1", "last audit 2017-12-31, exactly 730 days before 2019-12-31"),
    Planted("R13", 2019, _u("S2"), "S2", "HB2019-008 resolved on 2019-12-31 = D"),
    Planted("R16", 2019, _u("S4"), "S4", "self-check submitted on the deadline 2019-07-31"),
    Planted("R17", 2019, "沙溪镇", "沙溪镇", "township report submitted on the deadline 2019-08-13"),
    Planted("R18", 2019, "JB2019-006", "tip-off on C6", "feedback exactly 30 days after receipt"),
    Planted("R18", 2019, "JB2019-014", "tip-off on M3", "received 2019-12-10, feedback 2020-01-08: 29 days"),
    Planted("R18", 2020, "JB2020-008", "tip-off", "received 2020-12-03, no feedback: 28 days at 2020-12-31"
            " (fires with a later as-of)"),
    Planted("R09", 2019, "2019-CK-0004", "S3's export licence", "declarations 12 + 15.5 = 27.5 t = its 27.5 t"),
    Planted("R07", 2019, _u("S3"), "S3", "domestic ore 885.49 − certificates 850.07 = 35.42 (4 %) ≤ 44.275"),
    Planted("R06", 2019, _u("C5"), "C5", "monthly 96 vs traceability 92.637: 3.363 ≤ max(4.8, 1)"),
    Planted("R05", 2019, _u("T6"), "T6", "sales 14.353 vs invoices 13.453: 0.9 ≤ max(0.718, 1), the 1 t floor"),
    Planted("R12", 2019, _u("T2"), "T2", "as seller 712.298 ≫ as buyer 120.909, but imports 607.073 cover it"),
    Planted("R10", 2020, _u("C3"), "C3", "imports without a licence: R10 and R11 concern exports only"),
)

# Campaign records: environment, self-checks, township reports, scoring, tip-offs, penalties.

# record id, enterprise, found on, kind, description, resolved on (None: open)
ENVIRONMENT: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("HB2018-001", "S3", "2018-03-14", "其他", "危险废物贮存台账不完整", "2018-04-10"),
    ("HB2018-002", "C4", "2018-05-22", "治污设施运行不正常", "酸雾吸收塔喷淋泵故障停运", "2018-06-08"),
    ("HB2018-003", "S1", "2018-07-09", "超标排放", "废水总排口氨氮超标1.3倍", "2018-08-20"),
    ("HB2018-004", "M3", "2018-09-05", "其他", "危险废物贮存间标识不规范", "2018-09-21"),
    ("HB2018-005", "S4", "2018-10-15", "放射性废渣处置不当", "含钍废渣露天堆放，未入库贮存", "2019-01-25"),
    ("HB2018-006", "C6", "2018-11-27", "治污设施运行不正常", "布袋除尘器破损", "2018-12-14"),
    ("HB2019-001", "S5", "2019-01-17", "其他", "排污许可执行报告未按时提交", "2019-02-26"),
    ("HB2019-002", "C2", "2019-03-06", "超标排放", "焙烧废气颗粒物超标", "2019-04-19"),
    ("HB2019-003", "S3", "2019-04-11", "治污设施运行不正常", "在线监测设备数据缺失", "2019-05-09"),
    ("HB2019-004", "S6", "2019-05-16", "超标排放", "废水氟化物、氨氮超标排放，已责令停产整治", "2020-03-15"),
    ("HB2019-005", "M2", "2019-07-02", "其他", "突发环境事件应急预案未备案", "2019-08-13"),
    ("HB2019-006", "C3", "2019-09-12", "治污设施运行不正常", "酸性废水处理设施长期不正常运行", None),
    ("HB2019-007", "C5", "2019-10-08", "其他", "固体废物转移联单填写不全", "2019-10-30"),
    ("HB2019-008", "S2", "2019-11-05", "放射性废渣处置不当", "放射性废渣暂存库防渗层破损", "2019-12-31"),
    ("HB2020-001", "S1", "2020-04-21", "其他", "复工后环保设施运行检查记录缺失", "2020-05-12"),
    ("HB2020-002", "C1", "2020-06-03", "超标排放", "废气氮氧化物超标", "2020-07-15"),
    ("HB2020-003", "S4", "2020-07-28", "治污设施运行不正常", "氨氮吹脱塔停运", "2020-08-25"),
    ("HB2020-004", "C3", "2020-08-19", "环评手续不全", "扩建生产线未批先建", "2020-12-18"),
    ("HB2020-005", "M1", "2020-09-09", "其他", "危险废物贮存超期", "2020-10-16"),
    ("HB2020-006", "S5", "2020-11-20", "放射性废渣处置不当", "放射性废渣未按规定送贮", None),
)

SELF_CHECK_FIRMS = tuple(f.key for f in FIRMS if f.category in (SMELTER, RECYCLER, TRADER))
# Self-checks not submitted at all, and submission dates that are not the usual ones.
SELF_CHECK_MISSING = {(2019, "T3")}
SELF_CHECK_DATES = {(2019, "C1"): "2019-08-06", (2019, "S4"): "2019-07-31", (2020, "T7"): "2020-08-03"}
SELF_CHECK_PROBLEMS: dict[tuple[int, str], tuple[int, int, str]] = {
    (2019, "S2"): (2, 1, "2019年上半年产量接近指标，已制定减产计划；放射性废渣暂存库待修缮"),
    (2019, "S4"): (1, 1, "原料采购台账与入库记录不一致，已重新核对"),
    (2019, "S5"): (2, 2, "曾承接外单位委托加工，已停止并整改；资源税凭证归档不全，已补齐"),
    (2019, "S6"): (3, 2, "废水超标排放，已停产整治；环保竣工验收未完成"),
    (2019, "C1"): (1, 0, "9、10月设备检修期间未报送月报"),
    (2019, "C2"): (1, 1, "曾采购少量稀土氧化物用于调配，已停止"),
    (2019, "C3"): (2, 0, "环保竣工验收尚未完成；清洁生产审核未开展"),
    (2019, "M2"): (1, 1, "试验性分离少量富集物，已停止"),
    (2020, "S3"): (1, 1, "下半年订单增加，已提醒控制产量"),
    (2020, "S6"): (1, 1, "停产整治中，整改已完成，待验收"),
    (2020, "C3"): (3, 1, "进口矿产品用于试验已停止；环保竣工验收、清洁生产审核仍未完成"),
    (2020, "T8"): (1, 0, "部分货源发票不全，正在核实"),
}

# township -> submission date of its 附件3 summary (None: not submitted)
TOWNSHIP_REPORT_DATES: dict[int, dict[str, str | None]] = {
    2019: {"城厢镇": "2019-08-09", "沙溪镇": "2019-08-13", "浏河镇": "2019-08-12", "浮桥镇": "2019-08-08",
           "璜泾镇": "2019-08-16", "双凤镇": "2019-08-12", "娄东街道": "2019-08-07", "陆渡街道": "2019-08-12"},
    2020: {"城厢镇": "2020-08-10", "沙溪镇": "2020-08-07", "浏河镇": "2020-08-12", "浮桥镇": "2020-08-06",
           "璜泾镇": "2020-08-11", "双凤镇": "2020-08-05", "娄东街道": "2020-08-10", "陆渡街道": None},
}

# 附件2 稀土行业秩序整顿省级督查评价表, as modelled for the demo (the maxima sum to 100).
SCORING_ITEMS: tuple[tuple[str, str, str, str], ...] = (
    ("A1", "组织领导", "成立稀土行业秩序整顿领导小组，明确牵头部门和责任分工", "5"),
    ("A2", "组织领导", "制定专项核查工作方案并按时报送", "5"),
    ("A3", "组织领导", "开展宣传动员，公开举报电话、信箱等渠道", "5"),
    ("B1", "排查整治", "辖区稀土企业底数清楚，企业名录完整准确", "8"),
    ("B2", "排查整治", "督促企业按时填报自查表（附件1），问题台账完整", "9"),
    ("B3", "排查整治", "按时报送镇（区）自查情况汇总表（附件3）和书面自查报告", "6"),
    ("B4", "排查整治", "排查发现的问题整改到位", "12"),
    ("C1", "打击查处", "查处无计划、超计划生产和代加工行为", "10"),
    ("C2", "打击查处", "查处采购、加工、销售非法稀土矿产品及来源不明产品", "8"),
    ("C3", "打击查处", "举报线索按时核查，查处结果及时反馈举报人", "6"),
    ("C4", "打击查处", "查处环评手续不全、超标排放和放射性废渣处置不当", "6"),
    ("D1", "长效机制", "企业月报及时、如实填报", "6"),
    ("D2", "长效机制", "追溯系统、专用发票、资源税和进出口数据部门共享", "7"),
    ("D3", "长效机制", "环保与清洁生产审核常态化监管", "7"),
)
# (year, township) -> [(item, points lost, note)]; every other item scores its maximum.
DEDUCTIONS: dict[tuple[int, str], tuple[tuple[str, str, str], ...]] = {
    (2019, "城厢镇"): (("A3", "1", "举报渠道未在镇政府网站公示"),),
    (2019, "沙溪镇"): (("B2", "2", "1家贸易企业未报送自查表"), ("C2", "3", "辖区冶炼企业产量与原料来源不匹配，排查不细"),
                    ("D1", "2", "辖区综合利用企业9、10月月报缺报")),
    (2019, "浏河镇"): (("C2", "2", "辖区综合利用企业采购稀土氧化物，未及时发现"),),
    (2019, "浮桥镇"): (("B4", "3", "港区冶炼企业超计划生产问题整改未到位"),
                    ("D3", "2", "辖区综合利用企业环保竣工验收未完成、未开展清洁生产审核")),
    (2019, "璜泾镇"): (("B3", "2", "自查情况汇总表8月16日报送，逾期3天"), ("C1", "3", "辖区冶炼企业4—6月开展代加工")),
    (2019, "双凤镇"): (("C4", "1.5", "辖区冶炼企业超标排放，整改未完成"), ("D2", "1.5", "辖区金属企业部分销售未开具专用发票")),
    (2019, "陆渡街道"): (("A1", "1", "新设街道，领导小组组建较晚"), ("B1", "0.5", "企业名录更新不及时")),
    (2020, "城厢镇"): (("C2", "2", "辖区企业出口许可证使用不规范"),),
    (2020, "浏河镇"): (("B4", "3", "辖区冶炼企业再次超计划生产"),),
    (2020, "浮桥镇"): (("C2", "3", "辖区综合利用企业进口稀土矿产品"), ("D3", "2", "综合利用企业环保手续仍不全")),
    (2020, "璜泾镇"): (("C4", "2", "辖区冶炼企业放射性废渣处置问题未整改"),),
    (2020, "娄东街道"): (("B2", "1", "1家企业自查表逾期报送"),),
    (2020, "陆渡街道"): (("B3", "6", "未报送2020年度自查情况汇总表"), ("C2", "3", "辖区贸易企业销售来源不明稀土产品")),
}
INSPECTION_TEAMS = ("市督查组第一组", "市督查组第二组")

# id, received, channel, township as written, subject (firm key, outside key or None), subject name,
# summary, department, status, resolved on, feedback on
TIPOFFS: tuple[tuple[str, str, str, str, str | None, str | None, str, str, str, str | None, str | None], ...] = (
    ("JB2018-001", "2018-03-19", "电话", "城厢镇", "T1", None, "反映企业夜间装卸稀土氧化物", "市商务局", "已办结",
     "2018-04-02", "2018-04-09"),
    ("JB2018-002", "2018-06-11", "信件", "娄东街道", "M4", None, "反映企业私自开展稀土冶炼分离", "市工业和信息化局",
     "已办结", "2018-07-20", "2018-07-23"),
    ("JB2018-003", "2018-08-30", "网站", "浮桥镇", "S1", None, "反映厂区废水有异味", "市生态环境局", "已办结",
     "2018-09-12", "2018-09-14"),
    ("JB2018-004", "2018-11-06", "转办", "沙溪镇", None, "沙溪镇某废品收购站（示例）", "反映收购来源不明的稀土废料",
     "市公安局", "已办结", "2018-11-28", "2018-11-30"),
    ("JB2019-001", "2019-01-08", "电话", "双凤镇", "S6", None, "反映企业废水直排河道", "市生态环境局", "已办结",
     "2019-01-25", "2019-01-29"),
    ("JB2019-002", "2019-02-20", "网站", "璜泾镇", "S5", None, "反映企业为外地企业代加工稀土", "市工业和信息化局",
     "已办结", "2019-03-15", "2019-03-18"),
    ("JB2019-003", "2019-03-12", "信件", "沙溪镇", "S4", None, "反映企业收购来源不明的稀土矿产品", "市工业和信息化局",
     "已办结", "2019-04-20", "2019-04-26"),
    ("JB2019-004", "2019-04-02", "媒体", "浏河镇", None, "浏河镇某无证稀土加工作坊（示例）", "媒体报道无证加工稀土废料",
     "市市场监督管理局", "已办结", "2019-04-25", "2019-04-28"),
    ("JB2019-005", "2019-04-18", "转办", "港区", "S2", None, "苏州市转办：反映企业超计划生产", "市工业和信息化局",
     "已办结", "2019-05-10", "2019-05-14"),
    ("JB2019-006", "2019-05-08", "网站", "高新区", "C6", None, "反映企业露天堆放废料", "市生态环境局", "已办结",
     "2019-06-03", "2019-06-07"),
    ("JB2019-007", "2019-06-14", "电话", "双凤镇", "M3", None, "反映企业销售稀土金属不开发票", "国家税务总局太仓市税务局",
     "已办结", "2019-07-02", "2019-07-05"),
    ("JB2019-008", "2019-07-03", "转办", "浏河镇", "C2", None, "反映综合利用企业采购稀土氧化物", "市工业和信息化局",
     "已办结", "2019-07-22", "2019-07-26"),
    ("JB2019-009", "2019-08-12", "信件", "城厢镇", "buyer_pudong", "上海某稀土贸易公司（示例）",
     "反映外地企业在我市无票收购稀土产品", "市商务局", "已办结", "2019-08-30", "2019-09-03"),
    ("JB2019-010", "2019-09-09", "网站", "沙溪镇", "T3", None, "反映企业销售的稀土产品来源不明", "市商务局", "已办结",
     "2019-09-27", "2019-10-02"),
    ("JB2019-011", "2019-10-22", "电话", "浮桥镇", "C3", None, "反映企业酸性废水处理设施不运行", "市生态环境局",
     "已办结", "2020-02-14", "2020-02-20"),
    ("JB2019-012", "2019-11-04", "网站", "璜泾镇", None, "璜泾镇某物流仓库（示例）", "反映仓库存放不明来源稀土产品",
     "市公安局", "已办结", "2019-11-22", "2019-11-26"),
    ("JB2019-013", "2019-11-25", "媒体", "陆渡街道", "T8", None, "媒体报道企业囤积稀土氧化物", "市商务局", "已办结",
     "2019-12-16", "2019-12-20"),
    ("JB2019-014", "2019-12-10", "电话", "双凤镇", "M3", None, "反映企业出口稀土金属未办许可证", "太仓海关", "已办结",
     "2020-01-06", "2020-01-08"),
    ("JB2020-001", "2020-01-13", "网站", "城厢镇", "M1", None, "反映企业危险废物堆放", "市生态环境局", "已办结",
     "2020-02-05", "2020-02-10"),
    ("JB2020-002", "2020-03-30", "电话", "浮桥镇", "S2", None, "反映企业疫情期间停产未报月报", "市工业和信息化局",
     "已办结", "2020-04-17", "2020-04-20"),
    ("JB2020-003", "2020-05-18", "转办", "浏河镇", "S3", None, "苏州市转办：反映企业产量超指标", "市工业和信息化局",
     "已办结", "2020-06-09", "2020-06-12"),
    ("JB2020-004", "2020-07-06", "媒体", "浮桥镇", "C3", None, "媒体报道综合利用企业进口矿产品", "太仓海关", "已办结",
     "2020-07-24", "2020-07-29"),
    ("JB2020-005", "2020-08-24", "网站", "陆渡街道", "T8", None, "反映企业销售无票稀土产品", "国家税务总局太仓市税务局",
     "已办结", "2020-09-18", "2020-09-21"),
    ("JB2020-006", "2020-10-09", "信件", "璜泾镇", "S5", None, "反映企业放射性废渣去向不明", "市生态环境局", "核查中",
     None, None),
    ("JB2020-007", "2020-11-16", "电话", "城厢镇", "M1", None, "反映企业出口许可证过期仍在使用", "市商务局", "已办结",
     "2020-12-04", "2020-12-08"),
    ("JB2020-008", "2020-12-03", "网站", "浏河镇", None, "浏河镇某出租厂房（示例）", "反映出租厂房内疑似加工稀土",
     "市市场监督管理局", "已受理", None, None),
)

# case no, enterprise, decided on, department, violation, measure, fine, blacklisted until
PENALTIES: tuple[tuple[str, str, str, str, str, str, str | None, str | None], ...] = (
    ("太工信罚〔2018〕1号", "M4", "2018-11-20", "市工业和信息化局", "R01 无计划生产（擅自从事稀土冶炼分离）",
     "责令停止违法行为，没收违法产品，罚款", "500000", None),
    ("太市监罚〔2019〕3号", "M4", "2019-03-28", "市市场监督管理局", "拒不整改，继续违法生产", "吊销营业执照，列入黑名单",
     None, "2029-03-27"),
    ("太环罚〔2019〕12号", "S6", "2019-06-20", "市生态环境局", "超标排放水污染物（HB2019-004）", "责令停产整治，罚款",
     "300000", None),
    ("太工信罚〔2019〕5号", "S5", "2019-10-15", "市工业和信息化局", "R03 代加工", "责令改正，罚款", "200000", None),
    ("太工信罚〔2019〕7号", "M2", "2019-11-26", "市工业和信息化局", "R01 无计划生产", "没收违法产品，罚款，列入黑名单",
     "450000", "2021-11-25"),
    ("太市监罚〔2020〕2号", "T3", "2020-04-17", "市市场监督管理局", "R12 买卖来源不明的稀土产品", "没收违法所得，罚款，列入黑名单",
     "180000", "2027-04-16"),
    ("太关缉违字〔2020〕2号", "M3", "2020-06-10", "太仓海关", "R10 出口稀土金属未取得许可证", "罚款", "120000", None),
)
