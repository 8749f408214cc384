"""Deterministic demo data for Taicang 2018–2020, written as a data package and imported like any other.

`write_demo_package` writes one CSV per table of the data-exchange specification, byte-identical on
every run (seeded random streams per subject, no clock, sorted output). `build_demo_database` imports
it through `supervision.ingest.importer` as `principal.DEMO_ACTOR`, so the app shows its "fictional" banner.

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

import csv
import datetime as dt
import io
import random
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, delete, func, select
from sqlalchemy import text as sql

from supervision.core.config import Settings
from supervision.core.spec import TABLES_BY_KEY
from supervision.core.values import uscc_check_char
from supervision.geo.boundaries import boundaries
from supervision.geo.coords import gcj02_to_bd09, wgs84_to_gcj02
from supervision.storage.db import bump_data_version
from supervision.storage.models import DATA_MODELS, AuditEntry, Base, ImportBatch

SEED = "taicang-rare-earth-demo-1"
YEARS = (2018, 2019, 2020)
MONTHS: tuple[tuple[int, int], ...] = tuple((y, m) for y in YEARS for m in range(1, 13))
ZERO = Decimal(0)
_KG = Decimal("0.001")
_FEN = Decimal("0.01")

SMELTER, RECYCLER, TRADER, METAL, APPLICATION = "冶炼分离", "资源综合利用", "贸易流通", "金属冶炼", "深加工应用"


def q3(value: Decimal | float | int | str) -> Decimal:
    """A quantity rounded to the kilogram (floats via repr, so the result never depends on the platform)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(_KG)


def q2(value: Decimal | float | int | str) -> Decimal:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number.quantize(_FEN)


def make_uscc(region: str, serial: int) -> str:
    """A valid but recognisably fictional code: the organisation part starts with DEM, which no real code does."""
    body = f"91{region}DEM{serial:06d}"
    return body + uscc_check_char(body)


def period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _rng(*parts: object) -> random.Random:
    # One stream per purpose and subject, so changing one enterprise's plan does not redraw the others'
    # numbers (its sales still flow on to its buyers).
    return random.Random(":".join([SEED, *map(str, parts)]))


def _day(year: int, month: int, day: int) -> dt.date:
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

# The economy: producers sell to traders, metal makers and users; every monthly report, invoice,
# traceability row, certificate and customs declaration comes out of the same flows, so clean
# enterprises are consistent by construction and the planted problems are exactly the plans above.


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
        goods = max(_KG, q3(reo / REO_PER_GOODS[category]))
        if goods < 3 and rng.random() < 0.5:
            unit, quantity = "公斤", goods * 1000
        else:
            unit, quantity = "吨", goods
        amount = q2(goods * Decimal(price) * Decimal(repr(YEAR_PRICE[_year(per)] * rng.uniform(0.94, 1.06))))
        issued = _day(_year(per), _month(per), day or rng.randint(3, 26))
        self.invoices.append(Invoice(issued, party(seller), party(buyer), category, name, quantity, unit, reo, amount))
        if buyer in F:
            self.received[(buyer, per)] += reo

    def sell(self, rng: random.Random, per: str, seller: str, total: Decimal, buyers: dict[str, int],
             category: str, low: float = 15, high: float = 40) -> None:
        for part in pieces(rng, total, low, high):
            self.invoice(rng, per, seller, _weighted(rng, buyers, per), category, part)

    def add_voids_and_credit_notes(self) -> None:
        """A few voided invoices (ignored by checks) and credit notes with their reissue (net unchanged)."""
        rng = _rng("voids")
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
        rng = _rng("producer", key)
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
                self.invoices.append(Invoice(_day(year, _month(per), 28), party(key), party("toll_client"), "TOLL_FEE",
                                             "稀土分离加工费", Decimal(toll), "吨", ZERO, q2(Decimal(toll) * 18000)))
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
            day = _day(_year(per), _month(per), rng.randint(5, 25))
            self.imports.append(Declaration("", day, key, "进口", "25309020", "稀土精矿", goods, imported,
                                            IMPORT_COUNTRY[key], NUMBERED_LATER, NUMBERED_LATER))

    def _certificates(self, key: str, domestic: dict[str, Decimal]) -> None:
        rng = _rng("certificates", key)
        rate = Decimal(TAX_PER_T[key])
        for per, ore in domestic.items():
            if ore <= 0 or per in MISSING_CERTIFICATES.get(key, frozenset()):
                continue
            shortfall = CERTIFICATE_SHORTFALL.get((key, _year(per)))
            if shortfall is not None and shortfall[0] == per:
                year_total = sum((v for p, v in domestic.items() if _year(p) == _year(per)), ZERO)
                ore = ore - q3(year_total * Decimal(shortfall[1]))
            issued = _day(_year(per), _month(per), rng.randint(20, 28))
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
        return _day(year, month, rng.randint(11, 24) if late else rng.randint(2, 10))

    # The importing trader: mixed carbonate from abroad for two smelters.

    def importer_t2(self) -> None:
        rng = _rng("trader", "T2")
        stock = q3(self.t2_sales["2018-01"] * Decimal("0.3"))
        for y, m in MONTHS:
            per = period(y, m)
            sold = self.t2_sales[per]
            imported = q3(sold * Decimal("0.85") * Decimal(repr(rng.uniform(0.98, 1.02))))
            domestic = q3(sold * Decimal("0.17") * Decimal(repr(rng.uniform(0.98, 1.02))))
            self.invoice(rng, per, "dealer_ganzhou", "T2", "SALT", domestic)
            if imported:
                day = _day(y, m, rng.randint(3, 20))
                self.imports.append(Declaration("", day, "T2", "进口", "28469048", "混合碳酸稀土",
                                                q3(imported / REO_PER_GOODS["SALT"]), imported, "缅甸", NUMBERED_LATER,
                                                NUMBERED_LATER))
            stock = stock + imported + domestic - sold
            self.reports[("T2", per)] = Report(compound=imported + domestic, sales=sold, inventory=stock,
                                               submitted_on=self._submitted(rng, per))

    # Traders.

    def trader(self, key: str) -> None:
        rng = _rng("trader", key)
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
        rng = _rng("metal", key)
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


# Rows of every table, keyed by the spec's column keys.


def _point_in(polygon: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    # Keep clear of the edge so the coordinate conversions (±1e-6°) never cross a border.
    inner = polygon.buffer(-0.004)
    min_x, min_y, max_x, max_y = inner.bounds
    while True:
        lon, lat = round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6)
        if inner.contains(Point(lon, lat)):
            return lon, lat


def enterprise_rows(settings: Settings) -> list[dict[str, Any]]:
    polygons = boundaries(settings).polygons
    rows: list[dict[str, Any]] = []
    for firm in FIRMS:
        rng = _rng("place", firm.key)
        lon: float | None = None
        lat: float | None = None
        polygon = polygons.get(firm.placed_in or firm.township)
        if firm.coords is not None and polygon is not None:
            lon, lat = _point_in(polygon, rng)
            if firm.coords in ("GCJ02", "BD09"):
                lon, lat = wgs84_to_gcj02(lon, lat)
                if firm.coords == "BD09":
                    lon, lat = gcj02_to_bd09(lon, lat)
                lon, lat = round(lon, 6), round(lat, 6)
        town_short = firm.township.removesuffix("镇").removesuffix("街道")
        rows.append({
            "uscc": firm.uscc, "name": firm.name, "category": firm.category, "township": firm.written_township,
            "address": f"江苏省太仓市{firm.township}{town_short}示例路{firm.serial * 7 + 3}号",
            "lon": None if lon is None else Decimal(f"{lon:.6f}"),
            "lat": None if lat is None else Decimal(f"{lat:.6f}"),
            "coord_system": None if lon is None else firm.coords,
            "group": firm.group,
            "approved_capacity_t": None if firm.capacity is None else Decimal(firm.capacity),
            "status": firm.status, "eia_approved": firm.eia[0], "eia_accepted": firm.eia[1],
            "last_clean_audit": None if firm.clean_audit is None else dt.date.fromisoformat(firm.clean_audit),
        })
    return rows


def _sorted_declarations(economy: Economy) -> list[Declaration]:
    declarations = list(economy.imports)
    for e in EXPORTS:
        goods = Decimal(e.goods_t)
        declarations.append(Declaration(export_no(e), dt.date.fromisoformat(e.day), e.firm, "出口", e.hs, e.product,
                                        goods, q3(goods * EXPORT_REO_PER_GOODS[e.hs]), e.country, e.license,
                                        NUMBERED_LATER if e.inspected else None))
    declarations.sort(key=lambda d: (d.declared_on, d.direction, d.firm, d.hs, d.goods))
    import_seq: dict[int, int] = defaultdict(int)
    inspection_seq: dict[int, int] = defaultdict(int)
    for d in declarations:
        year = d.declared_on.year
        if not d.number:
            import_seq[year] += 1
            d.number = f"2226{year}1{import_seq[year]:09d}"
        if d.inspection == NUMBERED_LATER:
            inspection_seq[year] += 1
            d.inspection = f"322600{year}{inspection_seq[year]:08d}"
    return declarations


def _self_check_rows() -> list[dict[str, Any]]:
    rows = []
    for year in (2019, 2020):
        for key in SELF_CHECK_FIRMS:
            if (year, key) in SELF_CHECK_MISSING:
                continue
            rng = _rng("self-check", year, key)
            day = SELF_CHECK_DATES.get((year, key)) or f"{year}-07-{rng.randint(8, 29):02d}"
            found, fixed, text = SELF_CHECK_PROBLEMS.get((year, key), (0, 0, "经自查，未发现问题"))
            rows.append({"uscc": F[key].uscc, "year": year, "submitted_on": dt.date.fromisoformat(day),
                         "problems_found": found, "problems_rectified": fixed, "description": text})
    return rows


def _township_rows() -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for firm in FIRMS:
        counts[firm.township] += 1
    rows = []
    for year, dates in TOWNSHIP_REPORT_DATES.items():
        for town, day in dates.items():
            if day is None:
                continue
            rng = _rng("township-report", year, town)
            found = rng.randint(1, 4)
            rows.append({"township": town, "year": year, "submitted_on": dt.date.fromisoformat(day),
                         "enterprises_total": counts[town], "enterprises_checked": counts[town],
                         "problems_found": found, "problems_rectified": rng.randint(found - 1, found),
                         "cases_transferred": rng.randint(0, 1)})
    return rows


def _scoring_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    items, scores = [], []
    towns = list(TOWNSHIP_REPORT_DATES[2019])
    for year in (2019, 2020):
        for code, section, text, maximum in SCORING_ITEMS:
            items.append({"year": year, "item_code": code, "section": section, "item": text,
                          "max_score": Decimal(maximum)})
        for index, town in enumerate(towns):
            lost = {code: (Decimal(points), note) for code, points, note in DEDUCTIONS.get((year, town), ())}
            day = _day(year, 8, 5 + 3 * index)
            for code, _, _, maximum in SCORING_ITEMS:
                points, note = lost.get(code, (ZERO, None))
                scores.append({"township": town, "year": year, "item_code": code,
                               "score": Decimal(maximum) - points, "inspected_on": day,
                               "inspector": INSPECTION_TEAMS[index % 2], "note": note})
    return items, scores


def demo_tables(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    """Every table of the demo package as rows keyed by the spec's column keys."""
    economy = Economy()
    tables: dict[str, list[dict[str, Any]]] = {"enterprises": enterprise_rows(settings)}
    tables["quotas"] = [
        {"year": year, "batch": batch, "uscc": F[key].uscc, "kind": "冶炼分离", "quota_t": Decimal(value)}
        for (key, year), batches in QUOTAS.items() for batch, value in enumerate(batches, start=1)
    ]
    tables["monthly_reports"] = [
        {"uscc": F[key].uscc, "period": per, "purchase_ore_domestic_t": r.ore_domestic,
         "purchase_ore_imported_t": r.ore_imported, "purchase_compound_t": r.compound,
         "purchase_scrap_t": r.scrap, "production_t": r.production, "sales_t": r.sales,
         "inventory_t": r.inventory, "raw_inventory_t": r.raw_inventory, "toll_processing_t": r.toll,
         "submitted_on": r.submitted_on}
        for (key, per), r in sorted(economy.reports.items(), key=lambda kv: (F[kv[0][0]].serial, kv[0][1]))
    ]
    invoices = sorted(economy.invoices, key=lambda i: (i.issued_on, i.seller, i.buyer, i.category, i.status, i.reo))
    numbers: dict[int, int] = defaultdict(int)
    tables["invoices"] = []
    for inv in invoices:
        numbers[inv.issued_on.year] += 1
        tables["invoices"].append({
            "invoice_no": f"{inv.issued_on.year % 100:02d}{numbers[inv.issued_on.year]:06d}",
            "issued_on": inv.issued_on, "seller_uscc": inv.seller, "buyer_uscc": inv.buyer,
            "product_category": inv.category, "product_name": inv.product, "quantity": inv.quantity,
            "unit": inv.unit, "reo_t": inv.reo, "amount_yuan": inv.amount, "status": inv.status,
        })
    tables["traceability"] = [
        {"uscc": F[key].uscc, "period": per, "production_t": prod, "sales_t": sales}
        for (key, per), (prod, sales) in sorted(economy.traceability.items(),
                                                key=lambda kv: (F[kv[0][0]].serial, kv[0][1]))
    ]
    certificates = sorted(economy.certificates, key=lambda c: (c[1], F[c[0]].serial))
    tables["resource_tax"] = [
        {"certificate_no": f"320585{issued.year}{n:06d}", "uscc": F[key].uscc, "issued_on": issued,
         "ore_t": ore, "tax_yuan": tax}
        for n, (key, issued, ore, tax) in enumerate(certificates, start=1)
    ]
    licenses = {**EXPORT_LICENSES,
                **{no: (firm, hs, str(q), start, end) for no, (firm, hs, q, start, end) in economy.import_licenses.items()}}
    tables["licenses"] = [
        {"license_no": number, "uscc": F[firm].uscc, "direction": "出口" if "-CK-" in number else "进口",
         "hs_code": hs, "quantity_t": Decimal(quantity), "valid_from": dt.date.fromisoformat(start),
         "valid_to": dt.date.fromisoformat(end)}
        for number, (firm, hs, quantity, start, end) in sorted(licenses.items())
    ]
    tables["customs"] = [
        {"declaration_no": d.number, "declared_on": d.declared_on, "uscc": F[d.firm].uscc, "direction": d.direction,
         "hs_code": d.hs, "product_name": d.product, "quantity_t": d.goods, "reo_t": d.reo, "country": d.country,
         "license_no": d.license, "inspection_no": d.inspection}
        for d in _sorted_declarations(economy)
    ]
    tables["environment"] = [
        {"record_id": rid, "uscc": F[key].uscc, "recorded_on": dt.date.fromisoformat(day), "kind": kind,
         "description": text, "resolved_on": None if done is None else dt.date.fromisoformat(done)}
        for rid, key, day, kind, text, done in ENVIRONMENT
    ]
    tables["self_checks"] = _self_check_rows()
    tables["township_reports"] = _township_rows()
    tables["scoring_items"], tables["inspection_scores"] = _scoring_rows()
    tables["tipoffs"] = [
        {"tipoff_id": tid, "received_on": dt.date.fromisoformat(day), "channel": channel, "township": town,
         "subject_uscc": None if subject is None else party(subject),
         "subject_name": name or (F[subject].name if subject in F else None), "summary": summary,
         "department": department, "status": status,
         "resolved_on": None if done is None else dt.date.fromisoformat(done),
         "feedback_on": None if feedback is None else dt.date.fromisoformat(feedback)}
        for tid, day, channel, town, subject, name, summary, department, status, done, feedback in TIPOFFS
    ]
    tables["penalties"] = [
        {"case_no": case, "uscc": F[key].uscc, "decided_on": dt.date.fromisoformat(day), "department": department,
         "violation": violation, "measure": measure, "fine_yuan": None if fine is None else Decimal(fine),
         "blacklisted_until": None if until is None else dt.date.fromisoformat(until)}
        for case, key, day, department, violation, measure, fine, until in PENALTIES
    ]
    return tables


# Writing the package the way the departments would: mostly Excel CSV (UTF-8 with BOM, Chinese
# headers), two system exports with English headers, one township file saved as GB18030.


@dataclass(frozen=True)
class FileStyle:
    name: str
    english: bool = False
    encoding: str = "utf-8-sig"
    dates: str = "iso"  # iso: 2019-08-13, slash: 2019/08/13, chinese: 2019年8月13日


FILE_STYLES: dict[str, FileStyle] = {
    "enterprises": FileStyle("企业名录.csv"),
    "quotas": FileStyle("总量控制指标.csv"),
    "monthly_reports": FileStyle("企业月报.csv"),
    "invoices": FileStyle("稀土专用发票.csv"),
    "traceability": FileStyle("traceability.csv", english=True, encoding="utf-8"),
    "resource_tax": FileStyle("资源税完税证明.csv", dates="slash"),
    "licenses": FileStyle("进出口许可证.csv"),
    "customs": FileStyle("customs.csv", english=True),
    "environment": FileStyle("环保监管记录.csv"),
    "self_checks": FileStyle("企业自查表.csv"),
    "township_reports": FileStyle("镇(区)自查情况汇总表.csv", encoding="gb18030", dates="chinese"),
    "scoring_items": FileStyle("督查评价表条目.csv"),
    "inspection_scores": FileStyle("督查评分.csv"),
    "tipoffs": FileStyle("举报线索.csv"),
    "penalties": FileStyle("行政处罚与黑名单.csv"),
}


def _cell(value: Any, dates: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        # As Excel shows a typed number: no trailing zeros, never an exponent.
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        if dates == "slash":
            return f"{value.year}/{value.month:02d}/{value.day:02d}"
        if dates == "chinese":
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat()
    return str(value)


def _csv_bytes(key: str, rows: Iterable[dict[str, Any]], style: FileStyle) -> bytes:
    spec = TABLES_BY_KEY[key]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.key if style.english else c.header for c in spec.columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.key), style.dates) for c in spec.columns])
    return buffer.getvalue().encode(style.encoding)


def write_demo_package(out_dir: Path, settings: Settings) -> Path:
    """Write the demo package (one CSV per table) into out_dir; the same bytes on every run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for key, rows in demo_tables(settings).items():
        style = FILE_STYLES[key]
        (out_dir / style.name).write_bytes(_csv_bytes(key, rows, style))
    return out_dir


# Building the demo database.


class DemoBuildError(Exception):
    """The demo package was rejected by the importer: a bug in the generator, reported with the summary."""


_BUSINESS_TABLES: tuple[type[Base], ...] = (*DATA_MODELS.values(), AuditEntry, ImportBatch)
_TABLE_LABELS = {**{key: spec.name for key, spec in TABLES_BY_KEY.items()}, "audit_log": "审计日志",
                 "import_batches": "导入记录"}


def business_row_counts(engine: Engine) -> dict[str, int]:
    """Rows per business table (the data tables, the audit log and the import batches)."""
    with engine.connect() as conn:
        return {model.__tablename__: int(conn.execute(select(func.count()).select_from(model)).scalar_one())
                for model in _BUSINESS_TABLES}


def _clear_business_data(engine: Engine) -> None:
    """Delete every business row in one transaction; townships and the schema version stay."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # The audit log is append-only (migration 0005); replacing the demo is the operator's maintenance.
            conn.execute(sql("SET LOCAL supervision.audit_maintenance = 'on'"))
        ordered: tuple[type[Base], ...] = (AuditEntry, *reversed(DATA_MODELS.values()), ImportBatch)
        for model in ordered:
            conn.execute(delete(model))
        bump_data_version(conn)


def _check_output_folder(folder: Path) -> None:
    from supervision.core.errors import UsageError

    ours = {style.name for style in FILE_STYLES.values()}
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"演示数据包输出位置不是文件夹：{folder}")
    if folder.is_dir():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in ours)
        if foreign:
            raise UsageError(f"输出文件夹{folder}中已有其他文件（{'、'.join(foreign[:5])}），"
                             "为免其被一并导入，请指定一个空文件夹")


def build_demo_database(engine: Engine, settings: Settings, *, replace: bool = False, if_empty: bool = False,
                        keep_package: Path | None = None) -> str:
    """Generate the demo package and import it through the ordinary importer as the demo actor."""
    from supervision.core.errors import UsageError
    from supervision.core.principal import DEMO_ACTOR
    from supervision.ingest.importer import import_package

    counts = business_row_counts(engine)
    held = {name: n for name, n in counts.items() if n}
    if held and if_empty:
        # Any business data counts, not only enterprises: `make run` must never mix demo and real rows.
        return f"数据库中已有数据（企业{counts['enterprises']}家），未导入演示数据。"
    if held and not replace:
        shown = "、".join(f"{_TABLE_LABELS[name]}{n}行" for name, n in held.items())
        raise UsageError(f"数据库中已有业务数据（{shown}），未作任何修改。"
                         "如确需清空全部业务数据与审计记录并改为演示数据，请加 --replace。")
    if keep_package is not None:
        _check_output_folder(keep_package)
    with tempfile.TemporaryDirectory(prefix="supervision-demo-") as scratch:
        folder = keep_package or Path(scratch) / "演示数据包"
        write_demo_package(folder, settings)
        if held:
            # Validate before deleting anything, so a generator bug never leaves an empty database.
            trial = import_package(folder, engine, settings, actor=DEMO_ACTOR, dry_run=True)
            if not trial.ok:
                raise DemoBuildError(trial.summary())
            _clear_business_data(engine)
        report = import_package(folder, engine, settings, actor=DEMO_ACTOR)
    if not report.ok:
        raise DemoBuildError(report.summary())
    saved = f"\n演示数据包已保存到：{keep_package}" if keep_package is not None else ""
    action = "已清空原有业务数据并导入" if held else "已导入"
    return f"{action}演示数据（企业均为虚构，仅供演示）。\n{report.summary()}{saved}"
