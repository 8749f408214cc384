"""What a check finds: the rule catalogue of spec section 4 and the Finding record pages and exports read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VIOLATION = "违规"
WARNING = "预警"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    subject: str  # what the finding is about: uscc, license_no, declaration_no, township or tipoff_id
    severity: str
    clause: str


RULES: tuple[Rule, ...] = (
    Rule("R01", "无计划生产", "uscc", VIOLATION, "107号 二(一)"),
    Rule("R02", "超计划生产", "uscc", VIOLATION, "107号 二(一)"),
    Rule("W01", "指标使用预警", "uscc", WARNING, "107号 二(一)"),
    Rule("R03", "代加工", "uscc", VIOLATION, "107号 二(一) 严禁开展代加工业务"),
    Rule("R04", "原料来源不足", "uscc", VIOLATION, "107号 二(一) 收购、加工非法稀土矿产品"),
    Rule("R05", "发票与销量不符", "uscc", VIOLATION, "107号 二(三) 不开或虚开发票"),
    Rule("R06", "追溯数据与月报不符", "uscc", VIOLATION, "107号 二(一) 稀土产品追溯系统"),
    Rule("R07", "矿产品无完税证明", "uscc", VIOLATION, "107号 二(一) 资源税完税证明"),
    Rule("R08", "综合利用企业违规原料", "uscc", VIOLATION, "107号 二(二)"),
    Rule("R09", "许可证超量或冒用", "license_no", VIOLATION, "107号 二(一) 一证多用；二(三)"),
    Rule("R10", "出口无许可证", "declaration_no", VIOLATION, "107号 二(三)"),
    Rule("R11", "出口未法检", "declaration_no", VIOLATION, "107号 二(三) 批批必检"),
    Rule("R12", "贸易企业来源不明", "uscc", VIOLATION, "107号 二(三) 买卖非法稀土产品"),
    Rule("R13", "环保问题未整改", "uscc", VIOLATION, "107号 三(五)"),
    Rule("R14", "环保手续不全", "uscc", VIOLATION, "107号 三(五)"),
    Rule("R15", "清洁生产审核逾期", "uscc", VIOLATION, "苏政发〔2012〕6号 二"),
    Rule("R16", "企业自查逾期", "uscc", VIOLATION, "107号 五(十二)"),
    Rule("R17", "镇区汇总逾期", "township", VIOLATION, "107号 五(十四)"),
    Rule("R18", "举报反馈超期", "tipoff_id", VIOLATION, "107号 四(十)"),
    Rule("R19", "月报缺报", "uscc", VIOLATION, "107号 二(一) 及时、如实填报"),
)
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


@dataclass(frozen=True)
class EvidenceRow:
    """A source row behind a finding, e.g. ("invoices", "04512345") or ("monthly_reports", "9132…|2019-07")."""

    table: str
    key: str
    label: str = ""


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    year: int
    severity: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)  # the totals compared, as exact decimals or dates
    rows: tuple[EvidenceRow, ...] = ()
    # The enterprise and township the finding concerns, for filters and drill-down (None when unknown).
    uscc: str | None = None
    enterprise_name: str | None = None
    township: str | None = None
    category: str | None = None

    @property
    def rule_name(self) -> str:
        return RULES_BY_ID[self.rule].name
