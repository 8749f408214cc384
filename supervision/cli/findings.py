"""`findings list` and `findings sync`: the finding lifecycle's ledger from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from supervision.cli.common import open_engine
from supervision.core.config import Settings
from supervision.core.errors import UsageError
from supervision.core.keys import jsonable

LIST_HEADERS = {
    "id": "编号", "rule": "规则", "rule_name": "规则名称", "severity": "性质", "subject": "对象",
    "enterprise_name": "企业",
    "township": "镇区", "state": "状态", "triggered": "仍触发", "department": "负责部门", "assignee": "整改责任单位",
    "deadline": "整改期限", "light": "期限提示", "assigned_on": "交办日期", "reported_on": "报送日期",
    "closed_on": "销号日期", "measures": "整改措施", "reason": "理由", "case_no": "处罚案件", "tipoff_id": "举报线索",
    "first_seen": "发现日期", "version": "版本", "message": "问题描述",
}


def _year_arg(text: str) -> int:
    from supervision.core import values

    try:
        return values.year(text)
    except values.Invalid as exc:
        raise argparse.ArgumentTypeError(f"年度“{text}”无效：{exc}") from exc


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.core.principal import SYSTEM
    from supervision.core.safety import csv_bytes
    from supervision.lifecycle import queries
    from supervision.lifecycle import states as s
    from supervision.lifecycle.machine import local_today

    allowed = (*s.STATES, s.NO_LONGER_TRIGGERED)
    if args.status and args.status not in allowed:
        raise UsageError(f"--status 应为{'、'.join(allowed)}之一（当前：{args.status}）")
    engine = open_engine(args, settings)
    today = local_today()
    frame = queries.ledger(engine, settings, SYSTEM, args.year, today, state=args.status, township=args.township)
    frame["light"] = frame["light"].map(lambda v: s.LIGHT_LABELS.get(v, ""))
    if args.format == "csv":
        frame["triggered"] = frame["triggered"].map({True: "是", False: "否"})
        sys.stdout.buffer.write(csv_bytes(frame.rename(columns=LIST_HEADERS)))
    else:
        records: list[dict[str, Any]] = [{k: jsonable(v) for k, v in r.items()}
                                         for r in frame.astype(object).where(frame.notna(), None).to_dict("records")]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.flush()
    print(f"{args.year}年度问题台账：{len(frame)}条"
          + (f"（状态：{args.status}）" if args.status else "") + (f"（{args.township}）" if args.township else "")
          + "。", file=sys.stderr)
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.core.principal import SYSTEM
    from supervision.lifecycle.hooks import as_of_for, finding_years, sync_years
    from supervision.lifecycle.machine import local_today
    from supervision.read.queries import data_years

    engine = open_engine(args, settings)
    today = local_today()
    years = [args.year] if args.year else sorted(set(data_years(engine, SYSTEM)) | finding_years(engine))
    if not years:
        print("数据库中没有业务数据，无需同步。", file=sys.stderr)
        return 0
    for result in sync_years(engine, settings, years, today):
        print(f"{result.year}年度（截至{result.as_of:%Y-%m-%d}）：检查发现{result.produced}条，新登记{result.new}条，"
              f"数据已不再触发{result.untriggered}条，再次触发{result.retriggered}条，需复核{result.review}条。")
    skipped = [y for y in years if y > today.year]
    if skipped:
        print(f"未同步未来年度：{'、'.join(map(str, skipped))}（截至日期{as_of_for(today.year, today):%Y-%m-%d}）",
              file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    """Add `findings list|sync` to the command line."""
    findings = sub.add_parser("findings", help="问题台账（问题闭环）：列出、同步",
                              description="问题台账（问题闭环）：列出、同步")
    actions = findings.add_subparsers(dest="findings_command", required=True)

    def add(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="数据库URL（默认取 config.toml 或环境变量 DATABASE_URL）")
        p.set_defaults(handler=handler)
        return p

    p = add("list", cmd_list, "列出某年度的问题及其办理状态")
    p.add_argument("--year", type=_year_arg, required=True, help="年度，如 2019")
    p.add_argument("--status", help="只列出此状态：待交办、已交办、整改中、待核查、申请核销、需复核、已销号、"
                                    "不予认定，或“数据已不再触发”")
    p.add_argument("--township", help="只列出此镇区的问题（镇区全称）")
    p.add_argument("--format", choices=("json", "csv"), default="json",
                   help="json（默认）或 csv（中文表头，UTF-8带BOM）")

    p = add("sync", cmd_sync, "按检查规则登记新发现的问题，标记数据已不再触发或需复核的问题")
    p.add_argument("--year", type=_year_arg, help="只同步此年度（默认：有数据的所有年度）")

