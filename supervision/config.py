"""The app's own settings, read from config.toml with environment overrides."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from supervision.findings import RULES_BY_ID

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"

MILESTONES = (
    "self_check_start",
    "self_check_deadline",
    "inspection_start",
    "inspection_end",
    "township_report_deadline",
    "city_summary_deadline",
    "annual_summary_deadline",
)


@dataclass(frozen=True)
class Bounds:
    min_lon: Decimal
    max_lon: Decimal
    min_lat: Decimal
    max_lat: Decimal

    def contains(self, lon: Decimal, lat: Decimal) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    province: str
    city: str
    townships_file: Path
    boundary_file: Path
    boundary_name_field: str
    boundary_is_schematic: bool
    bounds: Bounds
    aliases: dict[str, str]


@dataclass(frozen=True)
class Tolerances:
    relative: Decimal = Decimal("0.05")
    absolute_t: Decimal = Decimal("1")
    raw_material_factor: Decimal = Decimal("1.02")
    quota_warning: Decimal = Decimal("0.90")
    clean_audit_days: int = 730
    tipoff_feedback_days: int = 30
    monthly_report_due_day: int = 10


@dataclass(frozen=True)
class RiskWeights:
    """How findings add up to an enterprise's risk score (supervision.checks.ranking)."""

    violation: Decimal = Decimal("10")  # points per 违规 finding
    warning: Decimal = Decimal("3")  # points per 预警 finding
    repeat_in_year: Decimal = Decimal("0.5")  # each further finding of the same rule in the year adds this share
    repeat_previous_year: Decimal = Decimal("1.5")  # a rule that also fired in Y−1 counts this many times
    rules: dict[str, Decimal] = field(default_factory=dict)  # per-rule points replacing the severity's

    def base(self, rule: str, severity: str) -> Decimal:
        if rule in self.rules:
            return self.rules[rule]
        return self.warning if severity == "预警" else self.violation


@dataclass(frozen=True)
class Calendar:
    """Per-year campaign deadlines; a year without its own entry follows the default month-days."""

    default: dict[str, str]
    years: dict[int, dict[str, dt.date]]

    def for_year(self, year: int) -> dict[str, dt.date]:
        if year in self.years:
            return dict(self.years[year])
        out: dict[str, dt.date] = {}
        for name, month_day in self.default.items():
            month, day = (int(p) for p in month_day.split("-"))
            out[name] = dt.date(year, month, day)
        return out

    def configured_years(self) -> list[int]:
        return sorted(self.years)

    def is_campaign_year(self, year: int) -> bool:
        """Whether the year has its own calendar: only then do the self-check and report deadlines bind."""
        return year in self.years


# Which tables each department may write (spec, introduction; 107号 二 and 三 name the lead
# department of each task). "镇区" is the township officers' own set; they write only rows of
# their township. config.toml [security.write_tables] replaces this default table by table.
DEFAULT_WRITE_TABLES: dict[str, tuple[str, ...]] = {
    "工信局": ("enterprises", "quotas", "monthly_reports", "traceability", "self_checks", "township_reports",
              "scoring_items", "inspection_scores", "tipoffs", "penalties"),
    "税务局": ("invoices", "resource_tax", "penalties"),
    "海关": ("customs",),
    "商务局": ("licenses",),
    "生态环境局": ("environment", "penalties"),
    "市场监管局": ("enterprises", "penalties"),
    "镇区": ("enterprises", "self_checks", "township_reports", "tipoffs"),
}
TOWNSHIP_WRITE_KEY = "镇区"


@dataclass(frozen=True)
class SingleSignOn:
    """Optional OIDC sign-in through st.login; the secrets stay in .streamlit/secrets.toml [auth]."""

    enabled: bool = False
    provider: str = ""   # the NAME of [auth.NAME]; empty means the plain [auth] section
    claim: str = "email"  # the identity claim matched against a user's sso_subject
    label: str = "统一身份认证登录"


@dataclass(frozen=True)
class SecuritySettings:
    idle_timeout_minutes: int = 30
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    password_min_length: int = 10
    password_min_classes: int = 3
    screen_token_days: int = 365
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    sso: SingleSignOn = field(default_factory=SingleSignOn)
    write_tables: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_WRITE_TABLES))

    @property
    def departments(self) -> list[str]:
        """The departments a 局办人员 account can belong to."""
        return [d for d in self.write_tables if d != TOWNSHIP_WRITE_KEY]


@dataclass(frozen=True)
class Settings:
    database_url: str
    jurisdiction: Jurisdiction
    calendar: Calendar
    tolerances: Tolerances
    max_upload_mb: int
    max_unpacked_mb: int
    risk: RiskWeights = field(default_factory=RiskWeights)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def _resolve_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def resolve_database_url(url: str) -> str:
    """Make a relative SQLite path relative to the project folder, not the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        rest = url[len(prefix):]
        if rest and not rest.startswith(":memory:"):
            return prefix + str(_resolve_path(rest))
    return url


def _parse_calendar(raw: dict[str, Any]) -> Calendar:
    default = {k: str(v) for k, v in raw.get("default", {}).items()}
    missing = [m for m in MILESTONES if m not in default]
    if missing:
        raise ValueError(f"config.toml [calendar.default] lacks {missing}")
    years: dict[int, dict[str, dt.date]] = {}
    for key, table in raw.items():
        if key == "default":
            continue
        year = int(key)
        dates = {m: dt.date.fromisoformat(str(table[m])) if m in table else None for m in MILESTONES}
        for name, value in list(dates.items()):
            if value is None:
                month, day = (int(p) for p in default[name].split("-"))
                dates[name] = dt.date(year, month, day)
        years[year] = dates  # type: ignore[assignment]
    return Calendar(default=default, years=years)


def _parse_risk(raw: dict[str, Any]) -> RiskWeights:
    defaults = RiskWeights()
    weights = RiskWeights(
        violation=Decimal(str(raw.get("violation", defaults.violation))),
        warning=Decimal(str(raw.get("warning", defaults.warning))),
        repeat_in_year=Decimal(str(raw.get("repeat_in_year", defaults.repeat_in_year))),
        repeat_previous_year=Decimal(str(raw.get("repeat_previous_year", defaults.repeat_previous_year))),
        rules={str(k).upper(): Decimal(str(v)) for k, v in raw.get("rules", {}).items()},
    )
    values = [weights.violation, weights.warning, weights.repeat_in_year, weights.repeat_previous_year,
              *weights.rules.values()]
    if any(v < 0 for v in values):
        raise ValueError("config.toml [risk]: weights must not be negative")
    unknown = sorted(set(weights.rules) - set(RULES_BY_ID))
    if unknown:
        raise ValueError(f"config.toml [risk.rules]: unknown rules {unknown}")
    if weights.violation < weights.warning:
        raise ValueError("config.toml [risk]: a 违规 must weigh at least as much as a 预警")
    return weights


def parse_security(raw: dict[str, Any]) -> SecuritySettings:
    """The [security] table; every key is optional and falls back to the default above."""
    defaults = SecuritySettings()
    sso_raw = raw.get("sso", {})
    sso = SingleSignOn(
        enabled=bool(sso_raw.get("enabled", False)),
        provider=str(sso_raw.get("provider", "")),
        claim=str(sso_raw.get("claim", "email")),
        label=str(sso_raw.get("label", SingleSignOn.label)),
    )
    from supervision.spec import TABLES_BY_KEY

    write_tables = dict(DEFAULT_WRITE_TABLES)
    for department, tables in raw.get("write_tables", {}).items():
        unknown = [t for t in tables if t not in TABLES_BY_KEY]
        if unknown:
            raise ValueError(f"config.toml [security.write_tables] {department}: unknown tables {unknown}")
        write_tables[str(department).strip()] = tuple(str(t) for t in tables)
    ints = {name: int(raw.get(name, getattr(defaults, name))) for name in (
        "idle_timeout_minutes", "lockout_threshold", "lockout_minutes", "password_min_length",
        "password_min_classes", "screen_token_days", "argon2_time_cost", "argon2_memory_kib",
        "argon2_parallelism")}
    if ints["idle_timeout_minutes"] < 1 or ints["lockout_threshold"] < 1 or ints["lockout_minutes"] < 1:
        raise ValueError("config.toml [security]: timeouts and the lock-out threshold must be at least 1")
    if not 1 <= ints["password_min_classes"] <= 4:
        raise ValueError("config.toml [security]: password_min_classes must be between 1 and 4")
    return SecuritySettings(**ints, sso=sso, write_tables=write_tables)


def parse_settings(raw: dict[str, Any]) -> Settings:
    """Build typed settings from the parsed TOML (environment overrides applied by load_settings)."""
    j = raw["jurisdiction"]
    b = j["bounds"]
    tol = raw.get("tolerances", {})
    defaults = Tolerances()
    tolerances = Tolerances(
        relative=Decimal(str(tol.get("relative", defaults.relative))),
        absolute_t=Decimal(str(tol.get("absolute_t", defaults.absolute_t))),
        raw_material_factor=Decimal(str(tol.get("raw_material_factor", defaults.raw_material_factor))),
        quota_warning=Decimal(str(tol.get("quota_warning", defaults.quota_warning))),
        clean_audit_days=int(tol.get("clean_audit_days", defaults.clean_audit_days)),
        tipoff_feedback_days=int(tol.get("tipoff_feedback_days", defaults.tipoff_feedback_days)),
        monthly_report_due_day=int(tol.get("monthly_report_due_day", defaults.monthly_report_due_day)),
    )
    jurisdiction = Jurisdiction(
        name=j["name"],
        province=j.get("province", ""),
        city=j.get("city", ""),
        townships_file=_resolve_path(j["townships_file"]),
        boundary_file=_resolve_path(j["boundary_file"]),
        boundary_name_field=j.get("boundary_name_field", "name"),
        boundary_is_schematic=bool(j.get("boundary_is_schematic", True)),
        bounds=Bounds(*(Decimal(str(b[k])) for k in ("min_lon", "max_lon", "min_lat", "max_lat"))),
        aliases={str(k).strip(): str(v).strip() for k, v in j.get("aliases", {}).items()},
    )
    imp = raw.get("import", {})
    return Settings(
        database_url=resolve_database_url(raw["database"]["url"]),
        jurisdiction=jurisdiction,
        calendar=_parse_calendar(raw.get("calendar", {})),
        tolerances=tolerances,
        max_upload_mb=int(imp.get("max_upload_mb", 200)),
        max_unpacked_mb=int(imp.get("max_unpacked_mb", 2000)),
        risk=_parse_risk(raw.get("risk", {})),
        security=parse_security(raw.get("security", {})),
        raw=raw,
    )


@lru_cache(maxsize=4)
def _load(path: str, database_url_env: str | None) -> Settings:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    if database_url_env:
        raw.setdefault("database", {})["url"] = database_url_env
    return parse_settings(raw)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from SUPERVISION_CONFIG or config.toml; DATABASE_URL overrides the database URL."""
    chosen = path or os.environ.get("SUPERVISION_CONFIG") or DEFAULT_CONFIG
    return _load(str(chosen), os.environ.get("DATABASE_URL") or None)
