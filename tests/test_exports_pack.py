"""The meeting pack on the demo data: .pptx reopened with python-pptx, .pdf checked, scope, inert text, offline."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from exports_support import YEAR, needs_browser, non_blank, pdf_pages, pdf_text, pptx_texts
from PIL import Image
from sqlalchemy import Engine, update

from supervision.access.permissions import PermissionDenied
from supervision.core.config import Settings
from supervision.core.frames import utilisation_totals
from supervision.core.principal import SYSTEM, Principal, Role
from supervision.read import queries
from supervision.reporting import pack, pack_pdf, pack_pptx, pack_slides
from supervision.storage.models import Enterprise

AS_OF = dt.date(2019, 8, 20)
TITLES = ["太仓市稀土行业秩序整顿工作情况", "关键指标", "镇区分布", "配额执行", "工作进度", "督查评分排名", "主要问题",
          "重点企业（风险排名）", "逾期事项", "物料流向", "数据来源与说明"]
LEADER = Principal("t.leader", "领导", Role.LEADER)
OFFICER = Principal("t.town", "浮桥镇人员", Role.TOWNSHIP, township="浮桥镇")


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#1565c0").save(buffer, "PNG")
    return buffer.getvalue()


def test_pptx_holds_the_titles_figures_and_notes_of_the_demo_data(demo: Engine, settings: Settings) -> None:
    content = pack.collect(demo, settings, LEADER, YEAR, AS_OF)
    pictures = {i: _tiny_png() for i, s in enumerate(content.slides) if s.figure is not None}
    slides = pptx_texts(pack_pptx.build_pptx(content, pictures))
    assert [s["title"] for s in slides] == TITLES
    from pptx import Presentation

    prs = Presentation(io.BytesIO(pack_pptx.build_pptx(content, pictures)))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 13.333 × 7.5 in: 16:9

    total = int(queries.enterprise_counts(demo, LEADER)["n"].sum())
    used, quota = utilisation_totals(queries.quota_by_enterprise(demo, LEADER, YEAR, as_of=AS_OF))
    pct = f"{float(used / quota) * 100:.1f}%"
    kpis = slides[1]
    assert any(f"{total}家" in t for t in kpis["texts"])
    assert any(pct in t for t in kpis["texts"])
    assert f"共有稀土企业{total}家" in kpis["notes"] and f"指标使用率{pct}" in kpis["notes"]
    # Every chart slide has its picture and notes that state numbers in sentences.
    for slide in slides[2:8]:
        if slide["title"] != "重点企业（风险排名）":
            assert slide["pictures"], slide["title"]
        assert slide["notes"].endswith("。") and any(ch.isdigit() for ch in slide["notes"]), slide["title"]
    ranking = slides[7]["tables"][0]
    expected = queries_ranking(demo, settings)
    assert ranking[0] == ["排名", "企业", "镇区", "类别", "风险分", "违规", "预警", "涉及规则"]
    assert [row[1] for row in ranking[1:]] == expected[: len(ranking) - 1]
    assert "演示数据" in slides[-1]["notes"] and "当前为演示数据" in " ".join(slides[0]["texts"])
    # The flow picture: its largest flow and its largest 差额 stated in sentences, the same figures as the page's.
    from supervision.read.flows import material_flow

    flow = material_flow(demo, LEADER, YEAR, as_of=AS_OF)
    labels = {n.key: n.label for n in flow.nodes}
    top = max((lk for lk in flow.links if lk.kind == "flow"), key=lambda lk: lk.tonnes)
    notes = slides[TITLES.index("物料流向")]["notes"]
    assert slides[TITLES.index("物料流向")]["pictures"]
    assert f"{labels[top.source]}到{labels[top.target]}{float(top.tonnes):,.1f}吨" in notes
    gap = flow.gaps()[0]
    assert f"{labels[gap.source]}到{labels[gap.target]}{float(gap.tonnes):,.1f}吨（{gap.rule}）" in notes


def queries_ranking(engine: Engine, settings: Settings) -> list[str]:
    from supervision.checks import risk_ranking

    return [str(n) for n in risk_ranking(engine, settings, LEADER, YEAR, AS_OF)["name"]]


def test_a_township_officers_pack_holds_only_their_township(demo: Engine, settings: Settings) -> None:
    content = pack.collect(demo, settings, OFFICER, YEAR, AS_OF, None)
    assert content.scope == "浮桥镇"
    others = set(queries.townships(demo, SYSTEM)["name"]) - {"浮桥镇"}
    pictures = {i: _tiny_png() for i, s in enumerate(content.slides) if s.figure is not None}
    slides = pptx_texts(pack_pptx.build_pptx(content, pictures))
    text = " ".join(" ".join(s["texts"]) + s["notes"] + str(s["tables"]) for s in slides)
    assert "浮桥镇" in text
    assert not [t for t in others if t in text]
    # The map draws the other townships grey, without their figures.
    township_map = content.slides[2].figure
    coloured = list(township_map.data[0].locations)
    assert coloured == ["浮桥镇"]
    own = int(queries.enterprise_counts(demo, OFFICER)["n"].sum())
    assert f"共有稀土企业{own}家" in slides[1]["notes"]
    with pytest.raises(PermissionDenied):
        pack.collect(demo, settings, OFFICER, YEAR, AS_OF, "沙溪镇")


def test_formula_like_names_are_plain_text_in_the_pptx(demo: Engine, settings: Settings) -> None:
    first = queries_ranking(demo, settings)[0]
    dangerous = '=HYPERLINK("http://example.invalid","点我")'
    with demo.begin() as conn:
        conn.execute(update(Enterprise).where(Enterprise.name == first).values(name=dangerous))
    content = pack.collect(demo, settings, LEADER, YEAR, AS_OF)
    slides = pptx_texts(pack_pptx.build_pptx(content, {}))
    ranking = slides[7]["tables"][0]
    assert ranking[1][1] == dangerous  # just text: a slide has no formulas, and nothing was altered
    html = pack_pdf.pack_html(content, {})
    # Escaped in the PDF's HTML.
    assert dangerous not in html and "=HYPERLINK(&quot;http://example.invalid&quot;" in html


@needs_browser
def test_full_render_builds_pptx_and_pdf_with_no_outside_connection(demo: Engine, settings: Settings,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """In this process no socket may reach beyond the loopback (the browser's own isolation is the CLI test below)."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or str(host) in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)
        attempts.append(address)
        raise OSError("outside connections are refused in this test")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    content = pack.collect(demo, settings, LEADER, YEAR, AS_OF)
    steps: list[tuple[float, str]] = []
    files = pack.render(content, ("pptx", "pdf"), lambda share, what: steps.append((share, what)))
    assert attempts == []
    assert [s for s, _ in steps] == sorted(s for s, _ in steps) and steps[-1][0] == 1.0
    slides = pptx_texts(files["pptx"])
    assert [s["title"] for s in slides] == TITLES
    for slide in slides:
        for picture in slide["pictures"]:
            image = Image.open(io.BytesIO(picture))
            assert image.size == (pack_slides.FIG_W_PX * 2, pack_slides.FIG_H_PX * 2)
            assert non_blank(picture) > 10
    pdf = files["pdf"]
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == len(TITLES)
    assert b"/MediaBox [0 0 960 540]" in pdf  # 13.333 × 7.5 in, as the slides
    assert b"NotoSansCJK" in pdf or b"NotoSerifCJK" in pdf  # the CJK font is embedded
    text = pdf_text(pdf, tmp_path)
    if text is not None:
        for title in TITLES:
            assert title in text.replace(" ", ""), title


@needs_browser
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare")
def test_cli_builds_the_pack_in_a_network_namespace_without_any_network(tmp_path: Path, settings: Settings) -> None:
    """`unshare -n` gives the command and its Chromium no network at all: the pack must build all the same."""
    database = tmp_path / "demo.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "supervision", "demo"], cwd=root, env=env, check=True, capture_output=True)
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -n is not permitted here: {probe.stderr.decode(errors='replace')}")
    for suffix in ("pptx", "pdf"):
        out = tmp_path / f"pack.{suffix}"
        done = subprocess.run(["unshare", "-n", sys.executable, "-m", "supervision", "export", "pack", "--year", "2019",
                               "--as-of", "2019-08-20", "--out", str(out)], cwd=root, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "已生成" in done.stdout and out.stat().st_size > 50_000
    slides = pptx_texts((tmp_path / "pack.pptx").read_bytes())
    map_picture = slides[2]["pictures"][0]
    rgb = Image.open(io.BytesIO(map_picture)).convert("RGB")
    # The choropleth is coloured (OrRd): the base map's topojson came from the local file, not a CDN.
    import numpy as np

    pixels = np.asarray(rgb).astype(int)
    assert int(((pixels[..., 0] > pixels[..., 2] + 60) & (pixels[..., 0] > 150)).sum()) > 5000
    assert pdf_pages((tmp_path / "pack.pdf").read_bytes()) == len(TITLES)
