"""N app processes behind nginx on one PostgreSQL database: `make serve WORKERS=N`, and the tests' cluster.

    .venv/bin/python deploy/cluster.py run  [--workers 2] [--listen 127.0.0.1:8501] [--first-port PORT]
    .venv/bin/python deploy/cluster.py site [--workers 2] [--listen 80] [--first-port 8511]

`run` upgrades the schema once (`python -m supervision migrate`, so N processes never race to migrate),
starts N app processes on 127.0.0.1:first-port … first-port+N-1 (default first-port: the listen port + 10),
all with the same database and the same cookie secret, then nginx in the foreground as an unprivileged
child process with its own prefix, configuration and logs in a temporary folder, serving
deploy/nginx/rare-earth.conf with its worker and listen lines rewritten. Ctrl-C (or SIGTERM) stops nginx
and every app process. The database must be PostgreSQL (DATABASE_URL or config.toml's [database].url):
SQLite's single writer does not take several processes.

`site` prints that same site file for a system nginx (README, 部署：多进程).
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools.browser import Server, start_server, stop_server  # noqa: E402

SITE = ROOT / "deploy" / "nginx" / "rare-earth.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROUTE_COOKIE = "rare_earth_route"


def site_config(ports: list[int], listen: str) -> str:
    """The shipped site file with one `server` line per app process and the given listen address."""
    text = SITE.read_text(encoding="utf-8")
    workers = "".join(f"    server 127.0.0.1:{port};\n" for port in ports)
    text, n = re.subn(r"(    # workers:start\n).*?(    # workers:end\n)", lambda m: m[1] + workers + m[2], text,
                      flags=re.S)
    text, k = re.subn(r"^    listen [^;]+;  # listen$", f"    listen {listen};  # listen", text, flags=re.M)
    if n != 1 or k != 1:
        raise RuntimeError(f"{SITE}: the workers:start/end markers or the '# listen' line are missing")
    return text


def main_config(prefix: Path, site: Path) -> str:
    """An nginx.conf that keeps everything (pid, logs, temporary files) under `prefix`."""
    temp = "\n".join(f"    {name}_temp_path {prefix / 'tmp' / name};" for name in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # Which process served each request, and for which browser: the tests check the stickiness with it.
    log_format routed '$request_method $uri $status upstream=$upstream_addr route=$cookie_{ROUTE_COOKIE} '
                      'set="$sent_http_set_cookie"';
    access_log {prefix / 'access.log'} routed;
{temp}
    include {site};
}}
"""


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


@dataclass
class Cluster:
    url: str
    workers: list[Server]
    nginx: subprocess.Popen[bytes]
    prefix: Path
    logs: list[Path] = field(default_factory=list)

    def ports(self) -> list[int]:
        return [int(w.url.rsplit(":", 1)[1]) for w in self.workers]


def _start_nginx(prefix: Path, ports: list[int], listen: str) -> subprocess.Popen[bytes]:
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    site = prefix / "site.conf"
    site.write_text(site_config(ports, listen), encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site), encoding="utf-8")
    command = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    subprocess.run([*command, "-t", "-q"], check=True, capture_output=True)
    # Never nginx as root: when we are root (a container, the test machine) it runs as nobody, and the
    # prefix it writes to becomes nobody's.
    user: str | None = None
    if os.geteuid() == 0:
        user = "nobody"
        nobody = pwd.getpwnam(user)
        for path in [prefix, *prefix.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    out = (prefix / "nginx.out").open("ab")
    kwargs: dict[str, object] = {"user": user, "group": pwd.getpwnam(user).pw_gid} if user else {}
    return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]


def _stop_nginx(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGQUIT)  # graceful: open websockets are closed, not reset
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def running_cluster(env: Mapping[str, str], workers: int, listen_port: int, first_port: int,
                    log_dir: Path | None = None, host: str = "127.0.0.1") -> Iterator[Cluster]:
    """`workers` app processes and nginx in front of them, healthy on entry, all stopped on exit."""
    ports = [first_port + i for i in range(workers)]
    # One cookie secret for every process: a browser moved to another process (its own one restarted)
    # keeps a valid XSRF cookie.
    shared = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32), **env}
    with ExitStack() as stack:
        logs = [log_dir / f"worker-{port}.log" for port in ports] if log_dir else []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(start_server, shared, logs[i] if logs else None, 120, port)
                       for i, port in enumerate(ports)]
            started = []
            for future in futures:
                try:
                    started.append(future.result())
                except Exception:
                    for other in futures:
                        if other.done() and other.exception() is None:
                            stop_server(other.result())
                    raise
        for server in started:
            stack.callback(stop_server, server)
        prefix = Path(tempfile.mkdtemp(prefix="rare-earth-nginx-"))
        stack.callback(shutil.rmtree, prefix, True)
        nginx = _start_nginx(prefix, ports, f"{host}:{listen_port}")
        stack.callback(_stop_nginx, nginx)
        url = f"http://{host}:{listen_port}"
        try:
            _wait_http(url + "/_stcore/health", nginx, 30, "nginx")
        except RuntimeError as exc:
            detail = (prefix / "error.log").read_text(errors="replace") if (prefix / "error.log").exists() else ""
            raise RuntimeError(f"{exc}\n{detail}") from exc
        yield Cluster(url, started, nginx, prefix, logs)


# --- the command line ---------------------------------------------------------------------------------------

def _database_url() -> str:
    from supervision.core.config import load_settings

    return load_settings().database_url


def _run(args: argparse.Namespace) -> int:
    host, _, port_text = args.listen.rpartition(":")
    host = host or "127.0.0.1"
    listen_port = int(port_text)
    first_port = args.first_port or listen_port + 10
    url = _database_url()
    if not url.startswith("postgresql"):
        print("多进程部署需要PostgreSQL数据库：请设置环境变量 DATABASE_URL（例如 "
              "postgresql+psycopg://用户@主机:5432/rare_earth）或 config.toml 的 [database].url。", file=sys.stderr)
        return 2
    if shutil.which(NGINX) is None:
        print("未找到nginx：请先安装（Debian：apt-get install nginx）。", file=sys.stderr)
        return 2
    migrated = subprocess.run([sys.executable, "-m", "supervision", "migrate"], cwd=ROOT)
    if migrated.returncode != 0:
        return migrated.returncode
    stop = {"now": False}

    def _stop(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    log_dir = Path(args.log_dir) if args.log_dir else None
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    print(f"启动{args.workers}个应用进程（端口 {first_port}–{first_port + args.workers - 1}）与nginx …", flush=True)
    with running_cluster({}, args.workers, listen_port, first_port, log_dir, host) as cluster:
        print(f"已就绪：{cluster.url}/（按Ctrl-C停止）", flush=True)
        try:
            while not stop["now"]:
                for worker in cluster.workers:
                    if worker.process.poll() is not None:
                        print(f"应用进程 {worker.url} 已退出（{worker.process.returncode}），全部停止。",
                              file=sys.stderr)
                        return 1
                if cluster.nginx.poll() is not None:
                    print(f"nginx已退出（{cluster.nginx.returncode}），全部停止。", file=sys.stderr)
                    return 1
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    print("已停止。")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="多个应用进程 + nginx（粘性会话）")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="启动N个应用进程与nginx（前台运行）")
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--listen", default="127.0.0.1:8501", help="nginx监听地址 主机:端口")
    run.add_argument("--first-port", type=int, help="第一个应用进程的端口（默认：监听端口+10）")
    run.add_argument("--log-dir", help="应用进程日志目录（默认不保存）")
    site = sub.add_parser("site", help="输出nginx站点配置（系统nginx用）")
    site.add_argument("--workers", type=int, default=2)
    site.add_argument("--listen", default="80")
    site.add_argument("--first-port", type=int, default=8511)
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers 至少为1")
    if args.command == "site":
        sys.stdout.write(site_config([args.first_port + i for i in range(args.workers)], args.listen))
        return 0
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
