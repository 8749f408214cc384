"""The command line: the same import and checks the app uses, without a browser.

Exit codes (data-exchange spec, section 5): 0 written, 1 rejected (report on
standard error, nothing written), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from supervision.access.permissions import PermissionDenied
from supervision.cli.common import open_engine
from supervision.core.config import ConfigError, Settings, load_settings
from supervision.core.errors import AuthError, UsageError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.ingest.importer import import_package

    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"找不到数据包：{path}")
    engine = open_engine(args, settings)
    report = import_package(path, engine, settings, actor=args.actor, dry_run=args.dry_run)
    if not report.ok:
        print(report.summary(), file=sys.stderr)
        return EXIT_REJECTED
    print(report.summary())
    if report.written and report.import_id is not None:
        _sync_after_import(engine, settings, report.import_id, [k for k, t in report.tables.items()
                                                                if t.added or t.changed])
    return EXIT_OK


def _sync_after_import(engine: Engine, settings: Settings, import_id: int, tables: list[str]) -> None:
    """Record the findings of the years the committed import touched; a failure here leaves the import in place."""
    from supervision.lifecycle.hooks import sync_years, years_of_import

    try:
        results = sync_years(engine, settings, years_of_import(engine, import_id, tables))
    except Exception as exc:  # noqa: BLE001 - the import is committed; say so and how to catch up
        print(f"数据已导入，但问题台账同步失败（{type(exc).__name__}）：请运行 python -m supervision findings sync",
              file=sys.stderr)
        return
    for r in results:
        print(f"问题台账：{r.year}年度新登记{r.new}条，数据已不再触发{r.untriggered}条，需复核{r.review}条。")


def _as_of(text: str) -> dt.date:
    from supervision.core import values

    try:
        return values.date(text)
    except values.Invalid as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效：{exc}（应为YYYY-MM-DD）") from exc


def _year(text: str) -> int:
    from supervision.core import values

    try:
        return values.year(text)
    except values.Invalid as exc:
        raise argparse.ArgumentTypeError(f"年度“{text}”无效：{exc}") from exc


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.checks import findings_csv, findings_json, run_checks

    # Officers run the check on the day: D defaults to today, for a past year too. The directory
    # holds each enterprise's current status, EIA and latest audit (no history), so a year-end D
    # would mix today's directory with a past date; give --as-of for a reproducible run.
    as_of = args.as_of or dt.date.today()
    engine = open_engine(args, settings)
    findings = run_checks(engine, settings, args.year, as_of)
    out = findings_csv(findings) if args.format == "csv" else (findings_json(findings) + "\n").encode("utf-8")
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    violations = sum(1 for f in findings if f.severity == "违规")
    print(f"{args.year}年度检查（截至{as_of:%Y-%m-%d}）：违规{violations}条，预警{len(findings) - violations}条。",
          file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.demo import history
    from supervision.demo.build import DemoBuildError, build_demo_database, business_row_counts

    engine = open_engine(args, settings)
    held = any(business_row_counts(engine).values())
    try:
        message = build_demo_database(engine, settings, replace=args.replace, if_empty=args.if_empty,
                                      keep_package=Path(args.out) if args.out else None)
    except DemoBuildError as exc:
        print(f"演示数据包未通过导入校验（程序缺陷，请报告）：\n{exc}", file=sys.stderr)
        return EXIT_REJECTED
    print(message)
    if held and args.if_empty:
        return EXIT_OK
    if held:
        history.forget_ledger(engine)  # the replaced data's findings describe nothing now
    states = history.write_history(engine, settings)
    print("演示问题台账（2019年）：" + "，".join(f"{k}{v}条" for k, v in sorted(states.items())) + "。")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Build a meeting pack or a report as the command line's principal (all townships, or --township)."""
    from supervision.core.principal import SYSTEM
    from supervision.reporting import images, pack, report

    out = Path(args.out)
    suffix = out.suffix.lower()
    allowed = (".pptx", ".pdf") if args.what == "pack" else (".docx",)
    if suffix not in allowed:
        raise UsageError(f"--out 的扩展名应为{'或'.join(allowed)}（当前：{out.name}）")
    if not out.parent.is_dir():
        raise UsageError(f"输出文件夹不存在：{out.parent}")
    # A past year is read at its end, the current year today (as the pages do).
    today = dt.date.today()
    as_of = args.as_of or (dt.date(args.year, 12, 31) if args.year < today.year else today)
    engine = open_engine(args, settings)
    if args.what == "pack":
        ok, reason = images.export_available()
        if not ok:
            print(f"错误：{reason}", file=sys.stderr)
            return EXIT_REJECTED
        content = pack.collect(engine, settings, SYSTEM, args.year, as_of, args.township)
        data = pack.render(content, (suffix[1:],))[suffix[1:]]
    else:
        data = report.build_docx(report.collect(engine, settings, SYSTEM, args.year, as_of, args.township))
    out.write_bytes(data)
    print(f"已生成：{out}（{len(data) / 1024:.0f} KB，{args.year}年，截至{as_of:%Y-%m-%d}，"
          f"{args.township or '全市'}）")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    open_engine(args, settings)
    print("数据库结构已是最新。")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m supervision", description="稀土整顿监管平台 命令行")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace, Settings], int],
            help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="数据库URL（默认取 config.toml 或环境变量 DATABASE_URL）")
        p.set_defaults(handler=handler)
        return p

    p = add("import", cmd_import, "导入数据包（CSV文件夹、.zip或.xlsx），全部成功才写入")
    p.add_argument("path", help="数据包路径")
    p.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
    p.add_argument("--actor", default="命令行", help="记入审计日志的操作人")

    p = add("check", cmd_check, "按数据交换规范第4节核查某年度（R01–R19、W01），输出检查结果")
    p.add_argument("--year", type=_year, required=True, help="检查年度，如 2019")
    p.add_argument("--as-of", type=_as_of, help="检查截至日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--format", choices=("json", "csv"), default="json",
                   help="json（默认，供系统对接）或 csv（中文表头，UTF-8带BOM，可直接用Excel打开）")

    p = add("demo", cmd_demo, "生成演示数据包并导入（虚构企业）")
    p.add_argument("--replace", action="store_true", help="先清空现有业务数据再导入演示数据")
    p.add_argument("--if-empty", action="store_true", help="仅当数据库没有企业时才导入")
    p.add_argument("--out", help="同时把演示数据包保存到此文件夹")

    p = add("export", cmd_export, "导出会议材料（pack：.pptx或.pdf）或自查报告（report：.docx；不指定镇区为市汇总）")
    p.add_argument("what", choices=("pack", "report"), help="pack 会议材料，report 自查报告/市汇总")
    p.add_argument("--year", type=_year, required=True, help="年度，如 2019")
    p.add_argument("--as-of", type=_as_of, help="截至日期 YYYY-MM-DD（默认：往年取年末，当年取今天）")
    p.add_argument("--township", help="镇区全称，如 浮桥镇（默认全市）")
    p.add_argument("--out", required=True, help="输出文件：.pptx、.pdf（会议材料）或 .docx（报告）")

    add("migrate", cmd_migrate, "把数据库结构升级到最新版本")

    from supervision.cli.findings import register as register_findings
    from supervision.cli.users import register as register_users

    register_users(sub)
    register_findings(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        return int(args.handler(args, settings))
    except ConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except (AuthError, PermissionDenied) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_REJECTED
    except IntegrityError as exc:
        print(f"数据库拒绝了写入（违反约束，或与同时进行的另一次写入冲突），未作任何修改：{_first_line(exc)}",
              file=sys.stderr)
        return EXIT_REJECTED
    except OperationalError as exc:
        print(f"无法连接或操作数据库：{_first_line(exc)}", file=sys.stderr)
        return EXIT_REJECTED
    except SQLAlchemyError as exc:
        print(f"数据库错误：{type(exc).__name__}：{_first_line(exc)}", file=sys.stderr)
        return EXIT_REJECTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a message, never a traceback
        if os.environ.get("SUPERVISION_DEBUG"):
            traceback.print_exc()
        print(f"程序内部错误（{type(exc).__name__}：{_first_line(exc)}）。请将此信息与所用命令发给系统管理员；"
              "设置环境变量 SUPERVISION_DEBUG=1 可显示详细信息。", file=sys.stderr)
        return EXIT_REJECTED


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
