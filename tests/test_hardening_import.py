"""Issue 20: what an import refuses and records (10 refusals, 11 macro workbooks, 8 import audit, 3 zip limits)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from auth_support import OTHER, PRINCIPALS, SEEDED_TOWNS, THIRD, E, seed
from sqlalchemy import Engine

from supervision.core.config import Settings
from supervision.ingest.importer import import_package
from supervision.ingest.package import Upload

TOWN = PRINCIPALS["浮桥镇人员"]


@pytest.fixture
def world(db: Engine, settings: Settings, tmp_path: Path) -> dict[str, Any]:
    return seed(db, settings, tmp_path / "seed")


def test_write_refusal_does_not_name_the_owning_township(world: dict[str, Any], db: Engine,
                                                          settings: Settings) -> None:
    """A township officer learns only that a row is outside their scope, never whose it is (10)."""
    package = Upload("self_checks.csv", f"uscc,year\n{E[0]},2020\n{E[2]},2020\n{E[4]},2020\n".encode())
    report = import_package(package, db, settings, principal=TOWN, dry_run=True)
    refusals = [p.reason for p in report.problems]
    assert len(refusals) == 2 and all("不属于本镇区" in r for r in refusals)
    moved = Upload("enterprises.csv", (f"uscc,name,category,township,status\n"
                                       f"{E[3]},改名有限公司,冶炼分离,浮桥镇,在产\n").encode())
    refusals += [p.reason for p in import_package(moved, db, settings, principal=TOWN, dry_run=True).problems]
    assert len(refusals) == 3
    for reason in refusals:
        assert not any(town in reason for town in SEEDED_TOWNS - {"浮桥镇"}), reason
    assert OTHER not in str(report.summary()) and THIRD not in str(report.summary())
