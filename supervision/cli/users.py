"""`python -m supervision users …`: accounts and wall-screen links from the server's command line.

The first administrator is created here. Passwords are read without echo (or
from standard input with --password-stdin), or generated and printed once.
Every change is in the audit log, with the operating-system user as the actor.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from supervision.core.config import Settings
from supervision.core.principal import Principal, Role

ROLE_NAMES = {r.value: r for r in (Role.LEADER, Role.BUREAU, Role.TOWNSHIP, Role.ADMIN)}
# Also accepted on the command line, for terminals without Chinese input.
ROLE_ALIASES = {"leader": Role.LEADER, "bureau": Role.BUREAU, "township": Role.TOWNSHIP, "admin": Role.ADMIN}


def _role(text: str) -> Role:
    found = ROLE_NAMES.get(text) or ROLE_ALIASES.get(text.lower())
    if found is None:
        choices = "、".join([*ROLE_NAMES, *ROLE_ALIASES])
        raise argparse.ArgumentTypeError(f"未知角色“{text}”，应为：{choices}")
    return found


def _engine(args: argparse.Namespace, settings: Settings) -> Any:
    from supervision.cli.common import open_engine

    return open_engine(args, settings)


def _operator() -> Principal:
    """The command line acts as SYSTEM; the log also names who ran it."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "unknown"
    return Principal("system", f"命令行：{who}", Role.ADMIN)


def _password(args: argparse.Namespace, settings: Settings, username: str) -> tuple[str, bool]:
    """The new password and whether it was generated (and must therefore be printed)."""
    from supervision.access.passwords import generate_password, password_problems
    from supervision.core.errors import UsageError

    if args.generate:
        return generate_password(settings.security, username.strip().lower()), True
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            raise UsageError("两次输入的密码不一致")
    else:
        raise UsageError("非交互方式请使用 --password-stdin（从标准输入读一行）或 --generate")
    problems = password_problems(password, username, settings.security)
    if problems:
        raise UsageError("；".join(problems))
    return password, False


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import create_user

    engine = _engine(args, settings)
    password: str | None = None
    generated = False
    if not (args.sso and args.no_password):
        password, generated = _password(args, settings, args.username)
    create_user(engine, _operator(), settings.security, username=args.username,
                display_name=args.name or args.username, role=args.role, password=password,
                township=args.township, department=args.department, sso_subject=args.sso,
                must_change_password=generated or args.must_change)
    print(f"已创建账号 {args.username.strip().lower()}（{args.role.value}）。")
    if generated:
        print(f"初始密码（只显示这一次，首次登录后须修改）：{password}")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import list_users

    frame = list_users(_engine(args, settings), _operator())
    if frame.empty:
        print("尚无账号。创建第一个管理员：python -m supervision users add 用户名 --role 管理员 --name 姓名")
        return 0
    print(frame.to_string(index=False))
    return 0


def cmd_set_role(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import update_user

    update_user(_engine(args, settings), _operator(), settings.security, args.username, role=args.role,
                township=args.township, department=args.department)
    print(f"已将 {args.username} 的角色设为{args.role.value}；该账号须重新登录。")
    return 0


def cmd_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import set_password

    password, generated = _password(args, settings, args.username)
    set_password(_engine(args, settings), _operator(), settings.security, args.username, password,
                 must_change=not args.keep)
    print(f"已重置 {args.username} 的密码并解除锁定。")
    if generated:
        print(f"新密码（只显示这一次）：{password}")
    return 0


def cmd_disable(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import update_user

    update_user(_engine(args, settings), _operator(), settings.security, args.username, disabled=True)
    print(f"已停用 {args.username}；其已打开的会话随即失效。")
    return 0


def cmd_enable(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import update_user

    update_user(_engine(args, settings), _operator(), settings.security, args.username, disabled=False)
    print(f"已启用 {args.username}。")
    return 0


def cmd_unlock(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import unlock

    unlock(_engine(args, settings), _operator(), args.username)
    print(f"已解除 {args.username} 的登录锁定。")
    return 0


def screen_link(token: str, year: int | None = None) -> str:
    """The wall link of a token; with the configured default year in it, the wall shows that campaign."""
    return f"/?token={token}&mode=screen" + (f"&year={year}" if year is not None else "")


def cmd_token_add(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.wall_links import create_screen_token

    days = settings.security.screen_token_days if args.days is None else args.days
    token_id, token = create_screen_token(_engine(args, settings), _operator(), args.label, days or None)
    print(f"已创建大屏链接 #{token_id}（{args.label}）。链接只显示这一次，请加在本系统网址之后：")
    print(screen_link(token, settings.display.default_year))
    return 0


def cmd_token_list(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.wall_links import list_screen_tokens

    frame = list_screen_tokens(_engine(args, settings), _operator())
    print("尚无大屏链接。" if frame.empty else frame.to_string(index=False))
    return 0


def cmd_token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.wall_links import revoke_screen_token

    revoke_screen_token(_engine(args, settings), _operator(), args.id)
    print(f"已停用大屏链接 #{args.id}。")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from supervision.access.accounts import create_demo_accounts

    made = create_demo_accounts(_engine(args, settings), settings.security)
    if made is None:
        if not args.if_none:
            from supervision.core.errors import UsageError

            raise UsageError("数据库中已有账号，未创建演示账号")
        print("已有账号，跳过创建演示账号"
              "（忘记密码请用：python -m supervision users reset-password 用户名 --generate）。")
        return 0
    accounts, token = made
    print("=" * 64)
    print("已创建演示账号（仅供本机演示；密码只显示这一次，数据库只保存其哈希）：")
    print(f"  {'用户名':<8}{'密码':<18}角色")
    for account, password in accounts:
        where = account.township or account.department
        print(f"  {account.username:<11}{password:<20}{account.role.value}" + (f"（{where}）" if where else ""))
    print(f"  大屏只读链接：{args.base_url.rstrip('/')}{screen_link(token, settings.display.default_year)}")
    print("=" * 64)
    return 0


def register(sub: Any) -> None:
    """Add `users` and its subcommands to the main parser's subparsers."""
    users = sub.add_parser("users", help="管理账号与大屏链接", description="管理账号与大屏链接（操作记入审计日志）")
    commands = users.add_subparsers(dest="users_command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace, Settings], int], text: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=text, description=text)
        p.add_argument("--db", help="数据库URL（默认取 config.toml 或环境变量 DATABASE_URL）")
        p.set_defaults(handler=handler)
        return p

    def password_options(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
        group.add_argument("--generate", action="store_true", help="随机生成密码并显示一次")

    p = add("add", cmd_add, "新建账号（第一个管理员也用它创建）")
    p.add_argument("username")
    p.add_argument("--role", type=_role, required=True, help="领导、局办人员、镇区人员、管理员")
    p.add_argument("--name", help="姓名（显示用）")
    p.add_argument("--township", help="镇区人员的所属镇区")
    p.add_argument("--department", help="局办人员的部门，如 工信局")
    p.add_argument("--sso", help="统一身份标识（单点登录时提供的 e-mail 等）")
    p.add_argument("--no-password", action="store_true", help="只用单点登录，不设密码（须同时给出 --sso）")
    p.add_argument("--must-change", action="store_true", help="首次登录须修改密码")
    password_options(p)

    add("list", cmd_list, "列出账号")

    p = add("set-role", cmd_set_role, "修改账号的角色（及镇区或部门）")
    p.add_argument("username")
    p.add_argument("role", type=_role)
    p.add_argument("--township")
    p.add_argument("--department")

    p = add("reset-password", cmd_reset_password, "重置密码（同时解除锁定）")
    p.add_argument("username")
    p.add_argument("--keep", action="store_true", help="不要求下次登录修改密码")
    password_options(p)

    for name, handler, text in (("disable", cmd_disable, "停用账号"), ("enable", cmd_enable, "启用账号"),
                                ("unlock", cmd_unlock, "解除登录锁定")):
        add(name, handler, text).add_argument("username")

    token = commands.add_parser("screen-token", help="大屏只读链接", description="大屏只读链接（只能看总览和地图）")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    for name, handler, text in (("add", cmd_token_add, "新建大屏链接（链接只显示一次）"),
                                ("list", cmd_token_list, "列出大屏链接"),
                                ("revoke", cmd_token_revoke, "停用大屏链接")):
        p = token_commands.add_parser(name, help=text, description=text)
        p.add_argument("--db", help="数据库URL")
        p.set_defaults(handler=handler)
        if name == "add":
            p.add_argument("label", help="大屏名称，如 指挥中心大屏")
            p.add_argument("--days", type=int, help="有效天数（0 为长期；默认取 config.toml）")
        if name == "revoke":
            p.add_argument("id", type=int)

    p = add("demo", cmd_demo, "创建演示账号（每个角色一个）和一个大屏链接，密码只显示一次")
    p.add_argument("--if-none", action="store_true", help="已有任何账号时什么也不做")
    p.add_argument("--base-url", default="", help="本系统的网址，用于显示完整的大屏链接，如 http://127.0.0.1:8501")
