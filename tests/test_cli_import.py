"""`python -m supervision import`: exit codes 0/1/2, the report on stderr when rejected, --dry-run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from import_kit import SAMPLES, csv_package, sample, snapshot
from sqlalchemy import Engine, select

from supervision.core.config import PROJECT_ROOT
from supervision.storage.models import ImportBatch


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SUPERVISION_CONFIG")}
    return subprocess.run([sys.executable, "-m", "supervision", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _package(folder: Path, **invoice: str) -> Path:
    return csv_package(folder, {"enterprises": [SAMPLES["enterprises"]],
                                "invoices": [SAMPLES["invoices"], sample("invoices", invoice_no="INV-2", **invoice)]})


def test_exit_0_when_written_and_again_when_unchanged(db: Engine, tmp_path: Path) -> None:
    package = _package(tmp_path / "pkg")

    done = cli("import", str(package), "--db", url(db), "--actor", "海关 张三")

    assert done.returncode == 0, done.stderr
    assert "数据包“pkg”已导入：新增3行，更新0行。" in done.stdout
    assert done.stderr == ""
    written = snapshot(db)
    assert (written["enterprises"], written["invoices"], written["data_version"]) == (1, 2, 1)
    with db.connect() as conn:
        assert conn.execute(select(ImportBatch.actor)).scalars().all() == ["海关 张三"]

    again = cli("import", str(package), "--db", url(db))

    assert again.returncode == 0, again.stderr
    assert "无变化" in again.stdout
    assert snapshot(db) == written


def test_exit_1_with_the_report_on_stderr_and_nothing_written(db: Engine, tmp_path: Path) -> None:
    before = snapshot(db)
    package = _package(tmp_path / "pkg", reo_t="1.2345", issued_on="2019-02-29")

    done = cli("import", str(package), "--db", url(db))

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == "数据包“pkg”被拒绝：发现2处错误，数据库未作任何修改。"
    assert lines[1:] == [
        "［invoices.csv］ 第3行 列“issued_on” 值“2019-02-29”：日期不存在（2019年2月29日）",
        "［invoices.csv］ 第3行 列“reo_t” 值“1.2345”：小数位数过多（最多3位）",
    ]
    assert "Traceback" not in done.stderr
    assert snapshot(db) == before


def test_exit_1_for_an_unreadable_package(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "损坏.xlsx"
    path.write_bytes(b"not a workbook")

    done = cli("import", str(path), "--db", url(db))

    assert done.returncode == 1
    assert "［损坏.xlsx］：无法打开工作簿" in done.stderr
    assert "Traceback" not in done.stderr


def test_dry_run_writes_nothing(db: Engine, tmp_path: Path) -> None:
    before = snapshot(db)

    done = cli("import", str(_package(tmp_path / "pkg")), "--db", url(db), "--dry-run")

    assert done.returncode == 0, done.stderr
    assert "数据包“pkg”预览：新增3行，更新0行。" in done.stdout
    assert snapshot(db) == before


def test_exit_2_on_usage_errors(db: Engine, tmp_path: Path) -> None:
    missing = cli("import", str(tmp_path / "nowhere.zip"), "--db", url(db))
    assert missing.returncode == 2
    assert "找不到数据包" in missing.stderr and "usage:" in missing.stderr

    no_path = cli("import", "--db", url(db))
    assert no_path.returncode == 2
    assert "usage:" in no_path.stderr

    unknown = cli("import", str(tmp_path), "--db", url(db), "--force")
    assert unknown.returncode == 2
    assert "--force" in unknown.stderr
    assert snapshot(db)["import_batches"] == 0
