"""The display time zone: times are stored in UTC and every time a user sees is shown in local time.

The zone is `[display] timezone` of config.toml (default Asia/Shanghai), never the server's own zone: a
server set to UTC must still print "最后更新 09:30" for a Taicang morning.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from supervision.core.config import load_settings


def local_tz() -> ZoneInfo:
    """The configured display time zone."""
    return ZoneInfo(load_settings().display.timezone)


def now_local() -> dt.datetime:
    """The current time in the display time zone (aware)."""
    return dt.datetime.now(local_tz())


def today_local() -> dt.date:
    """Today's date where the users are, whatever the server's zone."""
    return now_local().date()


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored time (UTC; a naive value from SQLite is taken as UTC) in the display time zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(local_tz())


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp with its UTC zone: SQLite returns them without one, and everything is written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)
