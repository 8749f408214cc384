"""Time the data-entry paths on a synthetic upload: preview (dry run + rows to add), confirm, templates, one form.

    python bench/entry_timing.py --rows 100000 --format csv
    python bench/entry_timing.py --rows 100000 --format xlsx --db postgresql+psycopg://postgres@127.0.0.1:5432/entry_bench

The upload is one table of monthly reports (12 months per enterprise, half of them already in the
database so the preview has changes as well as additions). A fresh SQLite file is used unless --db
is given; a database that already holds enterprises is refused unless --reset is given.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, delete, func, select  # noqa: E402
from sqlalchemy import text as sql  # noqa: E402

from supervision.core.config import load_settings  # noqa: E402
from supervision.core.principal import Principal, Role  # noqa: E402
from supervision.core.values import USCC_CHARSET, uscc_check_char  # noqa: E402
from supervision.entry import forms  # noqa: E402
from supervision.ingest import preview as pv  # noqa: E402
from supervision.ingest import word_forms, workbook_templates  # noqa: E402
from supervision.ingest.importer import import_package  # noqa: E402
from supervision.ingest.package import Upload  # noqa: E402
from supervision.storage.db import open_database  # noqa: E402
from supervision.storage.models import DATA_MODELS, AuditEntry, Enterprise, ImportBatch  # noqa: E402

OFFICER = Principal("bench", "基准测试", Role.BUREAU, department="工信局")


def code(n: int) -> str:
    body = "91320585" + "".join(USCC_CHARSET[(n // 31**i) % 31] for i in range(9))
    return body + uscc_check_char(body)


def monthly_csv(enterprises: int, start: int, value: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["uscc", "period", "production_t", "sales_t", "submitted_on"])
    for n in range(start, start + enterprises):
        for month in range(1, 13):
            writer.writerow([code(n), f"2019-{month:02d}", value, "1.5", f"2019-{month:02d}-05"])
    return out.getvalue()


def to_xlsx(text: str) -> bytes:
    """A workbook as Excel writes it (with its <dimension>), numbers as numbers."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("企业月报")
    for r, row in enumerate(csv.reader(io.StringIO(text))):
        for c, value in enumerate(row):
            if r and c in (2, 3):  # production_t, sales_t
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the upload (a multiple of 12)")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--db")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/entry_bench.db"
    engine: Engine = open_database(url, settings)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Enterprise)).scalar_one():
            if not args.reset:
                sys.exit("the database holds enterprises; pass --reset to empty it")
            if conn.dialect.name == "postgresql":  # the audit log is append-only (migration 0005)
                conn.execute(sql("SET LOCAL supervision.audit_maintenance = 'on'"))
            conn.execute(delete(AuditEntry))
            for model in reversed(list(DATA_MODELS.values())):
                conn.execute(delete(model))
            conn.execute(delete(ImportBatch))
    enterprises = args.rows // 12
    directory = io.StringIO()
    writer = csv.writer(directory)
    writer.writerow(["uscc", "name", "category", "township"])
    for n in range(enterprises):
        writer.writerow([code(n), f"基准企业{n}", "冶炼分离", "浮桥镇"])
    assert import_package(Upload("enterprises.csv", directory.getvalue().encode()), engine, settings).written
    # Half the enterprises already reported the year: their rows become changes, the rest additions.
    half = monthly_csv(enterprises // 2, 0, "1")
    assert import_package(Upload("monthly_reports.csv", half.encode()), engine, settings).written
    text = monthly_csv(enterprises, 0, "2")
    data = text.encode() if args.format == "csv" else to_xlsx(text)
    name = f"monthly_reports.{args.format}"
    print(f"upload: {enterprises * 12:,} rows, {len(data) / 2**20:.1f} MB {args.format}, "
          f"database {engine.dialect.name}")

    start = time.perf_counter()
    estimates = pv.estimate_rows(data, name)
    print(f"row estimate for the progress bar: {seconds(start)} ({estimates})")
    start = time.perf_counter()
    calls: list[int] = []
    preview = pv.build_preview(data, name, engine, settings, OFFICER, progress=lambda t, n: calls.append(n))
    print(f"preview (dry run + rows to add): {seconds(start)}; plan {preview.plan}, {len(calls)} progress calls")
    start = time.perf_counter()
    report = import_package(Upload(name, data), engine, settings, actor="基准测试", principal=OFFICER)
    print(f"confirm (import): {seconds(start)}; added {report.added:,}, changed {report.changed:,}")

    start = time.perf_counter()
    workbook = workbook_templates.package_template(list(DATA_MODELS), settings)
    print(f"package template (15 tables): {seconds(start)}, {len(workbook) / 1024:.0f} KB")
    start = time.perf_counter()
    word_forms.self_check_form(settings, year=2019)
    word_forms.township_report_form(settings, year=2019, township="浮桥镇")
    print(f"two printable forms: {seconds(start)}")
    start = time.perf_counter()
    runs = 20
    for i in range(runs):
        checked = forms.validate(engine, settings, OFFICER, "self_checks",
                                 [{"uscc": code(i), "year": 2019, "submitted_on": dt.date(2019, 7, 20),
                                   "problems_found": "2", "problems_rectified": "1"}])
        assert checked.ok
    print(f"form check (parse + importer dry run), mean of {runs}: "
          f"{(time.perf_counter() - start) / runs * 1000:.0f} ms with {enterprises:,} enterprises in the database")


if __name__ == "__main__":
    main()
