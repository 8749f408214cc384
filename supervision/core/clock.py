"""The display time zone: times are stored in UTC and shown in Taicang's local time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
