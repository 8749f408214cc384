"""The data-exchange specification, section 3, as data: tables, headers, types and keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    """How a cell is read and checked."""

    TEXT = "文本"
    USCC = "统一社会信用代码"
    ENUM = "枚举"
    TONNES = "数量（最多3位小数）"
    TONNES_SIGNED = "数量（可为负，仅红冲）"
    YUAN = "金额（最多2位小数）"
    YUAN_SIGNED = "金额（可为负，仅红冲）"
    SCORE = "分值（最多2位小数）"
    COORD = "坐标"
    INT = "整数"
    YEAR = "年度"
    DATE = "日期"
    PERIOD = "月份"
    BOOL = "是/否"
    TOWNSHIP = "镇区"
    HS_CODE = "商品编码"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    required: bool = False
    natural_key: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    attr: str | None = None  # model attribute when it differs from the key
    min_value: int | None = None
    max_value: int | None = None

    @property
    def attribute(self) -> str:
        return self.attr or self.key


@dataclass(frozen=True)
class TableSpec:
    key: str
    name: str
    columns: tuple[Column, ...]
    enterprise_refs: tuple[str, ...] = ()  # columns that must name an enterprise in the directory
    description: str = ""
    by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, Column] = {}
        for col in self.columns:
            lookup[col.key.lower()] = col
            lookup[col.header] = col
        object.__setattr__(self, "by_header", lookup)

    @property
    def key_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.natural_key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def match_header(self, header: str) -> Column | None:
        """The column a header names: the English key (any case) or the Chinese header."""
        text = header.strip().lstrip("\ufeff").strip()
        return self.by_header.get(text) or self.by_header.get(text.lower())

    @property
    def label(self) -> str:
        return f"{self.name}（{self.key}）"


CATEGORIES = ("冶炼分离", "资源综合利用", "贸易流通", "金属冶炼", "深加工应用")
ENTERPRISE_STATUSES = ("在产", "停产", "关闭")
COORD_SYSTEMS = ("WGS84", "GCJ02", "BD09")
QUOTA_KINDS = ("冶炼分离", "开采")
PRODUCT_CATEGORIES = ("MINE", "SALT", "HYDROX", "OXIDE", "OTHER_CPD", "METAL", "SCRAP", "TOLL_FEE")
PRODUCT_CATEGORY_NAMES = {
    "MINE": "矿产品",
    "SALT": "盐类",
    "HYDROX": "氢氧化物",
    "OXIDE": "氧化物",
    "OTHER_CPD": "其他化合物",
    "METAL": "金属及合金",
    "SCRAP": "废料",
    "TOLL_FEE": "加工费",
}
UNITS = ("公斤", "吨")
INVOICE_STATUSES = ("正常", "作废", "红冲")
DIRECTIONS = ("进口", "出口")
ENVIRONMENT_KINDS = ("超标排放", "放射性废渣处置不当", "环评手续不全", "治污设施运行不正常", "其他")
TIPOFF_STATUSES = ("已受理", "核查中", "已办结")
QUOTA_BATCHES = ("1", "2", "3")

U = Kind.USCC

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "enterprises",
        "企业名录",
        (
            Column("uscc", "统一社会信用代码", U, required=True, natural_key=True),
            Column("name", "企业名称", Kind.TEXT, required=True),
            Column("category", "企业类别", Kind.ENUM, required=True, choices=CATEGORIES),
            Column("township", "所属镇区", Kind.TOWNSHIP, required=True),
            Column("address", "地址", Kind.TEXT),
            Column("lon", "经度", Kind.COORD),
            Column("lat", "纬度", Kind.COORD),
            Column("coord_system", "坐标系", Kind.ENUM, choices=COORD_SYSTEMS, default="WGS84"),
            Column("group", "所属集团", Kind.TEXT, attr="group_name"),
            Column("approved_capacity_t", "核准产能", Kind.TONNES),
            Column("status", "生产状态", Kind.ENUM, choices=ENTERPRISE_STATUSES, default="在产"),
            Column("eia_approved", "环评批复", Kind.BOOL),
            Column("eia_accepted", "环保竣工验收", Kind.BOOL),
            Column("last_clean_audit", "最近清洁生产审核日期", Kind.DATE),
        ),
        description="工信局、市场监管局：辖区稀土企业的名录、类别、位置与环保手续。",
    ),
    TableSpec(
        "quotas",
        "总量控制指标",
        (
            Column("year", "年度", Kind.YEAR, required=True, natural_key=True),
            Column("batch", "批次", Kind.INT, required=True, natural_key=True, min_value=1, max_value=3),
            Column("uscc", "统一社会信用代码", U, required=True, natural_key=True),
            Column("kind", "指标类型", Kind.ENUM, natural_key=True, choices=QUOTA_KINDS, default="冶炼分离"),
            Column("quota_t", "指标", Kind.TONNES, required=True),
        ),
        enterprise_refs=("uscc",),
        description="工信局：工信部下达的稀土冶炼分离（或开采）总量控制计划，按批次。",
    ),
    TableSpec(
        "monthly_reports",
        "企业月报",
        (
            Column("uscc", "统一社会信用代码", U, required=True, natural_key=True),
            Column("period", "月份", Kind.PERIOD, required=True, natural_key=True),
            Column("purchase_ore_domestic_t", "采购国内矿产品", Kind.TONNES),
            Column("purchase_ore_imported_t", "采购进口矿产品", Kind.TONNES),
            Column("purchase_compound_t", "采购富集物及化合物", Kind.TONNES),
            Column("purchase_scrap_t", "采购废料", Kind.TONNES),
            Column("production_t", "冶炼分离产量", Kind.TONNES),
            Column("sales_t", "销售量", Kind.TONNES),
            Column("inventory_t", "期末产品库存", Kind.TONNES),
            Column("raw_inventory_t", "期末原料库存", Kind.TONNES),
            Column("toll_processing_t", "受托加工量", Kind.TONNES),
            Column("submitted_on", "报送日期", Kind.DATE),
        ),
        enterprise_refs=("uscc",),
        description="企业经镇区报工信局：原材料采购、实际产量、销售量、库存（折REO吨）。",
    ),
    TableSpec(
        "invoices",
        "稀土专用发票",
        (
            Column("invoice_no", "发票号码", Kind.TEXT, required=True, natural_key=True),
            Column("issued_on", "开票日期", Kind.DATE, required=True),
            Column("seller_uscc", "销方税号", U, required=True),
            Column("buyer_uscc", "购方税号", U, required=True),
            Column("product_category", "产品类别", Kind.ENUM, required=True, choices=PRODUCT_CATEGORIES),
            Column("product_name", "品名", Kind.TEXT),
            Column("quantity", "数量", Kind.TONNES_SIGNED),
            Column("unit", "单位", Kind.ENUM, choices=UNITS),
            Column("reo_t", "折REO", Kind.TONNES_SIGNED, required=True),
            Column("amount_yuan", "金额", Kind.YUAN_SIGNED),
            Column("status", "状态", Kind.ENUM, choices=INVOICE_STATUSES, default="正常"),
        ),
        description="税务局：稀土增值税专用发票（作废不计，红冲按负数计）。",
    ),
    TableSpec(
        "traceability",
        "追溯系统月度数据",
        (
            Column("uscc", "统一社会信用代码", U, required=True, natural_key=True),
            Column("period", "月份", Kind.PERIOD, required=True, natural_key=True),
            Column("production_t", "产量", Kind.TONNES),
            Column("sales_t", "销量", Kind.TONNES),
        ),
        enterprise_refs=("uscc",),
        description="工信局：稀土产品追溯系统的月度产量与销量。",
    ),
    TableSpec(
        "resource_tax",
        "资源税完税证明",
        (
            Column("certificate_no", "完税证明号", Kind.TEXT, required=True, natural_key=True),
            Column("uscc", "统一社会信用代码", U, required=True),
            Column("issued_on", "开具日期", Kind.DATE, required=True),
            Column("ore_t", "矿产品数量", Kind.TONNES, required=True),
            Column("tax_yuan", "税额", Kind.YUAN),
        ),
        enterprise_refs=("uscc",),
        description="税务局：冶炼分离企业采购矿产品的资源税完税证明。",
    ),
    TableSpec(
        "licenses",
        "进出口许可证",
        (
            Column("license_no", "许可证号", Kind.TEXT, required=True, natural_key=True),
            Column("uscc", "统一社会信用代码", U, required=True),
            Column("direction", "进出口", Kind.ENUM, required=True, choices=DIRECTIONS),
            Column("hs_code", "商品编码", Kind.HS_CODE, required=True),
            Column("quantity_t", "许可数量", Kind.TONNES, required=True),
            Column("valid_from", "有效期起", Kind.DATE, required=True),
            Column("valid_to", "有效期止", Kind.DATE, required=True),
        ),
        enterprise_refs=("uscc",),
        description="商务局：稀土进出口许可证（数量为货物吨数）。",
    ),
    TableSpec(
        "customs",
        "进出口报关单",
        (
            Column("declaration_no", "报关单号", Kind.TEXT, required=True, natural_key=True),
            Column("declared_on", "申报日期", Kind.DATE, required=True),
            Column("uscc", "统一社会信用代码", U, required=True),
            Column("direction", "进出口", Kind.ENUM, required=True, choices=DIRECTIONS),
            Column("hs_code", "商品编码", Kind.HS_CODE, required=True),
            Column("product_name", "商品名称", Kind.TEXT),
            Column("quantity_t", "数量", Kind.TONNES, required=True),
            Column("reo_t", "折REO", Kind.TONNES),
            Column("country", "国别", Kind.TEXT),
            Column("license_no", "许可证号", Kind.TEXT),
            Column("inspection_no", "法检批次号", Kind.TEXT),
        ),
        enterprise_refs=("uscc",),
        description="海关：稀土进出口报关单，出口须批批法检。",
    ),
    TableSpec(
        "environment",
        "环保监管记录",
        (
            Column("record_id", "记录编号", Kind.TEXT, required=True, natural_key=True),
            Column("uscc", "统一社会信用代码", U, required=True),
            Column("recorded_on", "发现日期", Kind.DATE, required=True),
            Column("kind", "问题类型", Kind.ENUM, required=True, choices=ENVIRONMENT_KINDS),
            Column("description", "情况说明", Kind.TEXT),
            Column("resolved_on", "整改完成日期", Kind.DATE),
        ),
        enterprise_refs=("uscc",),
        description="生态环境局：发现的环保问题及整改完成日期。",
    ),
    TableSpec(
        "self_checks",
        "企业自查表",
        (
            Column("uscc", "统一社会信用代码", U, required=True, natural_key=True),
            Column("year", "年度", Kind.YEAR, required=True, natural_key=True),
            Column("submitted_on", "报送日期", Kind.DATE),
            Column("problems_found", "发现问题数", Kind.INT, min_value=0),
            Column("problems_rectified", "已整改数", Kind.INT, min_value=0),
            Column("description", "问题及整改情况", Kind.TEXT),
        ),
        enterprise_refs=("uscc",),
        description="企业经镇区：企业自查表（107号附件1）。",
    ),
    TableSpec(
        "township_reports",
        "镇（区）自查情况汇总表",
        (
            Column("township", "镇区", Kind.TOWNSHIP, required=True, natural_key=True),
            Column("year", "年度", Kind.YEAR, required=True, natural_key=True),
            Column("submitted_on", "报送日期", Kind.DATE),
            Column("enterprises_total", "企业总数", Kind.INT, min_value=0),
            Column("enterprises_checked", "已排查企业数", Kind.INT, min_value=0),
            Column("problems_found", "发现问题数", Kind.INT, min_value=0),
            Column("problems_rectified", "已整改数", Kind.INT, min_value=0),
            Column("cases_transferred", "移送案件数", Kind.INT, min_value=0),
        ),
        description="各镇（区）：自查情况汇总表（107号附件3），8月13日前报市工信局。",
    ),
    TableSpec(
        "scoring_items",
        "督查评价表条目",
        (
            Column("year", "年度", Kind.YEAR, required=True, natural_key=True),
            Column("item_code", "条目编号", Kind.TEXT, required=True, natural_key=True),
            Column("section", "类别", Kind.TEXT, required=True),
            Column("item", "评价内容", Kind.TEXT, required=True),
            Column("max_score", "分值", Kind.SCORE, required=True),
        ),
        description="督查组：当年的督查评价表条目与分值（107号附件2），按年导入。",
    ),
    TableSpec(
        "inspection_scores",
        "督查评分",
        (
            Column("township", "镇区", Kind.TOWNSHIP, required=True, natural_key=True),
            Column("year", "年度", Kind.YEAR, required=True, natural_key=True),
            Column("item_code", "条目编号", Kind.TEXT, required=True, natural_key=True),
            Column("score", "得分", Kind.SCORE, required=True),
            Column("inspected_on", "督查日期", Kind.DATE),
            Column("inspector", "督查人员", Kind.TEXT),
            Column("note", "扣分说明", Kind.TEXT),
        ),
        description="督查组：对各镇（区）逐条评分及扣分说明。",
    ),
    TableSpec(
        "tipoffs",
        "举报线索",
        (
            Column("tipoff_id", "线索编号", Kind.TEXT, required=True, natural_key=True),
            Column("received_on", "受理日期", Kind.DATE, required=True),
            Column("channel", "来源渠道", Kind.TEXT),
            Column("township", "镇区", Kind.TOWNSHIP),
            Column("subject_uscc", "被举报企业代码", U),
            Column("subject_name", "被举报对象", Kind.TEXT),
            Column("summary", "线索摘要", Kind.TEXT),
            Column("department", "承办部门", Kind.TEXT),
            Column("status", "办理状态", Kind.ENUM, required=True, choices=TIPOFF_STATUSES),
            Column("resolved_on", "办结日期", Kind.DATE),
            Column("feedback_on", "反馈日期", Kind.DATE),
        ),
        description="各部门：群众举报、媒体曝光线索及查处结果反馈。",
    ),
    TableSpec(
        "penalties",
        "行政处罚与黑名单",
        (
            Column("case_no", "案件编号", Kind.TEXT, required=True, natural_key=True),
            Column("uscc", "统一社会信用代码", U, required=True),
            Column("decided_on", "决定日期", Kind.DATE, required=True),
            Column("department", "处罚部门", Kind.TEXT),
            Column("violation", "违法行为", Kind.TEXT),
            Column("measure", "处罚措施", Kind.TEXT),
            Column("fine_yuan", "罚款金额", Kind.YUAN),
            Column("blacklisted_until", "黑名单截止日期", Kind.DATE),
        ),
        enterprise_refs=("uscc",),
        description="各执法部门：行政处罚决定与企业黑名单。",
    ),
)

TABLES_BY_KEY: dict[str, TableSpec] = {t.key: t for t in TABLES}
TABLES_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


def table_for_name(name: str) -> TableSpec | None:
    """The table a file or sheet name stands for: English key (any case) or Chinese name."""
    text = name.strip()
    return TABLES_BY_KEY.get(text.lower()) or TABLES_BY_NAME.get(text) or _loose_name(text)


def _loose_name(text: str) -> TableSpec | None:
    # Township clerks type the half-width brackets of 镇(区)自查情况汇总表 as often as the full-width ones.
    normalised = text.replace("(", "（").replace(")", "）")
    return TABLES_BY_NAME.get(normalised)
