"""`make bench`: the province-scale benchmark on SQLite and PostgreSQL, as a table.

    .venv/bin/python bench/run.py [--scale 1,4] [--databases sqlite,postgresql] [--repeat 3] [--warm 20]
        [--year 2019] [--pg-server postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--no-years-probe]
        [--readme]

1. bench/generate.py writes the package (at scale 1: 500 enterprises, 100 townships, 10 years,
   2,000,000 invoices, 200,000 customs rows; at 4: four times each) and its fictional jurisdiction
   under bench/.work/, once per scale.
2. For each scale in --scale (default 1 and 4) and each database, a fresh one (a SQLite file, or a
   database bench_<pid> created on --pg-server and dropped afterwards):
   - import: `python -m supervision import` in a child process; rows/s over the wall time of the whole
     command (start-up included) and the child's peak RSS;
   - check: `python -m supervision check --year Y --as-of Y-12-31`, wall time and peak RSS;
   - pages: bench/page_timing.py in a child process (every page cold and warm, p95 of the warm runs, the
     SQL time and statements, an empty page as the baseline) and its peak RSS.
3. The years probe (SQLite, at the first scale): the same density over 2 years instead of 10, imported and timed the
   same way, so "a page's cost does not grow with years it does not show" is a measured ratio; each
   side's cold runs (--repeat, 3 by default) are listed as min / median / max, so a ratio can be judged
   on a noisy machine. (tests/test_query_cost.py checks the same claim by counting, not timing.)

The table goes to stdout and bench/results/latest.md (and .json); with --readme it also replaces
the block between the bench markers in README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import Size, generate  # noqa: E402

WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
PAGES = ("empty", "overview", "map", "quota", "flows", "progress", "scoring", "enterprise", "findings")
PAGE_NAMES = {"empty": "空白页（基线）", "overview": "总览", "map": "镇区地图", "quota": "配额执行",
              "flows": "物料流向", "progress": "工作进度", "scoring": "督查评分", "enterprise": "企业档案",
              "findings": "问题线索"}
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Child:
    seconds: float
    peak_mb: float
    returncode: int
    output: str


@dataclass
class DatabaseResult:
    name: str
    scale: float
    rows: int
    import_s: float
    import_peak_mb: float
    check_s: float
    check_peak_mb: float
    check_summary: str
    pages: dict[str, dict[str, Any]]
    pages_peak_mb: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.import_s


def run_child(args: list[str], env: dict[str, str]) -> Child:
    """Run a command, wait for it with wait4 to read its own peak RSS, and keep its output."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Child(seconds, usage.ru_maxrss / 1024, process.returncode, text)  # Linux: ru_maxrss in KiB


def prepare(size: Size, seed: int) -> tuple[Path, dict[str, int]]:
    """The generated package for `size` (reused when already there)."""
    folder = WORK / f"e{size.enterprises}-t{size.townships}-y{size.years}-i{size.invoices}-c{size.customs}-s{seed}"
    manifest = folder / "rows.json"
    if not manifest.exists():
        started = time.perf_counter()
        counts = generate(folder, size, seed)
        manifest.write_text(json.dumps(counts))
        print(f"generated {sum(counts.values()):,} rows in {time.perf_counter() - started:.0f} s: {folder}",
              flush=True)
    return folder, json.loads(manifest.read_text())


@contextmanager
def database(kind: str, folder: Path, pg_server: str) -> Iterator[str]:
    """A fresh, empty database of `kind`; removed afterwards."""
    if kind == "sqlite":
        path = folder / f"bench-{os.getpid()}.db"
        for stale in folder.glob(path.name + "*"):
            stale.unlink()
        try:
            yield f"sqlite:///{path}"
        finally:
            for done in folder.glob(path.name + "*"):
                done.unlink()
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(pg_server)
    name = f"bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # generated name, not user input
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def first_uscc(folder: Path) -> str:
    with open(folder / "package" / "企业名录.csv", encoding="utf-8-sig") as fh:
        fh.readline()
        return fh.readline().split(",", 1)[0]


def measure(kind: str, scale: float, folder: Path, rows: int, args: argparse.Namespace,
            label: str | None = None) -> DatabaseResult:
    label = label or f"{kind}-{scale:g}x"
    env = {"SUPERVISION_CONFIG": str(folder / "config.toml"), "DATABASE_URL": ""}
    python = sys.executable
    with database(kind, folder, args.pg_server) as url:
        print(f"[{label}] import {rows:,} rows …", flush=True)
        imported = run_child([python, "-m", "supervision", "import", str(folder / "package"), "--db", url], env)
        if imported.returncode != 0:
            raise RuntimeError(f"import failed:\n{imported.output[-3000:]}")
        print(f"[{label}] import {imported.seconds:.1f} s, {rows / imported.seconds:,.0f} rows/s, "
              f"peak {imported.peak_mb:.0f} MB", flush=True)
        as_of = f"{args.year}-12-31"
        checked = run_child([python, "-m", "supervision", "check", "--year", str(args.year), "--as-of", as_of,
                             "--db", url, "--format", "csv"], env)
        if checked.returncode != 0:
            raise RuntimeError(f"check failed:\n{checked.output[-3000:]}")
        summary = next((line for line in checked.output.splitlines() if "年度检查" in line), "")
        print(f"[{label}] check {checked.seconds:.2f} s, peak {checked.peak_mb:.0f} MB: {summary}", flush=True)
        json_path = RESULTS / f"pages-{label}.json"
        timed = run_child([python, "bench/page_timing.py", "--db", url, "--repeat", str(args.repeat), "--warm",
                           str(args.warm), "--year", str(args.year), "--as-of", as_of, "--uscc", first_uscc(folder),
                           "--json", str(json_path)], env)
        if timed.returncode != 0:
            raise RuntimeError(f"page timing failed:\n{timed.output[-3000:]}")
        pages = json.loads(json_path.read_text())["pages"]
        print(f"[{label}] pages timed, peak {timed.peak_mb:.0f} MB", flush=True)
    return DatabaseResult(kind, scale, rows, imported.seconds, imported.peak_mb, checked.seconds, checked.peak_mb,
                          summary, pages, timed.peak_mb)


def _s(x: float) -> str:
    return f"{x:.3f}"


def _spread(page: dict[str, Any]) -> str:
    """A page's cold run times as min / median / max."""
    return f"{_s(page.get('cold_min_s', page['cold_s']))} / {_s(page['cold_s'])} / {_s(page['cold_max_s'])}"


def table(results: list[DatabaseResult], sizes: dict[float, tuple[Size, int]], probe: dict[str, Any] | None,
          started: dt.datetime) -> str:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = "| | " + " | ".join(f"{names.get(r.name, r.name)} {r.scale:g}×" for r in results) + " | 目标 |"
    lines = [head, "|---|" + "---:|" * len(results) + "---|"]

    def row(label: str, cells: list[str], target: str) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row("导入（行/秒，含进程启动）", [f"{r.rows_per_s:,.0f}" for r in results], "≥ 20,000")
    row("导入用时（秒）", [f"{r.import_s:.1f}" for r in results], "")
    row("导入进程峰值内存（MB）", [f"{r.import_peak_mb:.0f}" for r in results], "≤ 600")
    row("`check` 一年（秒，含进程启动）", [f"{r.check_s:.2f}" for r in results], "≤ 5")
    row("`check` 进程峰值内存（MB）", [f"{r.check_peak_mb:.0f}" for r in results], "≤ 600")
    for page in PAGES:
        cells = []
        for r in results:
            p = r.pages[page]
            cells.append(f"{_s(p['cold_s'])} / {_s(p['warm_s'])} / {_s(p['warm_p95_s'])}")
        row(f"{PAGE_NAMES[page]}：冷 / 热中位 / 热p95（秒）", cells, "冷 ≤ 2，热 ≤ 0.5" if page != "empty" else "基线")
    for page in PAGES[1:]:
        row(f"{PAGE_NAMES[page]}：冷启动SQL语句数 / 用时（秒）",
            [f"{r.pages[page].get('cold_statements', '–')} / {_s(r.pages[page]['cold_sql_s'])}" for r in results],
            "不随数据量增长")
    for page in PAGES[1:]:
        cells = []
        for r in results:
            p, empty = r.pages[page], r.pages["empty"]
            cells.append(f"{p['warm_s'] / (empty['warm_s'] + p['warm_sql_s']):.2f}×")
        row(f"{PAGE_NAMES[page]}：热 ÷（空白页 + 本页SQL）", cells, "≤ 1.5×")
    row("页面计时进程峰值内存（MB）", [f"{r.pages_peak_mb:.0f}" for r in results], "≤ 600")
    out = "\n".join(lines)
    out += "\n\n数据（bench/generate.py，检查与页面取一个年度）：" + "；".join(
        f"{scale:g}× {rows:,}行（{size.enterprises}家企业、{size.townships}个镇区、{size.years}年月报，"
        f"发票约{size.invoices:,}行、报关单约{size.customs:,}行）" for scale, (size, rows) in sizes.items()) + "。"
    if probe is not None:
        out += (f"\n\n年份探针（SQLite {probe['scale']:g}×，同样的每年数据量，只有2年）："
                "页面冷启动用时 10年库 ÷ 2年库 = "
                + "，".join(f"{PAGE_NAMES[p]} {v:.2f}" for p, v in probe["cold_ratio"].items())
                + f"；导入 {probe['rows']:,} 行。每个冷启动用时是 `--repeat` 次的中位数，"
                "下面给出每次的最小/中位/最大（秒），在负载不稳的机器上可据此判断比值是否可信：\n\n"
                "| 页面 | 10年库 最小/中位/最大 | 2年库 最小/中位/最大 | 冷启动SQL语句数 10年 / 2年 |\n"
                "|---|---:|---:|---:|\n"
                + "\n".join(f"| {PAGE_NAMES[p]} | {_spread(probe['pages_10y'][p])} | {_spread(probe['pages_2y'][p])} "
                            f"| {probe['pages_10y'][p].get('cold_statements', '–')} / "
                            f"{probe['pages_2y'][p].get('cold_statements', '–')} |"
                            for p in PAGES[1:]))
    cpu = _cpu_model()
    out += (f"\n\n机器：{os.cpu_count()}核 {cpu}，{_mem_gb():.0f} GB内存，{platform.system()} {platform.release()}，"
            f"Python {platform.python_version()}；开始于{started:%Y-%m-%d %H:%M}，结束于{dt.datetime.now():%H:%M}，"
            f"结束时负载 {os.getloadavg()[0]:.2f}。命令：`make bench`。")
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _mem_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def update_readme(text: str) -> None:
    readme = ROOT / "README.md"
    body = readme.read_text(encoding="utf-8")
    if MARK_START not in body or MARK_END not in body:
        raise SystemExit(f"README.md has no {MARK_START} … {MARK_END} block")
    head, rest = body.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    updated = f"{head}{MARK_START}\n{text}\n{MARK_END}{tail}"
    readme.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1,4", help="comma-separated scales (default 1,4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-server", default=os.environ.get(
        "BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per page")
    parser.add_argument("--warm", type=int, default=20, help="warm runs per page")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--no-years-probe", action="store_true")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    started = dt.datetime.now()
    RESULTS.mkdir(parents=True, exist_ok=True)
    scales = [float(x) for x in args.scale.split(",")]
    results: list[DatabaseResult] = []
    sizes: dict[float, tuple[Size, int]] = {}
    probe = None
    for scale in scales:
        size = Size() if scale == 1.0 else Size().scaled(scale)
        folder, counts = prepare(size, args.seed)
        rows = sum(counts.values())
        sizes[scale] = (size, rows)
        results += [measure(kind, scale, folder, rows, args) for kind in args.databases.split(",")]
        ten = next((r for r in results if r.name == "sqlite" and r.scale == scale), None)
        if probe is None and ten is not None and not args.no_years_probe:
            small = Size(size.enterprises, size.townships, 2, size.last_year, size.invoices // 5, size.customs // 5)
            small_folder, small_counts = prepare(small, args.seed)
            short = measure("sqlite", scale, small_folder, sum(small_counts.values()), args,
                            label=f"sqlite-{scale:g}x-2y")
            probe = {"scale": scale, "rows": short.rows,
                     "cold_ratio": {p: ten.pages[p]["cold_s"] / short.pages[p]["cold_s"] for p in PAGES[1:]},
                     "pages_2y": short.pages, "pages_10y": ten.pages}
        # Partial results survive a later scale's failure (a 4x run takes most of an hour).
        write(table(results, sizes, probe, started), sizes, results, probe, readme=False)
    text = table(results, sizes, probe, started)
    print("\n" + text)
    write(text, sizes, results, probe, readme=args.readme)
    return 0


def write(text: str, sizes: dict[float, tuple[Size, int]], results: list[DatabaseResult],
          probe: dict[str, Any] | None, readme: bool) -> None:
    (RESULTS / "latest.md").write_text(text + "\n", encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps(
        {"sizes": {f"{k:g}": asdict(v[0]) for k, v in sizes.items()}, "results": [asdict(r) for r in results],
         "years_probe": probe}, ensure_ascii=False, indent=1))
    if readme:
        update_readme(text)


if __name__ == "__main__":
    sys.exit(main())
