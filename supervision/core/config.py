"""The app's own settings, read from config.toml with environment overrides."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from supervision.core.findings import RULES_BY_ID

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"

# A month and day of [calendar.default], e.g. "07-31".
MonthDay = Annotated[str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]

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
    # A signed-in browser session ends this long after its sign-in, however active it was.
    session_lifetime_hours: int = 12
    # The session cookie's Secure flag: "auto" (when the request came over HTTPS, directly or as a trusted
    # proxy's X-Forwarded-Proto says), "always" or "never".
    session_cookie_secure: str = "auto"
    # Reverse proxies whose X-Forwarded-Proto / X-Forwarded-For are believed (addresses or networks).
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    sso: SingleSignOn = field(default_factory=SingleSignOn)
    write_tables: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_WRITE_TABLES))

    @property
    def departments(self) -> list[str]:
        """The departments a 局办人员 account can belong to."""
        return [d for d in self.write_tables if d != TOWNSHIP_WRITE_KEY]


# The lead department of each rule (107号 二(一)/(二) 工信局; 二(三) 税务局/商务局/海关; 三(五) 生态环境局).
# Two special values: LEAD_TOWNSHIP (the township of the subject rectifies, the coordinator verifies) and
# LEAD_TIPOFF (the tip-off's 承办部门). config.toml [findings.lead_departments] replaces entries rule by rule.
LEAD_TOWNSHIP = "镇区"
LEAD_TIPOFF = "承办部门"
DEFAULT_LEAD_DEPARTMENTS: dict[str, str] = {
    "R01": "工信局", "R02": "工信局", "W01": "工信局", "R03": "工信局", "R04": "工信局", "R06": "工信局",
    "R07": "工信局", "R08": "工信局", "R19": "工信局",
    "R05": "税务局", "R09": "商务局", "R12": "商务局", "R10": "海关", "R11": "海关",
    "R13": "生态环境局", "R14": "生态环境局", "R15": "生态环境局",
    "R16": LEAD_TOWNSHIP, "R17": LEAD_TOWNSHIP, "R18": LEAD_TIPOFF,
}


@dataclass(frozen=True)
class FindingSettings:
    """The finding lifecycle (问题闭环): who leads each rule, rectification periods, lights, evidence files."""

    violation_days: int = 30  # default rectification period of a 违规 finding
    warning_days: int = 15  # ... and of a 预警 finding
    amber_days: int = 7  # an open finding due within this many days shows amber; past its deadline, red
    max_file_mb: int = 20  # largest evidence file accepted
    # 市工信局 receives the townships' reports (107号 五(十四)): it verifies what townships lead, and
    # anything whose lead is unknown (a tip-off without 承办部门).
    coordinator: str = "工信局"
    lead_departments: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LEAD_DEPARTMENTS))

    def period_days(self, severity: str) -> int:
        return self.warning_days if severity == "预警" else self.violation_days


@dataclass(frozen=True)
class Display:
    """How times are shown: every time a user sees is in this zone (stored times are UTC); and the year the app
    opens on (None: the latest year with data)."""

    timezone: str = "Asia/Shanghai"
    # Who users ask about the data and the campaign (the 帮助 page names it).
    help_contact: str = "市工信局（稀土行业秩序整顿牵头部门，各镇（区）自查材料的报送单位）"
    default_year: int | None = None
    # How many years a year-by-year chart shows, ending with the selected year: a page reads only the years it
    # shows, so its cost does not grow with the years the database holds.
    trend_years: int = 5


@dataclass(frozen=True)
class ScreenSettings:
    """Wall screens: the hours (Taicang time) when a wall link without `theme` is dimmed; None: never."""

    night_from: dt.time | None = None
    night_until: dt.time | None = None


@dataclass(frozen=True)
class CacheSettings:
    """The server's background warm-up: after each change of the data, the default year's overview, wall and
    check run are read once, so the first viewer does not pay the cold cost (components/warmup.py)."""

    warm_up: bool = True
    poll_seconds: int = 10  # how often each server process looks at the data version (one tiny query)


@dataclass(frozen=True)
class MonitoringSettings:
    """Who may read /metrics and /healthz: addresses or networks (the peer, or a trusted proxy's client)."""

    allowed: tuple[str, ...] = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Settings:
    database_url: str
    jurisdiction: Jurisdiction
    calendar: Calendar
    tolerances: Tolerances
    max_upload_mb: int
    max_unpacked_mb: int
    max_member_mb: int = 500
    max_rows_per_table: int = 3_000_000
    max_errors_per_column: int = 100
    risk: RiskWeights = field(default_factory=RiskWeights)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    display: Display = field(default_factory=Display)
    findings: FindingSettings = field(default_factory=FindingSettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
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


class ConfigError(ValueError):
    """A config.toml that cannot be used; the message names the section, the key and what was expected."""


class _Section(BaseModel):
    # A misspelt key must not be silently ignored (lockout_treshold would leave the lock-out at its default).
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class _DatabaseFile(_Section):
    url: str


class _BoundsFile(_Section):
    min_lon: Decimal
    max_lon: Decimal
    min_lat: Decimal
    max_lat: Decimal


class _JurisdictionFile(_Section):
    name: str
    province: str = ""
    city: str = ""
    townships_file: str
    boundary_file: str
    boundary_name_field: str = "name"
    boundary_is_schematic: bool = True
    bounds: _BoundsFile
    aliases: dict[str, str] = {}


class _MilestonesFile(_Section):
    self_check_start: dt.date | None = None
    self_check_deadline: dt.date | None = None
    inspection_start: dt.date | None = None
    inspection_end: dt.date | None = None
    township_report_deadline: dt.date | None = None
    city_summary_deadline: dt.date | None = None
    annual_summary_deadline: dt.date | None = None


class _DefaultMilestonesFile(_Section):
    self_check_start: MonthDay
    self_check_deadline: MonthDay
    inspection_start: MonthDay
    inspection_end: MonthDay
    township_report_deadline: MonthDay
    city_summary_deadline: MonthDay
    annual_summary_deadline: MonthDay


class _TolerancesFile(_Section):
    relative: Decimal = Tolerances.relative
    absolute_t: Decimal = Tolerances.absolute_t
    raw_material_factor: Decimal = Tolerances.raw_material_factor
    quota_warning: Decimal = Tolerances.quota_warning
    clean_audit_days: int = Tolerances.clean_audit_days
    tipoff_feedback_days: int = Tolerances.tipoff_feedback_days
    monthly_report_due_day: int = Tolerances.monthly_report_due_day


class _ImportFile(_Section):
    max_upload_mb: int = 200
    max_unpacked_mb: int = 1000
    max_member_mb: int = 500
    max_rows_per_table: int = 3_000_000
    max_errors_per_column: int = 100


class _RiskFile(_Section):
    violation: Decimal = RiskWeights.violation
    warning: Decimal = RiskWeights.warning
    repeat_in_year: Decimal = RiskWeights.repeat_in_year
    repeat_previous_year: Decimal = RiskWeights.repeat_previous_year
    rules: dict[str, Decimal] = {}


class _SingleSignOnFile(_Section):
    enabled: bool = False
    provider: str = ""
    claim: str = "email"
    label: str = SingleSignOn.label


class _SecurityFile(_Section):
    idle_timeout_minutes: int = SecuritySettings.idle_timeout_minutes
    lockout_threshold: int = SecuritySettings.lockout_threshold
    lockout_minutes: int = SecuritySettings.lockout_minutes
    password_min_length: int = SecuritySettings.password_min_length
    password_min_classes: int = SecuritySettings.password_min_classes
    screen_token_days: int = SecuritySettings.screen_token_days
    argon2_time_cost: int = SecuritySettings.argon2_time_cost
    argon2_memory_kib: int = SecuritySettings.argon2_memory_kib
    argon2_parallelism: int = SecuritySettings.argon2_parallelism
    session_lifetime_hours: int = SecuritySettings.session_lifetime_hours
    session_cookie_secure: str = SecuritySettings.session_cookie_secure
    trusted_proxies: list[str] = list(SecuritySettings.trusted_proxies)
    sso: _SingleSignOnFile = _SingleSignOnFile()
    write_tables: dict[str, list[str]] = {}


class _DisplayFile(_Section):
    timezone: str = Display.timezone
    help_contact: str = Display.help_contact
    default_year: int | None = Display.default_year
    trend_years: int = Display.trend_years

    @field_validator("trend_years")
    @classmethod
    def _trend_window(cls, value: int) -> int:
        if not 2 <= value <= 20:
            raise ValueError(f"应为2到20之间的整数（逐年图表显示的年数），当前为 {value}")
        return value

    @field_validator("default_year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is not None and not 2000 <= value <= 2100:
            raise ValueError(f"应为四位年份（2000–2100），当前为 {value}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区“{value}”，应为 IANA 时区名，如 Asia/Shanghai") from None
        return value


class _FindingsFile(_Section):
    violation_days: int = FindingSettings.violation_days
    warning_days: int = FindingSettings.warning_days
    amber_days: int = FindingSettings.amber_days
    max_file_mb: int = FindingSettings.max_file_mb
    coordinator: str = FindingSettings.coordinator
    lead_departments: dict[str, str] = {}


def _networks(values: list[str]) -> list[str]:
    for value in values:
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise ValueError(f"“{value}”不是 IP 地址或网段（如 127.0.0.1、10.0.0.0/8、::1）") from None
    return [v.strip() for v in values]


class _MonitoringFile(_Section):
    allowed: list[str] = list(MonitoringSettings.allowed)

    @field_validator("allowed")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        return _networks(value)


class _ScreenFile(_Section):
    night_from: dt.time | None = None
    night_until: dt.time | None = None


class _CacheFile(_Section):
    warm_up: bool = CacheSettings.warm_up
    poll_seconds: int = CacheSettings.poll_seconds

    @field_validator("poll_seconds")
    @classmethod
    def _interval(cls, value: int) -> int:
        if not 2 <= value <= 3600:
            raise ValueError(f"应在2到3600秒之间（当前：{value}）")
        return value


class _AppFile(_Section):
    """config.toml as a file: one model per section, every key known, every value of its type."""

    database: _DatabaseFile
    jurisdiction: _JurisdictionFile
    calendar: dict[str, dict[str, Any]] = {}
    tolerances: _TolerancesFile = _TolerancesFile()
    import_: _ImportFile = Field(default=_ImportFile(), alias="import")
    risk: _RiskFile = _RiskFile()
    security: _SecurityFile = _SecurityFile()
    display: _DisplayFile = _DisplayFile()
    findings: _FindingsFile = _FindingsFile()
    screen: _ScreenFile = _ScreenFile()
    monitoring: _MonitoringFile = _MonitoringFile()
    cache: _CacheFile = _CacheFile()


_TYPE_NAMES = {
    "int_type": "整数", "int_parsing": "整数", "int_from_float": "整数", "bool_type": "布尔值（true 或 false）",
    "bool_parsing": "布尔值（true 或 false）", "string_type": "文字（带引号）", "decimal_type": "数字",
    "decimal_parsing": "数字", "date_type": "日期（YYYY-MM-DD）", "date_parsing": "日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期（YYYY-MM-DD）", "time_type": "时刻（\"HH:MM\"）",
    "time_parsing": "时刻（\"HH:MM\"）", "dict_type": "表（[节]或{…}）",
    "list_type": "列表（[…]）", "model_type": "表（[节]或{…}）", "model_attributes_type": "表（[节]或{…}）",
}


def _where(loc: tuple[int | str, ...]) -> tuple[str, str]:
    """(section, key) of an error location, as the file spells them."""
    parts = ["import" if p == "import_" else str(p) for p in loc]
    if len(parts) == 1:
        return "（顶层）", parts[0]
    return "[" + ".".join(parts[:-1]) + "]", parts[-1]


def _explain(error: ValidationError, source: str, prefix: tuple[str, ...] = ()) -> ConfigError:
    lines = []
    for e in error.errors():
        section, key = _where((*prefix, *e["loc"]))
        kind = e["type"]
        if kind == "extra_forbidden":
            lines.append(f"{section} 中的 {key} 不是已知的设置项（请检查拼写）")
        elif kind == "missing":
            lines.append(f"{section} 缺少必填的 {key}")
        else:
            if kind == "value_error":
                lines.append(f"{section} 中的 {key}：{str(e['ctx'].get('error', e['msg']))}")
                continue
            expected = _TYPE_NAMES.get(kind, e["msg"])
            lines.append(f"{section} 中的 {key} 应为{expected}（当前：{e.get('input')!r}）")
    return ConfigError(f"配置文件 {source} 有误：" + "；".join(lines))


def _parse_calendar(raw: dict[str, dict[str, Any]]) -> Calendar:
    if "default" not in raw:
        raise ConfigError("配置文件缺少 [calendar.default]（整顿日历的默认月日）")
    default_file = _DefaultMilestonesFile.model_validate(raw["default"])
    default = {m: getattr(default_file, m) for m in MILESTONES}
    years: dict[int, dict[str, dt.date]] = {}
    for key, table in raw.items():
        if key == "default":
            continue
        if not (key.isdigit() and len(key) == 4):
            raise ConfigError(f"配置文件 [calendar.{key}] 应为四位年份，例如 [calendar.2019]")
        year = int(key)
        given = _MilestonesFile.model_validate(table)
        dates: dict[str, dt.date] = {}
        for name in MILESTONES:
            value = getattr(given, name)
            if value is None:
                month, day = (int(p) for p in default[name].split("-"))
                value = dt.date(year, month, day)
            dates[name] = value
        years[year] = dates
    return Calendar(default=default, years=years)


def _risk(f: _RiskFile) -> RiskWeights:
    weights = RiskWeights(violation=f.violation, warning=f.warning, repeat_in_year=f.repeat_in_year,
                          repeat_previous_year=f.repeat_previous_year,
                          rules={str(k).upper(): v for k, v in f.rules.items()})
    values = [weights.violation, weights.warning, weights.repeat_in_year, weights.repeat_previous_year,
              *weights.rules.values()]
    if any(v < 0 for v in values):
        raise ConfigError("配置文件 [risk] 中的权重不能为负数")
    unknown = sorted(set(weights.rules) - set(RULES_BY_ID))
    if unknown:
        raise ConfigError(f"配置文件 [risk.rules] 中有未知的规则：{'、'.join(unknown)}")
    if weights.violation < weights.warning:
        raise ConfigError("配置文件 [risk] 中 violation（违规）的权重不能小于 warning（预警）")
    return weights


def _security(f: _SecurityFile) -> SecuritySettings:
    from supervision.core.spec import TABLES_BY_KEY

    write_tables = dict(DEFAULT_WRITE_TABLES)
    for department, tables in f.write_tables.items():
        unknown = [t for t in tables if t not in TABLES_BY_KEY]
        if unknown:
            raise ConfigError(f"配置文件 [security.write_tables] 中 {department} 的表名未知：{'、'.join(unknown)}")
        write_tables[str(department).strip()] = tuple(str(t) for t in tables)
    ints = f.model_dump(exclude={"sso", "write_tables", "session_cookie_secure", "trusted_proxies"})
    if ints["idle_timeout_minutes"] < 1 or ints["lockout_threshold"] < 1 or ints["lockout_minutes"] < 1:
        raise ConfigError("配置文件 [security] 中的超时时间和锁定次数至少为 1")
    if not 1 <= ints["session_lifetime_hours"] <= 24 * 30:
        raise ConfigError("配置文件 [security] 中的 session_lifetime_hours（登录有效期，小时）应在 1 到 720 之间")
    if ints["session_lifetime_hours"] * 60 < ints["idle_timeout_minutes"]:
        raise ConfigError("配置文件 [security] 中的 session_lifetime_hours 不能短于 idle_timeout_minutes")
    if f.session_cookie_secure not in ("auto", "always", "never"):
        raise ConfigError("配置文件 [security] 中的 session_cookie_secure 应为 \"auto\"、\"always\" 或 \"never\"")
    try:
        proxies = tuple(_networks(f.trusted_proxies))
    except ValueError as exc:
        raise ConfigError(f"配置文件 [security] 中的 trusted_proxies：{exc}") from None
    if not 1 <= ints["password_min_classes"] <= 4:
        raise ConfigError("配置文件 [security] 中的 password_min_classes 应在 1 到 4 之间")
    sso = SingleSignOn(**f.sso.model_dump())
    return SecuritySettings(**ints, session_cookie_secure=f.session_cookie_secure, trusted_proxies=proxies,
                            sso=sso, write_tables=write_tables)


def _findings(f: _FindingsFile) -> FindingSettings:
    leads = dict(DEFAULT_LEAD_DEPARTMENTS)
    for rule, department in f.lead_departments.items():
        if str(rule).upper() not in RULES_BY_ID:
            raise ConfigError(f"配置文件 [findings.lead_departments] 中有未知的规则：{rule}")
        if not department.strip():
            raise ConfigError(f"配置文件 [findings.lead_departments] 中 {rule} 的牵头部门为空")
        leads[str(rule).upper()] = department.strip()
    if min(f.violation_days, f.warning_days, f.max_file_mb) < 1 or f.amber_days < 0:
        raise ConfigError("配置文件 [findings] 中的整改期限和附件大小至少为 1，提醒天数不能为负数")
    if not f.coordinator.strip():
        raise ConfigError("配置文件 [findings] 中的 coordinator（统筹部门）不能为空")
    return FindingSettings(violation_days=f.violation_days, warning_days=f.warning_days, amber_days=f.amber_days,
                           max_file_mb=f.max_file_mb, coordinator=f.coordinator.strip(), lead_departments=leads)


def _screen(f: _ScreenFile) -> ScreenSettings:
    if (f.night_from is None) != (f.night_until is None):
        raise ConfigError("配置文件 [screen] 中的 night_from 与 night_until 须同时设置（或都不设置）")
    return ScreenSettings(night_from=f.night_from, night_until=f.night_until)


def parse_security(raw: dict[str, Any]) -> SecuritySettings:
    """The [security] table alone; every key is optional and falls back to its default."""
    try:
        return _security(_SecurityFile.model_validate(raw))
    except ValidationError as exc:
        raise _explain(exc, "config.toml", ("security",)) from None


def parse_settings(raw: dict[str, Any], source: str = "config.toml") -> Settings:
    """Validate the parsed TOML against the known sections and keys, then build the typed settings."""
    try:
        f = _AppFile.model_validate(raw)
        calendar = _parse_calendar(f.calendar)
    except ValidationError as exc:
        raise _explain(exc, source) from None
    j = f.jurisdiction
    tol = f.tolerances
    return Settings(
        database_url=resolve_database_url(f.database.url),
        jurisdiction=Jurisdiction(
            name=j.name, province=j.province, city=j.city,
            townships_file=_resolve_path(j.townships_file), boundary_file=_resolve_path(j.boundary_file),
            boundary_name_field=j.boundary_name_field, boundary_is_schematic=j.boundary_is_schematic,
            bounds=Bounds(j.bounds.min_lon, j.bounds.max_lon, j.bounds.min_lat, j.bounds.max_lat),
            aliases={k.strip(): v.strip() for k, v in j.aliases.items()},
        ),
        calendar=calendar,
        tolerances=Tolerances(**tol.model_dump()),
        max_upload_mb=f.import_.max_upload_mb,
        max_unpacked_mb=f.import_.max_unpacked_mb,
        max_member_mb=f.import_.max_member_mb,
        max_rows_per_table=f.import_.max_rows_per_table,
        max_errors_per_column=f.import_.max_errors_per_column,
        risk=_risk(f.risk),
        security=_security(f.security),
        display=Display(timezone=f.display.timezone, help_contact=f.display.help_contact,
                        default_year=f.display.default_year, trend_years=f.display.trend_years),
        findings=_findings(f.findings),
        screen=_screen(f.screen),
        monitoring=MonitoringSettings(allowed=tuple(f.monitoring.allowed)),
        cache=CacheSettings(warm_up=f.cache.warm_up, poll_seconds=f.cache.poll_seconds),
        raw=raw,
    )


@lru_cache(maxsize=4)
def _load(path: str, database_url_env: str | None) -> Settings:
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是有效的 TOML：{exc}") from None
    if database_url_env:
        raw.setdefault("database", {})["url"] = database_url_env
    return parse_settings(raw, Path(path).name)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from SUPERVISION_CONFIG or config.toml; DATABASE_URL overrides the database URL."""
    chosen = path or os.environ.get("SUPERVISION_CONFIG") or DEFAULT_CONFIG
    return _load(str(chosen), os.environ.get("DATABASE_URL") or None)
