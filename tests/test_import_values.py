"""Cell parsers, the USCC check character, township names and coordinate conversion (no database)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from supervision.core import values as v
from supervision.core.config import Settings
from supervision.geo.coords import gcj02_to_bd09, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02
from supervision.storage.townships import directory

REFERENCE = Path("/work/shared/reference/taicang_divisions_2019.csv")

# Real codes published on the national enterprise credit system: 华为技术有限公司,
# 深圳市腾讯计算机系统有限公司 (check character X-then-G: letters in the body), 阿里巴巴（中国）有限公司.
REAL_CODES = ["914403001922038216", "9144030071526726XG", "91330100716105852F"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_uscc_real_codes_are_valid_and_lower_case_is_folded(code: str) -> None:
    assert v.uscc(code) == code
    assert v.uscc(f"  {code.lower()} ") == code


@pytest.mark.parametrize("code", REAL_CODES)
def test_uscc_every_single_substitution_is_caught(code: str) -> None:
    # The weights 3^i mod 31 are non-zero modulo the prime 31, so changing any one
    # character, the check character included, always breaks the check.
    for position in range(18):
        for char in v.USCC_CHARSET:
            if char == code[position]:
                continue
            corrupted = code[:position] + char + code[position + 1:]
            with pytest.raises(v.Invalid, match="校验位错误"):
                v.uscc(corrupted)


@pytest.mark.parametrize("code", REAL_CODES)
def test_uscc_every_adjacent_transposition_is_caught(code: str) -> None:
    for position in range(17):
        a, b = code[position], code[position + 1]
        if a == b:
            continue
        swapped = code[:position] + b + a + code[position + 2:]
        with pytest.raises(v.Invalid, match="校验位错误"):
            v.uscc(swapped)


@pytest.mark.parametrize(("raw", "reason"), [
    ("91440300192203821", "应为18位，实际17位"),
    ("9144030019220382166", "应为18位，实际19位"),
    ("91440300I922038216", "非法字符“I”"),
    ("9144030019220382Z6", "非法字符“Z”"),
    ("91440300192203821６", "非法字符"),
    ("914403001922038217", "第18位应为“6”，实际为“7”"),
])
def test_uscc_rejections(raw: str, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.uscc(raw)


def test_uscc_check_char_of_real_codes() -> None:
    assert [v.uscc_check_char(c[:17]) for c in REAL_CODES] == [c[17] for c in REAL_CODES]


@pytest.mark.parametrize(("text", "name"), [
    ("城厢镇", "城厢镇"), ("城厢", "城厢镇"), (" 沙溪 ", "沙溪镇"), ("浏河镇", "浏河镇"), ("浮桥", "浮桥镇"),
    ("璜泾", "璜泾镇"), ("双凤镇", "双凤镇"), ("娄东", "娄东街道"), ("陆渡街道", "陆渡街道"),
    ("港区", "浮桥镇"), ("太仓港经济技术开发区", "浮桥镇"), ("高新区", "娄东街道"), ("新区", "娄东街道"),
    ("科教新城", "城厢镇"), ("天镜湖", "城厢镇"),
])
def test_township_names_short_names_and_aliases(settings: Settings, text: str, name: str) -> None:
    assert directory(settings).resolve(text) == name


@pytest.mark.parametrize("text", ["火星镇", "城", "太仓市", "", "浮桥镇镇"])
def test_unknown_township(settings: Settings, text: str) -> None:
    assert directory(settings).resolve(text) is None


def _reference_seats() -> list[tuple[str, float, float, float, float]]:
    with open(REFERENCE, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    return [(r["name"], float(r["lon_gcj02"]), float(r["lat_gcj02"]), float(r["lon_wgs84_approx"]),
             float(r["lat_wgs84_approx"])) for r in rows if r["lon_gcj02"] and r["lon_wgs84_approx"]]


SEATS = _reference_seats()


def test_reference_file_has_every_township_seat() -> None:
    assert len(SEATS) == 11


@pytest.mark.parametrize(("name", "glon", "glat", "wlon", "wlat"), SEATS, ids=[s[0] for s in SEATS])
def test_gcj02_seat_converts_to_reference_wgs84(name: str, glon: float, glat: float, wlon: float,
                                                 wlat: float) -> None:
    lon, lat = to_wgs84(glon, glat, "GCJ02")
    # The reference gives five decimals (about a metre).
    assert abs(lon - wlon) <= 6e-6 and abs(lat - wlat) <= 6e-6, (lon, lat)
    # The offset is the familiar few hundred metres, and the inverse is exact to far below our 1e-6 storage.
    assert 0.003 < abs(glon - lon) < 0.01
    back = wgs84_to_gcj02(lon, lat)
    assert abs(back[0] - glon) < 1e-9 and abs(back[1] - glat) < 1e-9


@pytest.mark.parametrize(("name", "glon", "glat", "wlon", "wlat"), SEATS, ids=[s[0] for s in SEATS])
def test_bd09_seat_converts_to_reference_wgs84(name: str, glon: float, glat: float, wlon: float,
                                                wlat: float) -> None:
    blon, blat = gcj02_to_bd09(glon, glat)
    assert 0.005 < blon - glon < 0.015  # Baidu's offset on top of GCJ-02
    lon, lat = to_wgs84(blon, blat, "BD09")
    assert abs(lon - wlon) <= 1e-5 and abs(lat - wlat) <= 1e-5, (lon, lat)


def test_wgs84_is_unchanged_and_unknown_system_refused() -> None:
    assert to_wgs84(121.1, 31.5, "WGS84") == (121.1, 31.5)
    assert gcj02_to_wgs84(*wgs84_to_gcj02(121.1, 31.5)) == pytest.approx((121.1, 31.5), abs=1e-9)
    with pytest.raises(ValueError):
        to_wgs84(121.1, 31.5, "CGCS2000")


@pytest.mark.parametrize(("raw", "expected"), [
    ("2019-07-01", dt.date(2019, 7, 1)),
    ("2019-7-1", dt.date(2019, 7, 1)),
    ("2019/07/01", dt.date(2019, 7, 1)),
    ("2019/7/1", dt.date(2019, 7, 1)),
    ("2019年7月1日", dt.date(2019, 7, 1)),
    ("2019年07月01日", dt.date(2019, 7, 1)),
    (" 2019-07-01 ", dt.date(2019, 7, 1)),
    ("2019-07-01 00:00:00", dt.date(2019, 7, 1)),  # what pandas/Excel exports write for a date
    (dt.date(2019, 7, 1), dt.date(2019, 7, 1)),  # a native Excel date cell
    (dt.datetime(2019, 7, 1), dt.date(2019, 7, 1)),  # openpyxl reads a date cell as a midnight datetime
    (43647, dt.date(2019, 7, 1)),  # an Excel date cell without date formatting: its serial number
    (43647.0, dt.date(2019, 7, 1)),
    ("2020-02-29", dt.date(2020, 2, 29)),
])
def test_date_styles(raw: object, expected: dt.date) -> None:
    assert v.date(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("2019-02-29", "日期不存在"), ("2019-04-31", "日期不存在"), ("2019年2月30日", "日期不存在"),
    ("2019/13/01", "日期不存在"), ("2019.07.01", "日期格式"), ("20190701", "日期格式"), ("7/1/2019", "日期格式"),
    ("2019-07", "日期格式"), (dt.datetime(2019, 7, 1, 9, 30), "不应包含时刻"), ("1900-01-01", "年份应在"),
    (5, "年份应在"), (0, "不是有效的Excel日期"), (-1.0, "不是有效的Excel日期"), (43647.5, "不应包含时刻"),
])
def test_date_rejections(raw: object, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.date(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2019-07", "2019-07"), ("2019-7", "2019-07"), (" 2019-12 ", "2019-12"),
    (dt.date(2019, 7, 1), "2019-07"), (dt.datetime(2019, 7, 1), "2019-07"),  # Excel turns 2019-07 into a date
])
def test_periods(raw: object, expected: str) -> None:
    assert v.period(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("2019-13", "月份不存在"), ("2019-0", "月份不存在"), ("2019/07", "月份格式"), ("201907", "月份格式"),
    ("2019年7月", "月份格式"), (dt.date(2019, 7, 15), "月份应为YYYY-MM"), ("1970-01", "年份应在"),
])
def test_period_rejections(raw: object, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.period(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("N", False), ("y", True), ("n", False),
    ("true", True), ("false", False), ("TRUE", True), ("False", False), ("1", True), ("0", False),
    (" 是 ", True), (True, True), (False, False), (1, True), (0, False), (1.0, True),
])
def test_boolean_forms(raw: object, expected: bool) -> None:
    assert v.boolean(raw) is expected


@pytest.mark.parametrize("raw", ["有", "无", "对", "2", "-1", "yes please", 2, 0.5])
def test_boolean_rejections(raw: object) -> None:
    with pytest.raises(v.Invalid, match="是/否"):
        v.boolean(raw)


@pytest.mark.parametrize(("raw", "places", "expected"), [
    ("0.1", 3, "0.100"), ("1.2000", 3, "1.200"), ("1,234.5", 3, "1234.500"), ("12,345,678", 3, "12345678.000"),
    ("-0", 3, "0.000"), ("  7 ", 3, "7.000"), ("1e3", 3, "1000.000"), (0.1, 3, "0.100"), (83.333, 3, "83.333"),
    (5, 2, "5.00"), ("0.01", 2, "0.01"),
])
def test_exact_decimals(raw: object, places: int, expected: str) -> None:
    value = v.decimal(raw, places)
    assert isinstance(value, Decimal) and str(value) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("0.0001", "小数位数过多（最多3位）"), (0.1234, "小数位数过多"), ("-0.001", "不能为负数"),
    ("NaN", "NaN"), ("nan", "NaN"), ("sNaN", "NaN"), ("inf", "无穷大"), ("-Infinity", "无穷大"),
    (float("nan"), "NaN"), (float("inf"), "无穷大"), ("1,23", "不是有效的数字"), ("１２3吨", "不是有效的数字"),
    ("", "不是有效的数字"), (True, "逻辑值"), ("1e12", "数值过大"),
])
def test_decimal_rejections(raw: object, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.decimal(raw, 3)


def test_decimal_column_limit() -> None:
    assert v.decimal("999999.99", 2, limit=Decimal(10) ** 6) == Decimal("999999.99")
    with pytest.raises(v.Invalid, match="数值过大"):
        v.decimal("1000000", 2, limit=Decimal(10) ** 6)


@pytest.mark.parametrize(("raw", "expected"), [("3", 3), ("3.0", 3), (3.0, 3), (" 12 ", 12), (0, 0)])
def test_integers(raw: object, expected: int) -> None:
    assert v.integer(raw, 0) == expected


@pytest.mark.parametrize(("raw", "reason"), [
    ("3.5", "应为整数"), (3.5, "应为整数"), ("三", "应为整数"), (True, "逻辑值"), ("-1", "不能为负数"),
    (str(2**31), "数值过大"),
])
def test_integer_rejections(raw: object, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.integer(raw, 0)


def test_text_is_trimmed_never_evaluated() -> None:
    assert v.text('  =HYPERLINK("http://evil.example","点我") ') == '=HYPERLINK("http://evil.example","点我")'
    assert v.text(2019.0) == "2019"
    with pytest.raises(v.Invalid, match="文本过长（21个字符，最多20个）"):
        v.text("X" * 21, 20)


@pytest.mark.parametrize(("raw", "expected"), [("28053010", "28053010"), (28053010, "28053010"),
                                               ("2846901100", "2846901100"), (2846901100.0, "2846901100")])
def test_hs_codes(raw: object, expected: str) -> None:
    assert v.hs_code(raw) == expected


@pytest.mark.parametrize(("raw", "choices", "aliases", "expected"), [
    ("OXIDE", ("OXIDE", "METAL"), None, "OXIDE"),
    ("oxide", ("OXIDE", "METAL"), None, "OXIDE"),
    (" gcj02 ", ("WGS84", "GCJ02"), {"GCJ-02": "GCJ02"}, "GCJ02"),
    ("gcj-02", ("WGS84", "GCJ02"), {"GCJ-02": "GCJ02"}, "GCJ02"),
    ("氧化物", ("OXIDE", "METAL"), {"氧化物": "OXIDE"}, "OXIDE"),
    ("冶炼分离", ("冶炼分离", "开采"), None, "冶炼分离"),
])
def test_enum_codes_names_and_case(raw: str, choices: tuple[str, ...], aliases: dict[str, str] | None,
                                   expected: str) -> None:
    assert v.choice(raw, choices, aliases) == expected


@pytest.mark.parametrize("raw", ["冶炼", "oxides", "GCJ", "WGS 84"])
def test_enum_rejections(raw: str) -> None:
    with pytest.raises(v.Invalid, match="不是允许的取值"):
        v.choice(raw, ("冶炼分离", "OXIDE", "GCJ02", "WGS84"))
