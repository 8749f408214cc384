"""The import's checks across the cells of one row, and against the enterprises and scoring items known so far.

One small function per check, listed per table in `CROSS_CHECKS` (as `supervision.checks` lists its rules);
`checks_for` adds the enterprise-reference check to every table that cites enterprises. The importer runs
a parsed row through its table's checks in order and refuses the row if any of them failed: a check reports
through `Row.fail` (the row is refused) or `Row.warn` (a data-quality note that does not stop the import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from supervision.core.config import Settings
from supervision.core.spec import TableSpec
from supervision.geo.boundaries import Boundaries
from supervision.geo.coords import to_wgs84
from supervision.ingest.fields import shown

# GCJ-02 and BD-09 move a point by well under 0.02 degree in China: a point farther than this
# outside the jurisdiction's box is outside it in every coordinate system.
_NEAR = Decimal("0.1")
_CELL: Any = object()  # fail()'s default value: the record's value of the column


class Known(Protocol):
    """What an import knows beyond the row: the settings, the boundaries, the enterprises and scoring items so far."""

    settings: Settings
    bounds: Boundaries | None
    enterprises: set[str]
    scoring: dict[tuple[int, str], Decimal]


class Reporter(Protocol):
    """Where a table's problems go, located by row number and the column's header as the file writes it."""

    def problem(self, reason: str, row: int | None = None, column: str | None = None, value: Any = None) -> None: ...

    def warn(self, reason: str, row: int, column: str | None = None, value: Any = None) -> None: ...

    def header_of(self, key: str) -> str: ...


@dataclass
class Row:
    """One parsed row under cross-check: its number in the file, its record (keyed by column key), what is known."""

    spec: TableSpec
    number: int
    record: dict[str, Any]
    known: Known
    out: Reporter
    ok: bool = True

    def fail(self, reason: str, key: str, value: Any = _CELL) -> None:
        """Refuse the row, pointing at column `key` (and quoting its value unless another is given)."""
        quoted = self.record.get(key) if value is _CELL else value
        self.out.problem(reason, self.number, self.out.header_of(key), quoted)
        self.ok = False

    def warn(self, reason: str, key: str, value: Any) -> None:
        self.out.warn(reason, self.number, self.out.header_of(key), value)


Check = Callable[[Row], None]


def _gt(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a > b


def cited_enterprises_exist(row: Row) -> None:
    for key in row.spec.enterprise_refs:
        value = row.record.get(key)
        if value and value not in row.known.enterprises:
            row.fail("企业名录中没有该统一社会信用代码（请先导入企业名录，或在同一数据包中提供）", key)


def location(row: Row) -> None:
    """Longitude and latitude together, inside the jurisdiction, stored as WGS-84; a warning if off the township."""
    r = row.record
    lon, lat = r.get("lon"), r.get("lat")
    if (lon is None) != (lat is None):
        row.fail("经度和纬度须同时填写", "lat" if lat is None else "lon", None)
        return
    if lon is None or lat is None:
        return
    name = row.known.settings.jurisdiction.name
    if not _near_jurisdiction(row.known.settings, lon, lat):
        # Far outside (the GCJ-02 inverse even raises a math domain error at a pole): reject unconverted.
        row.fail(f"坐标（{shown(lon)}, {shown(lat)}）不在{name}范围内；请检查经纬度是否填反或坐标系是否正确",
                 "lon", lon)
        return
    wlon, wlat = to_wgs84(float(lon), float(lat), r["coord_system"] or "WGS84")
    r["lon"], r["lat"] = Decimal(f"{wlon:.6f}"), Decimal(f"{wlat:.6f}")
    if not row.known.settings.jurisdiction.bounds.contains(r["lon"], r["lat"]):
        row.fail(f"坐标（换算为WGS-84后 {r['lon']}, {r['lat']}）不在{name}范围内；"
                 "请检查经纬度是否填反或坐标系是否正确", "lon", lon)
        return
    _township_contains(row, wlon, wlat, lon)


def _near_jurisdiction(settings: Settings, lon: Decimal, lat: Decimal) -> bool:
    b = settings.jurisdiction.bounds
    return b.min_lon - _NEAR <= lon <= b.max_lon + _NEAR and b.min_lat - _NEAR <= lat <= b.max_lat + _NEAR


def _township_contains(row: Row, wlon: float, wlat: float, written: Decimal) -> None:
    bounds = row.known.bounds
    township = row.record["township"]
    if bounds is None or bounds.contains(township, wlon, wlat) is not False:
        return
    actual = bounds.township_at(wlon, wlat)
    where = f"，落在{actual}" if actual else ""
    label = "（示意边界）" if bounds.schematic else ""
    row.warn(f"点位不在所属镇区“{township}”范围内{label}{where}", "lon", written)


def invoice_signs(row: Row) -> None:
    """Only a credit note (红冲) has negative quantities and amounts, and a credit note has no positive ones."""
    credit = row.record["status"] == "红冲"
    for key in ("quantity", "reo_t", "amount_yuan"):
        value = row.record.get(key)
        if value is None:
            continue
        if value < 0 and not credit:
            row.fail("只有红冲发票的数量、金额可以为负数", key)
        elif value > 0 and credit:
            row.fail("红冲发票的数量、金额应为负数（按负数计入）", key)


def licence_period(row: Row) -> None:
    if row.record["valid_from"] > row.record["valid_to"]:
        row.fail("有效期止早于有效期起", "valid_to")


def resolved_after_recorded(row: Row) -> None:
    r = row.record
    if r.get("resolved_on") and r["resolved_on"] < r["recorded_on"]:
        row.fail("整改完成日期早于发现日期", "resolved_on")


def rectified_within_found(row: Row) -> None:
    if _gt(row.record.get("problems_rectified"), row.record.get("problems_found")):
        row.fail("已整改数不能大于发现问题数", "problems_rectified")


def checked_within_total(row: Row) -> None:
    if _gt(row.record.get("enterprises_checked"), row.record.get("enterprises_total")):
        row.fail("已排查企业数不能大于企业总数", "enterprises_checked")


def score_within_item(row: Row) -> None:
    r = row.record
    maximum = row.known.scoring.get((r["year"], r["item_code"]))
    if maximum is None:
        row.fail(f"{r['year']}年的督查评价表中没有此条目编号（请先导入督查评价表条目）", "item_code")
    elif r["score"] > maximum:
        row.fail(f"得分超过该条目分值{maximum.normalize():f}", "score")


def positive_maximum(row: Row) -> None:
    if row.record["max_score"] <= 0:
        row.fail("分值必须大于0", "max_score")


def dates_after_receipt(row: Row) -> None:
    r = row.record
    for key in ("resolved_on", "feedback_on"):
        if r.get(key) and r[key] < r["received_on"]:
            row.fail("日期早于受理日期", key)


CROSS_CHECKS: dict[str, tuple[Check, ...]] = {
    "enterprises": (location,),
    "invoices": (invoice_signs,),
    "licenses": (licence_period,),
    "environment": (resolved_after_recorded,),
    "self_checks": (rectified_within_found,),
    "township_reports": (checked_within_total, rectified_within_found),
    "inspection_scores": (score_within_item,),
    "scoring_items": (positive_maximum,),
    "tipoffs": (dates_after_receipt,),
}


def checks_for(spec: TableSpec) -> tuple[Check, ...]:
    """A table's cross-checks in the order they run: the cited enterprises first, then the table's own."""
    cited: tuple[Check, ...] = (cited_enterprises_exist,) if spec.enterprise_refs else ()
    return cited + CROSS_CHECKS.get(spec.key, ())
