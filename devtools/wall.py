"""Measurements of a wall screen in a real browser: the size of every visible character, bar labels, text cut off
at a chart's edge, scrolling.

Used by the browser tests (tests/test_browser_wall.py) and by hand (`python -m devtools.wall URL`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

# Every visible text node (HTML and the charts' SVG), with its font size as drawn on the screen: the computed
# font-size times the scale of every transform above it (the wall's canvas scaling, plotly's own scaling of
# a label). Visible: the element is rendered (checkVisibility with opacity and visibility), its box has a
# size and lies at least partly in the viewport. One entry per text node: [text, px, tag].
TEXT_SIZES_JS = r"""
() => {
  const scaleOf = (el) => {
    let k = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement || (e.parentNode && e.parentNode.host)) {
      const t = getComputedStyle(e).transform;
      if (t && t !== 'none') {
        const m = new DOMMatrix(t);
        k *= Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      }
      const z = parseFloat(getComputedStyle(e).zoom || '1');
      if (z && z !== 1) k *= z;
    }
    return k;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const vw = window.innerWidth, vh = window.innerHeight;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\s+/g, '');
    if (!text) continue;
    const el = n.parentElement;
    if (!el || ['STYLE', 'SCRIPT', 'NOSCRIPT', 'TITLE'].includes(el.tagName.toUpperCase())) continue;
    // Screen-reader-only text (Streamlit's "Skip to main content") is clipped to a 1 px box.
    if (el.closest('.sr-only, [class*="visually-hidden"]')) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width < 0.5 || r.height < 0.5) continue;
    if (r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) continue;
    const px = parseFloat(getComputedStyle(el).fontSize) * scaleOf(el);
    out.push([text, Math.round(px * 100) / 100, el.tagName.toLowerCase()]);
  }
  return out;
}
"""

# For every plotly bar chart on the page: its categories and the tick labels drawn on its category axis.
BAR_LABELS_JS = r"""
() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
  const bars = (gd.data || []).filter(t => t.type === 'bar');
  if (!bars.length) return [];
  const horizontal = bars[0].orientation === 'h';
  const cats = [...new Set(bars.flatMap(t => [...(horizontal ? t.y : t.x)].map(String)))];
  const axis = horizontal ? 'ytick' : 'xtick';
  const ticks = [...gd.querySelectorAll(`g.${axis} text`)]
    .filter(t => t.checkVisibility() && t.getBoundingClientRect().width > 0)
    .map(t => t.textContent);
  const title = (gd.layout && gd.layout.title && gd.layout.title.text) || '';
  return [{title, categories: cats.map(c => c.replace(/<br>/g, '')), ticks}];
})
"""

# Chart text drawn beyond its chart's left or right edge (cut off by the panel): [text, how many px beyond]. Plotly
# never wraps an annotation or a title, so a long one simply runs past the edge of a narrow panel. (Above and below,
# the glyphs' line box may poke a few px out of the chart's box without anything being cut.)
CLIPPED_JS = r"""
() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
  const box = gd.getBoundingClientRect();
  return [...gd.querySelectorAll('svg text')]
    .filter(t => t.checkVisibility() && t.textContent.trim())
    .map(t => [t.textContent, t.getBoundingClientRect()])
    .map(([text, r]) => [text, Math.max(box.left - r.left, r.right - box.right)])
    .filter(([, beyond]) => beyond > 1)
    .map(([text, beyond]) => [text, Math.round(beyond)]);
})
"""

# Containers that could scroll: their scroll size beyond their client size (0 = does not scroll).
SCROLL_JS = r"""
() => {
  const sel = ['html', 'body', '.stApp', '[data-testid="stAppViewContainer"]', '[data-testid="stMain"]',
               '[data-testid="stMainBlockContainer"]'];
  const out = {};
  for (const s of sel) {
    const e = document.querySelector(s);
    if (!e) continue;
    const style = getComputedStyle(e);
    const scrollable = ['auto', 'scroll'].includes(style.overflowY) || e === document.scrollingElement;
    out[s] = {overflow: Math.max(0, e.scrollHeight - e.clientHeight), scrollable, scrollTop: e.scrollTop};
  }
  const r = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
  out.content = {bottom: r.bottom, right: r.right, vh: window.innerHeight, vw: window.innerWidth};
  return out;
}
"""


@dataclass(frozen=True)
class TypeSizes:
    """The font sizes of the characters on screen: one entry per character."""

    sizes: list[float]
    small: list[tuple[str, float, str]]  # text pieces under the floor, for the message

    @property
    def smallest(self) -> float:
        return min(self.sizes)

    def share_at_least(self, px: float) -> float:
        return sum(1 for s in self.sizes if s >= px - 0.01) / len(self.sizes)

    def summary(self, floor: float, target: float) -> dict[str, Any]:
        return {"characters": len(self.sizes), "smallest_px": self.smallest,
                f"share_ge_{target:g}px": round(self.share_at_least(target), 4),
                f"under_{floor:g}px": sum(1 for s in self.sizes if s < floor - 0.01)}


def type_sizes(page: Any, floor: float) -> TypeSizes:
    pieces = page.evaluate(TEXT_SIZES_JS)
    sizes = [float(px) for text, px, _ in pieces for _ in text]
    small = [(text, float(px), tag) for text, px, tag in pieces if float(px) < floor - 0.01]
    return TypeSizes(sizes, small)


def unlabelled_bars(page: Any) -> list[dict[str, Any]]:
    """Bar charts with a category that has no tick label drawn (empty when every bar is labelled)."""
    out = []
    for chart in page.evaluate(BAR_LABELS_JS):
        missing = [c for c in chart["categories"] if c not in chart["ticks"]]
        if missing:
            out.append({"title": chart["title"], "missing": missing})
    return out


def clipped_text(page: Any) -> list[tuple[str, int]]:
    """Chart texts cut off at their chart's edge (empty when every text fits), with how far they run over."""
    return [(text, int(beyond)) for text, beyond in page.evaluate(CLIPPED_JS)]


def scrolling(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(SCROLL_JS))


def open_wall(page: Any, url: str, scale: float) -> None:
    """Open a wall URL and wait until it has set its scale (if not 1) and drawn its charts."""
    page.goto(url)
    if abs(scale - 1) > 0.01:
        page.wait_for_url(f"**scale={scale:.2f}**", timeout=60_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].every(g => g._fullLayout)")
    page.wait_for_timeout(1500)  # let plotly finish its automargin passes before measuring


def main(argv: list[str]) -> None:
    """Open a wall URL at 1920×1080 and 3840×2160, print the measurements and save screenshots."""
    from devtools.browser import chromium

    url, prefix = argv[0], (argv[1] if len(argv) > 1 else "/tmp/wall")
    with chromium() as browser:
        for w, h, floor, target in ((1920, 1080, 14, 16), (3840, 2160, 28, 32)):
            page = browser.new_page(viewport={"width": w, "height": h})
            open_wall(page, url, w / 1920)
            sizes = type_sizes(page, floor)
            print(w, h, json.dumps(sizes.summary(floor, target), ensure_ascii=False))
            print("  small:", sizes.small[:12])
            print("  unlabelled:", unlabelled_bars(page))
            print("  clipped:", clipped_text(page))
            print("  scroll:", scrolling(page))
            page.screenshot(path=f"{prefix}-{w}.png")
            page.close()


if __name__ == "__main__":
    main(sys.argv[1:])
