"""帮助: every rule with its clause and configured tolerance, what 截至 means, and each page's "?" link."""

from __future__ import annotations

from typing import Any

from page_support import no_exception

from supervision.core.config import load_settings
from supervision.core.findings import RULES
from supervision.core.guide import PAGE_HELP, rule_help


def test_every_rule_is_explained_with_its_clause_and_configured_tolerance() -> None:
    helps = rule_help(load_settings())
    assert [h.rule.id for h in helps] == [r.id for r in RULES]
    assert all(h.checks and h.example and h.rule.clause for h in helps)
    by_id = {h.rule.id: h for h in helps}
    assert "90%" in by_id["W01"].tolerance and "5%" in by_id["R05"].tolerance and "1吨" in by_id["R05"].tolerance
    assert "730天" in by_id["R15"].tolerance and "30天" in by_id["R18"].tolerance


def test_the_help_page_lists_rules_as_of_and_contact(app: Any) -> None:
    at = app("help")
    no_exception(at)
    assert at.title[0].value == "帮助"
    rules = next(d.value for d in at.dataframe if "依据条款" in d.value.columns)
    assert rules["规则"].tolist() == [r.id for r in RULES]
    assert "107号 二(一)" in rules.set_index("规则").loc["R02", "依据条款"]
    text = " ".join(m.value for m in at.markdown)
    assert "1–7月" in text and "截至" in text
    assert "市工信局" in text


def test_every_described_page_links_to_its_help(app: Any) -> None:
    for page, file in (("quota", "quota"), ("progress", "progress"), ("enterprises", "enterprise")):
        at = app(file)
        links = [e for e in at.get("page_link") if "本页说明" in e.proto.label]
        assert links, page
        assert f"topic={page}" in links[0].proto.page or page in str(links[0].proto)
    overview = app("overview")
    assert [e for e in overview.get("page_link") if "本页说明" in e.proto.label]


def test_the_help_page_opens_on_the_page_it_was_asked_about(app: Any) -> None:
    at = app("help", topic="quota")
    assert at.info and PAGE_HELP["quota"][:6] in at.info[0].value
