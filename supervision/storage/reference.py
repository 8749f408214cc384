"""Public national quota figures the product carries (data/quota_*.csv), with their sources.

They give context to the city's own figures ("全国冶炼分离总量控制指标"), nothing more:
no check uses them. Each figure is shown with the source column of its row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from supervision.core.config import PROJECT_ROOT

NATIONAL_FILE = PROJECT_ROOT / "data" / "quota_national_totals.csv"
GROUPS_FILE = PROJECT_ROOT / "data" / "quota_2019_by_group.csv"


@dataclass(frozen=True)
class NationalQuota:
    year: int
    smelting_t: Decimal | None
    mining_t: Decimal | None
    notes: str
    source: str


@dataclass(frozen=True)
class GroupQuota:
    year: int
    period: str
    group: str
    smelting_t: Decimal
    status: str  # the file's own note on how the figure was established (English)
    source: str

    @property
    def reliability(self) -> str:
        """The file's status note in Chinese: verified, derived from verified figures, or unverified."""
        text = self.status.lower()
        if text.startswith("unverified"):
            return "未经核实"
        if text.startswith("derived"):
            return "由公开数据推算"
        return "已核实"


def _number(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def national_quota(year: int, path: Path = NATIONAL_FILE) -> NationalQuota | None:
    """The national smelting-separation and mining totals of a year, when the file has them."""
    for row in _read(path):
        if int(row["year"]) == year:
            return NationalQuota(year, _number(row["smelting_separation_t_REO"]), _number(row["mining_total_t_REO"]),
                                 row.get("notes", ""), row.get("source", ""))
    return None


def group_quotas(year: int, path: Path = GROUPS_FILE) -> list[GroupQuota]:
    """The full-year smelting quota of each group (the file covers 2019 only)."""
    out: list[GroupQuota] = []
    for row in _read(path):
        if int(row["year"]) != year or row["period"] != "全年" or row["group_cn"] == "合计":
            continue
        value = _number(row["smelting_separation_t_REO"])
        if value is not None:
            out.append(GroupQuota(year, row["period"], row["group_cn"], value, row["status"], row["source"]))
    return out


def group_quota(year: int, group_name: str | None, path: Path = GROUPS_FILE) -> GroupQuota | None:
    """The national group quota whose name the enterprise's group name starts with (中铝 etc. in brackets)."""
    if not group_name:
        return None
    for quota in group_quotas(year, path):
        if quota.group.split("(")[0] == group_name.split("(")[0].split("（")[0]:
            return quota
    return None
