"""The markup rule, enforced on the source: nothing from data or the URL reaches Streamlit's markdown unescaped.

Streamlit renders markdown (links, images, emphasis, :material/…: icons, :red[…] colours,
LaTeX) in st.markdown, captions, titles, alerts, metric labels and values, tab and expander
labels, widget labels and help texts, radio/pills options and st.table cells. A value passed there must be
a literal, a call of `supervision.core.safety.md_escape`, a number, or built only of those
(an f-string or `+` whose every part is one; a name whose every assignment in its scope is
one). Anything else (a variable, an attribute, `%` or `.format`, a call) is refused with
its file and line. Calls that never interpret markdown (st.text, st.code, dataframes,
selectbox options, placeholders) are not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from supervision.core.safety import md_escape, plot_text

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("app_pages", "components")
FILES = ("app.py",)

BODY_CALLS = {"markdown", "caption", "header", "subheader", "title", "info", "warning", "error", "success", "toast",
              "spinner", "badge", "dialog"}
LABEL_CALLS = {"expander", "popover", "button", "download_button", "link_button", "form_submit_button", "page_link",
               "checkbox", "toggle", "radio", "selectbox", "multiselect", "select_slider", "slider", "text_input",
               "text_area", "number_input", "date_input", "time_input", "datetime_input", "file_uploader",
               "color_picker", "pills", "segmented_control", "camera_input", "audio_input", "feedback"}
COLUMN_CALLS = {"Column", "TextColumn", "NumberColumn", "CheckboxColumn", "SelectboxColumn", "DatetimeColumn",
                "DateColumn", "TimeColumn", "ListColumn", "LinkColumn", "ImageColumn", "ProgressColumn",
                "LineChartColumn", "BarChartColumn", "AreaChartColumn", "JsonColumn", "MultiselectColumn"}
OPTION_CALLS = {"radio", "pills", "segmented_control"}  # these render their options as markdown
NOT_STREAMLIT = {"logger", "log", "logging", "warnings", "re", "os", "sys", "fh", "buffer", "out", "writer", "zf"}
NUMBER_CALLS = {"len", "int", "float", "round", "abs", "sum", "min", "max"}
# Names from other modules that hold code constants (no data), as a small reviewed list.
ALLOWED_NAMES = {
    "MEASURES",  # components.mapview.MEASURES: the map's measure labels
    "AS_OF_TEXT",  # supervision.core.guide.AS_OF_TEXT: the help page's markdown, written in code
}
# Attributes typed as integers wherever they occur (components.filters.Filters.year).
NUMERIC_ATTRIBUTES = {"year"}


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _call_name(node: ast.Call) -> tuple[str | None, str | None]:
    """(receiver name, method name) of `receiver.method(...)`; receiver None when it is not a plain name."""
    if isinstance(node.func, ast.Attribute):
        value = node.func.value
        receiver = value.id if isinstance(value, ast.Name) else value.attr if isinstance(value, ast.Attribute) else None
        return receiver, node.func.attr
    if isinstance(node.func, ast.Name):
        return None, node.func.id
    return None, None


def _is_escape(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _call_name(node)[1] == "md_escape"


def _numeric_spec(spec: ast.expr | None) -> bool:
    """A format spec that a str refuses (`,.1f`, `d`, `%Y-%m-%d`): the value is a number or a date."""
    if not isinstance(spec, ast.JoinedStr) or not all(isinstance(v, ast.Constant) for v in spec.values):
        return False
    text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
    return bool(text) and ("%" in text or text[-1] in "bcdeEfFgGnoxX,")


class Scope:
    """Which names of one function (or module) hold only safe text: every assignment to them is safe."""

    def __init__(self, node: ast.AST, outer: Scope | None) -> None:
        self.outer = outer
        self.assigned: dict[str, list[ast.expr]] = {}
        self.unsafe: set[str] = set()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if a is not None:
                    self.unsafe.add(a.arg)
        for child in _own_nodes(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind(target, child.value)
            elif isinstance(child, (ast.AnnAssign, ast.AugAssign)) and child.value is not None:
                self._bind(child.target, child.value if isinstance(child, ast.AnnAssign) else None)
            elif isinstance(child, (ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(child.target, None)
            elif isinstance(child, ast.withitem) and child.optional_vars is not None:
                self._bind(child.optional_vars, None)
            elif isinstance(child, ast.NamedExpr):
                self._bind(child.target, child.value)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    self.unsafe.add((alias.asname or alias.name).split(".")[0])
        self.safe: set[str] = set()
        changed = True
        while changed:  # a fixed point: a name built from safe names is safe
            changed = False
            for name, values in self.assigned.items():
                if name not in self.safe and name not in self.unsafe and all(self.is_safe(v) for v in values):
                    self.safe.add(name)
                    changed = True

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                self.unsafe.add(target.id)
            else:
                self.assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else []
            for i, element in enumerate(target.elts):
                self._bind(element, values[i] if len(values) == len(target.elts) else None)

    def knows(self, name: str) -> bool:
        return name in self.assigned or name in self.unsafe

    def name_is_safe(self, name: str) -> bool:
        if name in ALLOWED_NAMES:
            return True
        if self.knows(name):
            return name in self.safe
        return self.outer is not None and self.outer.name_is_safe(name)

    def is_safe(self, node: ast.expr) -> bool:
        """Whether `node` can only be literal text, escaped text or a number."""
        if isinstance(node, ast.Constant):
            return True
        if _is_escape(node):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.is_safe(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return _numeric_spec(node.format_spec) or self.is_safe(node.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.is_safe(node.left) and self.is_safe(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv)):
            return self.is_safe(node.left) and self.is_safe(node.right)  # arithmetic on numbers
        if isinstance(node, ast.IfExp):
            return self.is_safe(node.body) and self.is_safe(node.orelse)
        if isinstance(node, ast.Name):
            return self.name_is_safe(node.id)
        if isinstance(node, ast.Attribute):
            return node.attr in NUMERIC_ATTRIBUTES or node.attr in ALLOWED_NAMES
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self.is_safe(node.elt)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.is_safe(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(v is not None and self.is_safe(v) for v in node.values)
        if isinstance(node, ast.Subscript):  # an element of a literal table of texts
            return isinstance(node.value, (ast.Name, ast.Attribute)) and self.is_safe(node.value)
        if isinstance(node, ast.Call):
            receiver, name = _call_name(node)
            if receiver is None and name in NUMBER_CALLS:
                return True
            if (name == "join" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Constant)
                    and len(node.args) == 1 and isinstance(node.args[0], (ast.GeneratorExp, ast.ListComp))):
                return self.is_safe(node.args[0].elt)  # "、".join(md_escape(x) for x in xs)
            # TEXTS.get(key, "—") on a literal table of texts
            return (name == "get" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                    and self.name_is_safe(node.func.value.id) and all(self.is_safe(a) for a in node.args[1:]))
        return False


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `node`'s own scope (not those of nested functions, lambdas or classes)."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            yield from _own_nodes(child)


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _markdown_arguments(call: ast.Call, modules: set[str]) -> Iterator[tuple[str, ast.expr]]:
    """(what, expression) for every argument of `call` that Streamlit renders as markdown.

    `modules` are the names the file imports other than Streamlit: `sources.caption(...)` is not `st.caption`.
    """
    receiver, name = _call_name(call)
    if name is None or receiver in NOT_STREAMLIT or receiver in modules or not (call.args or call.keywords):
        return
    if name in BODY_CALLS:
        for what, pos, kw in (("text", 0, "body"), ("help", None, "help")):
            if (arg := _argument(call, pos, kw)) is not None:
                yield f"st.{name} {what}", arg
    elif name == "write":
        for arg in call.args:
            yield "st.write", arg
    elif name == "metric":
        for what, pos in (("label", 0), ("value", 1), ("delta", 2), ("help", None)):
            if (arg := _argument(call, pos, what)) is not None:
                yield f"st.metric {what}", arg
    elif name in ("progress", "status"):  # st.progress(value, text=...), st.status(label)
        if (arg := _argument(call, None if name == "progress" else 0, "text" if name == "progress" else "label")):
            yield f"st.{name} text", arg
    elif name == "table":  # st.table renders every cell (and header) as markdown
        if (arg := _argument(call, 0, "data")) is not None:
            yield "st.table cells", arg
    elif name == "tabs":
        if (arg := _argument(call, 0, "tabs")) is not None:
            yield "st.tabs labels", arg
    elif name in LABEL_CALLS:
        label = _argument(call, None if name == "page_link" else 0, "label")
        for what, arg in (("label", label), ("help", _argument(call, None, "help"))):
            if arg is not None:
                yield f"st.{name} {what}", arg
        if name == "radio" and (captions := _argument(call, None, "captions")) is not None:
            yield "st.radio captions", captions
        if name in OPTION_CALLS and (options := _argument(call, 1, "options")) is not None:
            fmt = _argument(call, None, "format_func")
            if not ((isinstance(fmt, ast.Name) and fmt.id == "md_escape")
                    or (isinstance(fmt, ast.Lambda) and _is_escape(fmt.body))):
                yield f"st.{name} options (markdown; or format_func=md_escape)", options
    elif name in COLUMN_CALLS and receiver == "column_config":
        if (arg := _argument(call, None, "help")) is not None:
            yield f"column_config.{name} help", arg


def problems_in(source: str, filename: str) -> list[Problem]:
    """Every markdown argument in `source` that is not provably literal or escaped."""
    tree = ast.parse(source, filename)
    found: list[Problem] = []
    modules = {(alias.asname or alias.name).split(".")[0] for node in ast.walk(tree)
               if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names} - {"st", "streamlit"}

    def visit(node: ast.AST, scope: Scope) -> None:
        for child in _own_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, Scope(child, scope))
            elif isinstance(child, ast.ClassDef):
                visit(child, scope)
            if isinstance(child, ast.Call):
                receiver, name = _call_name(child)
                first = _argument(child, 0, "body")
                if (name in ("title", "header", "subheader") and receiver not in modules | NOT_STREAMLIT
                        and first is not None and "md_escape(" in ast.unparse(first)
                        and not any(kw.arg == "anchor" for kw in child.keywords)):
                    found.append(Problem(f"{filename}:{child.lineno}",
                                         f"st.{name} of data needs anchor=False (its link target is the data)"))
                for what, arg in _markdown_arguments(child, modules):
                    if not scope.is_safe(arg):
                        kind = _describe(arg)
                        found.append(Problem(f"{filename}:{arg.lineno}",
                                             f"{kind} passed to {what} without md_escape(): {ast.unparse(arg)[:80]}"))

    visit(tree, Scope(tree, None))
    return found


def _describe(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr):
        return "an f-string with unescaped parts"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "a %-formatted string"
    if isinstance(node, ast.BinOp):
        return "a concatenation"
    if isinstance(node, ast.Call) and _call_name(node)[1] == "format":
        return "a .format() string"
    if isinstance(node, ast.Name):
        return "a variable"
    return "an expression"


def _sources() -> list[Path]:
    return sorted([*(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")), *(ROOT / f for f in FILES)])


def test_no_unescaped_markdown_in_pages_and_components() -> None:
    found = [str(p) for path in _sources()
             for p in problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert not found, "Data may reach Streamlit markdown unescaped:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'st.header(info["name"])',
    'st.warning(f"没有找到 {wanted} 的企业")',
    'st.caption("来源：%s" % source)',
    'st.caption("来源：{}".format(source))',
    'st.markdown("**" + name + "**")',
    'cols[0].metric("企业类别", info["category"])',
    'st.tabs([name, "概况"])',
    'st.header(md_escape(info["name"]))',
    'with st.expander(f"{row.rule}：{row.message}"): pass',
    'st.button(label, help=text)',
    'st.radio("镇区", towns)',
    'st.write(text)',
    'bar.progress(0.5, text=what)',
    'with st.spinner(f"正在生成{name}"): pass',
    'st.page_link("app_pages/x.py", label=name)',
    'st.dataframe(df, column_config={"a": st.column_config.TextColumn("a", help=note)})',
    'def f(name):\n    st.subheader(name)',
    'st.table({"项目": list(rows), "内容": list(rows.values())})',
    'st.table(df)',
    'label = row["name"]\nst.info(label)',
    'st.caption(f"{value:>10}")',
])
def test_rule_refuses(source: str) -> None:
    assert problems_in(source, "x.py"), source


@pytest.mark.parametrize("source", [
    'st.header(md_escape(info["name"]), anchor=False)',
    'st.title("企业档案")',
    'st.warning(f"没有找到 {md_escape(wanted)} 的企业")',
    'st.markdown("**" + md_escape(name) + "**")',
    'st.caption(f"{n:,.0f} 吨，截至{as_of:%Y-%m-%d}，{len(rows)}条")',
    'TITLE = "总览"\nst.title(TITLE)',
    'LABELS = {"a": "甲"}\nst.caption(LABELS[key])',
    'label = md_escape(x) if x else "无"\nst.info(label)',
    'st.radio("镇区", towns, format_func=md_escape)',
    'st.pills("办理", list(labels), format_func=lambda k: md_escape(labels[k]))',
    'st.error("请修改：\\n" + "\\n".join(f"- {md_escape(line)}" for line in lines))',
    'NEW, UPDATE = "新增", "修改"\nst.segmented_control("操作", [NEW, UPDATE])',
    'st.selectbox("企业", names)',
    'st.text(name)',
    'st.table({"项目": [md_escape(k) for k in rows], "内容": [md_escape(v) for v in rows.values()]})',
    'logger.warning(name)',
    'from components import sources\nsources.caption(version, principal)',
    'st.markdown(f"**{f.year}年月报**")',
])
def test_rule_accepts(source: str) -> None:
    assert not problems_in(source, "x.py"), source


@pytest.mark.parametrize("payload", [
    "[点此重新登录](http://127.0.0.1:8799/x)", "![b](http://127.0.0.1:8799/beacon.png)", "**bold**", "<img src=x>",
    ":material/home: :red[红]", "$x^2$", "# 标题", "1. 列表", "www.example.com a@b.com", "&lt;b&gt;", "a\u202eb",
])
def test_md_escape_leaves_no_markup_character_unescaped(payload: str) -> None:
    out = md_escape(payload)
    for ch in "[]()!*<>#$&:`_":
        assert ch not in out.replace("\\" + ch, ""), (payload, out)
    assert "\u202e" not in out and "\n" not in out
    assert "http:/" not in out.replace("\\", "") and "www." not in out.replace("\\", "")


def test_plot_text_neutralises_plotly_tags() -> None:
    assert plot_text("<a href='javascript:alert(1)'>x</a><br><b>$1$</b>") == (
        "&lt;a href='javascript:alert(1)'&gt;x&lt;/a&gt;&lt;br&gt;&lt;b&gt;&#36;1&#36;&lt;/b&gt;")
    assert plot_text(3) == 3 and plot_text(None) is None


HOSTILE = ("![b](http://127.0.0.1:8799/beacon.png)", "<img src=x onerror=alert(1)>", "<a href='http://x.example/'>a</a>",
           "**粗体**", "[链接](javascript:alert(1))", "=HYPERLINK(\"http://x.example\",\"点我\")")


def _hostile_pack():  # noqa: ANN202 - the pack's types are imported here only
    import datetime as dt

    from supervision.reporting import pack_slides as pack

    h = " ".join(HOSTILE)
    slides = (pack.Slide(title=h, notes=h, lines=(h, h)),
              pack.Slide(title=h, notes=h, kpis=(pack.Kpi(h, h, h),), footnote=h),
              pack.Slide(title=h, notes=h, table=pack.Table((h, h), ((h, h), (h, h)), note=h)))
    return pack.MeetingPack(title=h, subtitle=h, scope=h, year=2019, as_of=dt.date(2019, 10, 15),
                            generated_at=dt.datetime(2019, 10, 15, 9), demo=False, slides=slides)


def test_meeting_pack_html_for_the_pdf_carries_data_as_text() -> None:
    """The PDF is printed from HTML: every tag in it is the layout's own, none comes from the data."""
    from html.parser import HTMLParser

    from supervision.reporting import pack_pdf

    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    document = pack_pdf.pack_html(_hostile_pack(), {})
    Tags().feed(document)
    assert set(tags) <= {"html", "head", "meta", "title", "style", "body", "section", "h1", "p", "div", "span",
                         "table", "thead", "tbody", "tr", "th", "td"}, set(tags)
    assert "&lt;img src=x onerror=alert(1)&gt;" in document


def test_pptx_and_docx_carry_data_as_plain_text_without_links() -> None:
    import datetime as dt
    import io
    import zipfile

    from supervision.reporting import pack_pptx, report

    h = " ".join(HOSTILE)
    decks = [pack_pptx.build_pptx(_hostile_pack(), {})]
    doc = report.Report(title=h, scope=h, year=2019, as_of=dt.date(2019, 10, 15), city_summary=False, demo=False,
                        sections=(report.Section(h, (report.Paragraph(h), report.DocTable(h, (h, h), ((h, h),), h))),),
                        signature=(h,), colophon=h)
    for data in [*decks, report.build_docx(doc)]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels")))
        assert "hlinkClick" not in xml and "<w:hyperlink" not in xml and "TargetMode=\"External\"" not in xml
        assert "&lt;img src=x onerror=alert(1)&gt;" in xml  # the text itself, as text


def test_md_escape_shows_a_missing_value_as_a_dash() -> None:
    assert md_escape(None) == md_escape(float("nan")) == "—" and md_escape(0) == "0"


def test_figure_builders_escape_data_text_for_plotly() -> None:
    """Names, categories, hover texts, table cells and titles from data reach plotly with their tags escaped."""
    import json
    from decimal import Decimal

    import pandas as pd

    from supervision.reporting import charts

    bad = "<a href='http://127.0.0.1:8799/a'>点</a><b>粗</b>$x$"
    cap = charts.Caption(bad, bad, bad)
    figures = [
        charts.enterprises_by_township(pd.DataFrame({"township": [bad], "category": ["冶炼分离"], "n": [2]}), cap),
        charts.quota_utilisation(pd.DataFrame({"name": [bad], "utilisation": [0.5], "production_t": [Decimal(1)],
                                               "quota_t": [Decimal(2)]}), cap),
        charts.status_grid(pd.DataFrame({"township": [bad], "milestone": [bad], "status": ["按时"],
                                         "detail": [bad]}), cap),
        charts.table_figure(pd.DataFrame({"a": [bad]}), {"a": "列"}, cap),
        charts.flows_comparison(pd.DataFrame({"name": [bad], "production_t": [Decimal(1)]}), cap),
        charts.score_ranking(pd.DataFrame({"township": [bad], "total": [Decimal(1)], "max_total": [Decimal(2)]}), cap),
    ]
    for fig in figures:
        text = json.dumps(fig.to_plotly_json(), ensure_ascii=False)
        assert "<a href" not in text and "<b>粗" not in text and "$x$" not in text, text[:300]
        assert "&lt;a href=" in text
