"""Shared by the as-of tests: the key figures as each output (pack, city report, `check`) states them."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import Engine

from supervision.cli import main as cli
from supervision.core.config import Settings
from supervision.core.principal import Principal, Role
from supervision.reporting import pack, report

YEAR = 2019
DATES = (dt.date(2019, 7, 31), dt.date(2019, 8, 13), dt.date(2019, 12, 31))
CITY_LEADER = Principal("t.leader", "领导", Role.LEADER)


def number(text: str) -> int:
    """The whole number a KPI states ("24条", "3家")."""
    found = re.match(r"\d+", text)
    assert found, text
    return int(found.group())


def pack_kpis(engine: Engine, settings: Settings, as_of: dt.date) -> dict[str, str]:
    """The pack's KPI slide, label → value."""
    content = pack.collect(engine, settings, CITY_LEADER, YEAR, as_of)
    slide = next(s for s in content.slides if s.title == "关键指标")
    return {k.label: k.value for k in slide.kpis}


def report_counts(engine: Engine, settings: Settings, as_of: dt.date) -> tuple[int, int, int, int]:
    """(findings, violations, warnings, blacklisted enterprises) as the city report's text states them."""
    built = report.collect(engine, settings, CITY_LEADER, YEAR, as_of)
    text = "\n".join(b.text for s in built.sections for b in s.blocks if isinstance(b, report.Paragraph))
    found = re.search(r"发现问题(\d+)条，其中违规(\d+)条、预警(\d+)条", text)
    listed = re.search(r"在黑名单期内的企业(\d+)家", text)
    assert found and listed, text
    return int(found[1]), int(found[2]), int(found[3]), int(listed[1])


def check_json(engine: Engine, as_of: dt.date, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    """`python -m supervision check --format json` on the database."""
    url = engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    code = cli.main(["check", "--year", str(YEAR), "--as-of", as_of.isoformat(), "--db", url, "--format", "json"])
    assert code == 0
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found
