"""`findings list|sync` and the sync that follows a committed import (years touched, after the commit)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fixture_package import write_addition, write_package
from sqlalchemy import Engine, func, select
from test_cli_import import cli, url

from supervision.lifecycle.hooks import years_of_import, years_of_records
from supervision.storage.models import FindingRecord, ImportBatch


def _count(db: Engine, **where: object) -> int:
    stmt = select(func.count()).select_from(FindingRecord)
    for column, value in where.items():
        stmt = stmt.where(getattr(FindingRecord, column) == value)
    with db.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def test_an_import_records_the_findings_of_the_years_it_touched(db: Engine, tmp_path: Path) -> None:
    done = cli("import", str(write_package(tmp_path / "pkg")), "--db", url(db))
    assert done.returncode == 0, done.stderr
    assert "问题台账：2019年度新登记" in done.stdout
    found = _count(db, year=2019)
    assert found > 0

    listed = cli("findings", "list", "--year", "2019", "--db", url(db))
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == found and {r["state"] for r in rows} == {"待交办"}
    assert {"rule", "subject", "year", "township", "department", "deadline", "light"} <= set(rows[0]) | {"year"}
    town = rows[0]["township"]
    narrowed = json.loads(cli("findings", "list", "--year", "2019", "--township", town, "--status", "待交办",
                              "--db", url(db)).stdout)
    assert 0 < len(narrowed) <= len(rows) and all(town in (r["township"], r["assignee"]) for r in narrowed)
    as_csv = cli("findings", "list", "--year", "2019", "--format", "csv", "--db", url(db))
    assert as_csv.stdout.startswith("\ufeff编号,规则,规则名称,性质")

    again = cli("findings", "sync", "--year", "2019", "--db", url(db))
    assert again.returncode == 0, again.stderr
    assert "2019年度（截至2019-12-31）：" in again.stdout and "新登记0条" in again.stdout
    assert _count(db, year=2019) == found


def test_unknown_status_is_a_usage_error(db: Engine) -> None:
    done = cli("findings", "list", "--year", "2019", "--status", "已完成", "--db", url(db))
    assert done.returncode == 2
    assert "--status 应为待交办" in done.stderr


def test_years_touched_by_a_package_and_by_a_form(db: Engine, settings, tmp_path: Path) -> None:
    from supervision.ingest.importer import import_package

    report = import_package(write_package(tmp_path / "pkg"), db, settings, actor="测试")
    assert report.import_id is not None
    assert 2019 in years_of_import(db, report.import_id, ["invoices", "monthly_reports"])
    assert years_of_import(db, report.import_id, ["penalties"]) <= {2018, 2019}
    extra = import_package(write_addition(tmp_path / "add"), db, settings, actor="测试")
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 2
    # A new enterprise bears on every year with data (the package's 2018–2019), never on an empty year.
    assert years_of_import(db, extra.import_id or 0, ["enterprises"]) >= {2019}
    assert dt.date.today().year not in years_of_import(db, extra.import_id or 0, ["enterprises"])
    assert years_of_records(db, "self_checks", [{"year": "2019"}]) == {2019}
    assert years_of_records(db, "enterprises", [{"uscc": "x"}]) == {max(years_of_import(db, extra.import_id or 0,
                                                                                         ["enterprises"]))}
    assert years_of_records(db, "invoices", [{"issued_on": dt.date(2018, 3, 1)}, {"issued_on": "2020-01-02"}]) \
        == {2018, 2020}
