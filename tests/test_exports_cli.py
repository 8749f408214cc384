"""`python -m supervision export pack|report`: files written, usage errors refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from exports_support import docx_outline
from sqlalchemy import Engine

from supervision.cli import main as cli


def _run(engine: Engine, *args: str) -> int:
    return cli.main(["export", *args, "--db", engine.url.render_as_string(hide_password=False)])


def test_report_for_a_township_and_the_city_summary(demo: Engine, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "浮桥镇.docx"
    assert _run(demo, "report", "--year", "2019", "--as-of", "2019-08-20", "--township", "浮桥镇",
                "--out", str(out)) == 0
    assert "已生成" in capsys.readouterr().out
    paragraphs, _ = docx_outline(out.read_bytes())
    assert paragraphs[0][1] == "浮桥镇2019年稀土行业秩序整顿自查报告"
    city = tmp_path / "市汇总.docx"
    assert _run(demo, "report", "--year", "2019", "--as-of", "2019-08-20", "--out", str(city)) == 0
    assert docx_outline(city.read_bytes())[0][0][1] == "太仓市2019年稀土行业秩序整顿工作汇总报告"


def test_usage_errors(demo: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(demo, "report", "--year", "2019", "--out", str(tmp_path / "a.pptx")) == cli.EXIT_USAGE
    assert "扩展名" in capsys.readouterr().err
    assert _run(demo, "pack", "--year", "2019", "--out", str(tmp_path / "nowhere" / "a.pptx")) == cli.EXIT_USAGE
    assert _run(demo, "report", "--year", "2019", "--township", "不存在镇", "--out",
                str(tmp_path / "a.docx")) == cli.EXIT_REJECTED
    assert "不存在镇" in capsys.readouterr().err and not (tmp_path / "a.docx").exists()
