"""config.toml is validated: unknown keys and wrong types are refused with the section, key and expected type."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from supervision.core import clock
from supervision.core.config import DEFAULT_CONFIG, ConfigError, load_settings, parse_settings
from supervision.storage.db import make_engine

ROOT = Path(__file__).resolve().parent.parent


def _raw() -> dict[str, Any]:
    with open(DEFAULT_CONFIG, "rb") as fh:
        return tomllib.load(fh)


def test_the_shipped_configuration_is_valid() -> None:
    settings = parse_settings(_raw())
    assert settings.security.lockout_threshold == 5
    assert settings.tolerances.quota_warning == parse_settings(_raw()).tolerances.quota_warning
    assert settings.display.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("section", "key", "value"), [
    ("security", "lockout_treshold", 1),
    ("tolerances", "quota_warnig", "0.8"),
    ("import", "max_upload", 10),
])
def test_a_misspelt_key_is_refused_not_ignored(section: str, key: str, value: Any) -> None:
    raw = _raw()
    raw[section][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw)
    assert f"[{section}] 中的 {key} 不是已知的设置项" in str(caught.value)


def test_an_unknown_section_is_refused() -> None:
    raw = _raw()
    raw["securty"] = {"lockout_threshold": 1}
    with pytest.raises(ConfigError, match="securty 不是已知的设置项"):
        parse_settings(raw)


@pytest.mark.parametrize(("section", "key", "value", "expected"), [
    ("security", "lockout_threshold", "five", "应为整数"),
    ("security", "idle_timeout_minutes", 2.5, "应为整数"),
    ("tolerances", "relative", "five per cent", "应为数字"),
    ("jurisdiction", "boundary_is_schematic", "maybe", "应为布尔值"),
    ("import", "max_upload_mb", [1], "应为整数"),
])
def test_a_wrong_type_names_section_key_and_expected_type(section: str, key: str, value: Any,
                                                          expected: str) -> None:
    raw = _raw()
    raw[section][key] = value
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw)
    assert f"[{section}] 中的 {key} {expected}" in str(caught.value)


def test_nested_tables_are_checked_too() -> None:
    raw = _raw()
    raw["security"]["sso"]["enabld"] = True
    with pytest.raises(ConfigError, match=r"\[security.sso\] 中的 enabld 不是已知的设置项"):
        parse_settings(raw)


def test_a_calendar_year_with_a_misspelt_milestone_is_refused() -> None:
    raw = _raw()
    raw["calendar"]["2019"]["self_check_dedline"] = "2019-07-31"
    with pytest.raises(ConfigError, match="self_check_dedline 不是已知的设置项"):
        parse_settings(raw)


def test_an_unknown_time_zone_is_refused() -> None:
    raw = _raw()
    raw["display"]["timezone"] = "Mars/Olympus"
    with pytest.raises(ConfigError, match="未知的时区“Mars/Olympus”"):
        parse_settings(raw)


def test_every_command_exits_2_with_the_message(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        "lockout_threshold = 5", "lockout_treshold = 1"), encoding="utf-8")
    for args in (["check", "--year", "2019"], ["users", "list"], ["migrate"]):
        done = subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT, capture_output=True,
                              text=True, env={"SUPERVISION_CONFIG": str(bad), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert done.returncode == 2, (args, done.stderr)
        assert "[security] 中的 lockout_treshold 不是已知的设置项" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_app_shows_the_message_instead_of_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        "quota_warning = \"0.90\"", "quota_warnig = \"0.90\""), encoding="utf-8")
    monkeypatch.setenv("SUPERVISION_CONFIG", str(bad))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # the message is markdown-escaped
    assert any("[tolerances] 中的 quota_warnig 不是已知的设置项" in text for text in shown), shown


def test_times_are_shown_in_the_configured_zone_whatever_the_server_zone() -> None:
    stored = dt.datetime(2019, 8, 13, 1, 30, tzinfo=dt.UTC)
    assert clock.to_local(stored).strftime("%Y-%m-%d %H:%M") == "2019-08-13 09:30"
    assert clock.to_local(stored.replace(tzinfo=None)).hour == 9  # SQLite hands back naive UTC
    assert clock.now_local().utcoffset() == dt.timedelta(hours=8)
    assert load_settings().display.timezone == "Asia/Shanghai"


def test_the_engine_checks_a_pooled_connection_before_use(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert engine.pool._pre_ping  # a connection killed by a database restart is replaced, not handed out
    engine.dispose()
