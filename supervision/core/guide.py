"""The help page's content: what each rule checks, with its clause, its tolerance as configured and an example.

Kept beside the rule catalogue so that a changed tolerance in config.toml changes the explanation too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from supervision.core.config import Settings
from supervision.core.findings import RULES, Rule


@dataclass(frozen=True)
class RuleHelp:
    rule: Rule
    checks: str  # what the rule compares, in plain words
    tolerance: str  # the configured allowance, or "—"
    example: str


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def rule_help(settings: Settings) -> list[RuleHelp]:
    """Every rule of the catalogue with its plain-words explanation under the configured tolerances."""
    t = settings.tolerances
    band = f"差额超过该数的{_pct(t.relative)}且超过{_num(t.absolute_t)}吨"
    texts: dict[str, tuple[str, str, str]] = {
        "R01": ("非资源综合利用企业当年有产量，却没有冶炼分离总量控制指标。", "—",
                "某分离企业1–7月月报产量120吨，当年没有下达指标。"),
        "R02": ("当年产量合计超过下达的冶炼分离指标合计。", "超过即违规（精确到千克）",
                "指标1,500吨，截至9月产量1,520吨。"),
        "W01": ("尚未超指标，但产量已达到指标的预警线。", f"预警线为指标的{_pct(t.quota_warning)}",
                f"指标1,000吨，产量{_num(Decimal(1000) * t.quota_warning)}吨即预警。"),
        "R03": ("月报中有代加工量（方案严禁开展代加工业务）。", "—", "某月月报代加工量5吨。"),
        "R04": ("产量大于原料所能支撑的量：四类采购＋期初原料库存－期末原料库存。",
                f"产量超过原料可用量的{_num(t.raw_material_factor)}倍",
                "采购与库存变化合计100吨，产量110吨。"),
        "R05": ("企业月报销量与其作为销方开具的稀土专用发票折REO合计不符（作废不计，红冲按负数）。", band,
                "月报销量800吨，发票合计700吨。"),
        "R06": ("月报产量与稀土产品追溯系统产量不符。", band, "月报产量500吨，追溯系统450吨。"),
        "R07": ("采购国内矿产品量多于资源税完税证明所载矿量。", band, "采购国内矿300吨，完税证明合计250吨。"),
        "R08": ("资源综合利用企业以矿产品、富集物或化合物为原料（只能用废料等二次资源）。", "有即违规",
                "综合利用企业作为购方取得稀土氧化物发票。"),
        "R09": ("进出口许可证被超量使用，或被其他企业、反方向、有效期外的报关单引用（一证多用）。", "—",
                "许可证数量100吨，引用它的报关单合计120吨。"),
        "R10": ("出口报关单没有许可证号，或许可证号不在许可证表中。", "—", "出口报关单许可证号为空。"),
        "R11": ("出口报关单没有法检批次号（方案要求批批必检）。", "—", "出口报关单法检批次号为空。"),
        "R12": ("贸易企业卖出的量多于买入与进口之和（来源不明）。", band, "贸易企业卖出200吨，买入与进口150吨。"),
        "R13": ("当年发现的环保问题截至该日尚未整改完成。", "—", "8月5日发现的问题，截至8月13日未整改。"),
        "R14": ("在产的冶炼分离或综合利用企业环评未批复或未验收。", "—", "在产企业环评验收为“否”。"),
        "R15": ("在产的冶炼分离或综合利用企业清洁生产审核缺失或已逾期。",
                f"上次审核距今超过{t.clean_audit_days}天", "上次审核在两年多以前。"),
        "R16": ("冶炼分离、综合利用、贸易企业在自查截止日前没有报送自查表（逾期报送和未报送都计）。",
                "按整顿日历的自查截止日", "2019年自查截止7月31日，8月2日才报送。"),
        "R17": ("有企业的镇（区）在上报截止日前没有报送自查汇总表。", "按整顿日历的上报截止日",
                "2019年8月13日前未报送。"),
        "R18": ("举报线索受理后超过反馈时限仍未反馈，或反馈晚于时限。", f"受理后{t.tipoff_feedback_days}天",
                "7月1日受理，截至8月13日未反馈。"),
        "R19": ("在产的冶炼分离或综合利用企业缺报某月月报（报送期限为次月的规定日）。",
                f"次月{t.monthly_report_due_day}日前", "6月月报到7月10日仍未报送。"),
    }
    return [RuleHelp(rule, *texts[rule.id]) for rule in RULES]


# What each page shows, by its url_path in app.py.
PAGE_HELP: dict[str, str] = {
    "overview": "总览：企业数、指标使用率、问题线索数、整顿进度等关键指标，各镇（区）分布和数据状态。"
                "大屏链接打开的也是这一页。",
    "map": "镇区地图：各镇（区）的企业点位和着色指标（边界为示意）。点镇区即按该镇区筛选各页，点企业打开企业档案。",
    "quota": "配额执行：冶炼分离总量控制指标的使用率，月报产量、追溯系统产量、销量、发票开具量与完税矿量对照。",
    "flows": "物料流向：一年中稀土（折REO）从哪里来、经过哪些冶炼和贸易企业、到哪里去；账目对不上的部分以红色差额流"
             "标出，并注明相关核查规则（R04、R05、R07、R12）。",
    "progress": "工作进度：整顿日历（7月自查、8月督查、8月13日镇区上报）和各镇（区）、各企业的报送红黄绿灯。",
    "scoring": "督查评分：督查评价表的得分、排名、扣分明细和与上年比较。",
    "enterprises": "企业档案：一家企业的全部数据（指标、月报、发票、进出口、环保、自查、问题线索、处罚），"
                   "每个数字背后的原始行。",
    "findings": "问题线索：核查规则发现的问题及其证据行、风险排名、举报线索、处罚与黑名单。",
    "meeting": "会议材料：一键生成会议用的PPT、PDF和镇区自查报告、市汇总Word文档。",
    "data_entry": "数据上传：上传部门数据包，先预览（新增、更新、被拒绝的行），确认后才写入；下载填报模板。",
}

# The lights of the progress page and the wall.
LIGHTS: tuple[tuple[str, str], ...] = (
    ("红灯", "截止日已过仍未报送（逾期未交），或问题逾期未整改。"),
    ("黄灯", "逾期后才报送（逾期提交），或距截止日不足规定天数（临近截止）。"),
    ("绿灯", "按时报送，或尚未到期。"),
)

AS_OF_TEXT = (
    "“截至”某日，是指只统计到那一天为止已经发生、已经报送的数据，页面、导出和命令行都按同一规则：\n\n"
    "- 有日期的记录（发票、完税证明、报关单、环保问题、自查表、汇总表、督查评分、举报、处罚）按其日期计，"
    "日期在截至日之后的不计；\n"
    "- 按月报送的数据（月报、追溯系统）只计已经结束的月份：截至8月13日，合计的是1–7月；\n"
    "- 整改、办结、反馈等“关闭”一件事的日期，也只有在截至日当天或之前才算数；\n"
    "- 企业名录、指标、许可证等没有日期的数据按现状计。\n\n"
    "截至日在年末或之后时，结果与全年数据相同；往前选一个日期，就能看到那一天的情况。"
)

IMPORT_STEPS: tuple[str, ...] = (
    "在“数据上传”页下载本部门的Excel填报模板（或按数据交换规范准备CSV文件夹、ZIP压缩包）。",
    "上传文件：系统先预览，列出将新增、将更新（原值→新值）和被拒绝的行，被拒绝的行写明表、行号、列和原因。",
    "有被拒绝的行时整个文件都不会导入：按校验报告修改后重新上传。",
    "预览无误后点“确认导入”，数据一次性写入，并记入审计日志。",
)
