"""Reading one cell: every parser returns a clean value or raises Invalid with a reason in Chinese."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_INDEX = {c: i for i, c in enumerate(USCC_CHARSET)}

MAX_TEXT = 2000
MIN_YEAR, MAX_YEAR = 1980, 2100
_MAX_MAGNITUDE = Decimal("1e12")
# Every integer column is a 32-bit INTEGER: a larger count would fail the insert on PostgreSQL.
MAX_INT = 2**31 - 1

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
_MIDNIGHT = re.compile(r"^(.*\S)\s+0{1,2}:00(:00(\.0+)?)?$")
_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_INT = re.compile(r"^[+-]?\d+$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_TRUE = {"是", "y", "yes", "true", "1", "t"}
_FALSE = {"否", "n", "no", "false", "0", "f"}


class Invalid(ValueError):
    """A cell that cannot be accepted; the message is shown to the user."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value: Any, max_length: int = MAX_TEXT) -> str:
    if type(value) is str:  # the common case, first: most cells of a CSV file
        out = value.strip()
        if len(out) > max_length:
            raise Invalid(f"文本过长（{len(out)}个字符，最多{max_length}个）")
        return out
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()
    out = str(value).strip()
    if len(out) > max_length:
        raise Invalid(f"文本过长（{len(out)}个字符，最多{max_length}个）")
    return out


def uscc_check_char(code17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_USCC_INDEX[c] * w for c, w in zip(code17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc(value: Any) -> str:
    return _uscc(text(value, 64).upper())


# An invoice file cites the same few hundred codes again and again: check each once.
@functools.lru_cache(maxsize=1 << 16)
def _uscc(code: str) -> str:
    if len(code) != 18:
        raise Invalid(f"统一社会信用代码应为18位，实际{len(code)}位")
    bad = sorted({c for c in code if c not in _USCC_INDEX})
    if bad:
        raise Invalid(f"统一社会信用代码含非法字符“{''.join(bad)}”（不得使用I、O、S、V、Z等字母）")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise Invalid(f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”")
    return code


def _to_decimal(value: Any) -> Decimal:
    if type(value) is str:  # every cell of a CSV file
        return _text_to_decimal(value)
    if isinstance(value, bool):
        raise Invalid("应为数字，实际为逻辑值")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips: what the user typed in Excel.
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid("数值无效（NaN或无穷大）")
        return Decimal(repr(value))
    return _text_to_decimal(str(value))


def _text_to_decimal(text_value: str) -> Decimal:
    raw = text_value.strip().replace("\u3000", "")
    if "," in raw and _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise Invalid("不是有效的数字") from None
    if not number.is_finite():
        raise Invalid("数值无效（NaN或无穷大）")
    return number


_UNITS = {places: Decimal(1).scaleb(-places) for places in range(7)}


def decimal(value: Any, places: int, *, signed: bool = False, limit: Decimal = _MAX_MAGNITUDE) -> Decimal:
    """A decimal with at most `places` places whose magnitude is below `limit` (the column's precision)."""
    number = _to_decimal(value)
    if abs(number) >= min(limit, _MAX_MAGNITUDE):
        raise Invalid("数值过大")
    if number < 0 and not signed:
        raise Invalid("不能为负数")
    # Rounding to the allowed places changes the value exactly when a further digit is not
    # zero: 1.2345 has too many places, 1.2000 does not. (Exact: the magnitude is bounded.)
    result = number.quantize(_UNITS[places])
    if result != number:
        raise Invalid(f"小数位数过多（最多{places}位）")
    return result if result else result + 0  # + 0 folds -0 to 0


def coordinate(value: Any) -> Decimal:
    number = _to_decimal(value)
    if abs(number) > 180:
        raise Invalid("坐标超出范围")
    return number


def integer(value: Any, min_value: int | None = None, max_value: int | None = None) -> int:
    if isinstance(value, bool):
        raise Invalid("应为整数，实际为逻辑值")
    if isinstance(value, float):
        if not value.is_integer():
            raise Invalid("应为整数")
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raw = str(value).strip()
        if raw.endswith(".0"):
            raw = raw[:-2]
        if not _INT.match(raw):
            raise Invalid("应为整数")
        number = int(raw)
    if min_value is not None and number < min_value:
        raise Invalid(f"不能小于{min_value}" if min_value else "不能为负数")
    if max_value is not None and number > max_value:
        raise Invalid(f"不能大于{max_value}")
    if abs(number) > MAX_INT:
        raise Invalid(f"数值过大（不能大于{MAX_INT}）")
    return number


def year(value: Any) -> int:
    number = integer(value)
    if not MIN_YEAR <= number <= MAX_YEAR:
        raise Invalid(f"年度应为{MIN_YEAR}—{MAX_YEAR}之间的四位数")
    return number


def _checked_date(y: int, m: int, d: int) -> dt.date:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        raise Invalid(f"日期不存在（{y}年{m}月{d}日）") from None
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise Invalid(f"日期年份应在{MIN_YEAR}—{MAX_YEAR}之间")
    return day


def excel_serial_date(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:
        raise Invalid("不是有效的Excel日期")
    if serial != int(serial):
        # Like a datetime cell with a time: a date column must not silently lose the time of day.
        raise Invalid("日期不应包含时刻")
    day = _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    # Through the same year check as typed dates: a stray 5 in a date column is not 1900-01-04.
    return _checked_date(day.year, day.month, day.day)


def date(value: Any) -> dt.date:
    """YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日 or a native Excel date."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise Invalid("日期不应包含时刻")
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return _checked_date(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel cell holding a date without date formatting reads as its serial number.
        return excel_serial_date(float(value))
    return _date_text(str(value).strip())


# A file has a few hundred distinct dates in a million rows: parse each once.
@functools.lru_cache(maxsize=1 << 14)
def _date_text(raw: str) -> dt.date:
    midnight = _MIDNIGHT.match(raw)
    if midnight:
        raw = midnight.group(1)
    for pattern in _DATE_PATTERNS:
        found = pattern.match(raw)
        if found:
            return _checked_date(*(int(g) for g in found.groups()))
    raise Invalid("日期格式应为YYYY-MM-DD、YYYY/MM/DD或YYYY年M月D日")


def period(value: Any) -> str:
    """YYYY-MM; Excel turns a typed 2019-07 into the date 2019-07-01, which is accepted."""
    if isinstance(value, (dt.date, dt.datetime)):
        if value.day != 1:
            raise Invalid("月份应为YYYY-MM")
        return f"{_checked_date(value.year, value.month, 1):%Y-%m}"
    raw = str(value).strip()
    found = _PERIOD.match(raw)
    if not found:
        raise Invalid("月份格式应为YYYY-MM")
    y, m = int(found.group(1)), int(found.group(2))
    if not 1 <= m <= 12:
        raise Invalid(f"月份不存在（{m}月）")
    _checked_date(y, m, 1)
    return f"{y:04d}-{m:02d}"


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    raw = str(value).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise Invalid("应为 是/否、Y/N、true/false 或 1/0")


def choice(value: Any, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str:
    raw = text(value)
    if raw in choices:
        return raw
    if raw.upper() in choices:
        # Codes such as OXIDE or GCJ02 in lower case: nothing else they could mean.
        return raw.upper()
    if aliases:
        found = aliases.get(raw) or aliases.get(raw.upper())
        if found:
            return found
    raise Invalid(f"不是允许的取值，应为：{'、'.join(choices)}")


def hs_code(value: Any) -> str:
    raw = text(value, 20)
    if not (raw.isascii() and raw.isdigit() and len(raw) in (8, 10)):
        raise Invalid("商品编码应为8位或10位数字")
    return raw
