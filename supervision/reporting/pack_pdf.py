"""The meeting pack as a PDF: the same slides as HTML (one 16:9 page each), printed by the system Chromium."""

from __future__ import annotations

import base64
import html

from supervision.reporting import images
from supervision.reporting.pack_slides import TABLE_ROWS, MeetingPack

_CSS = """
@page { size: 13.333in 7.5in; margin: 0 }
* { box-sizing: border-box }
body { margin: 0; font-family: 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif; color: #1f1f1f }
.slide { width: 13.333in; height: 7.5in; position: relative; overflow: hidden; page-break-after: always;
         break-after: page; padding: 0.25in 0.45in 0 0.45in }
.slide:last-child { page-break-after: auto; break-after: auto }
.head { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 1.5px solid #1F3864;
        height: 0.83in; padding-bottom: 0.08in }
.head h1 { font-size: 28pt; color: #1F3864; margin: 0 }
.head .scope { font-size: 12pt; color: #5F6368 }
.figure { position: absolute; left: 0.45in; top: 1.2in; width: 12.433in }
.foot { position: absolute; right: 0.45in; bottom: 0.12in; font-size: 10pt; color: #5F6368 }
.foot.demo { color: #B3261E }
.note { font-size: 10pt; color: #5F6368; margin-top: 0.12in }
.footnote { position: absolute; left: 0.45in; top: 6.55in; font-size: 10pt; color: #5F6368 }
table { border-collapse: collapse; width: 100%; margin-top: 0.2in; font-size: 12pt }
th { background: #1F3864; color: #fff; text-align: left; padding: 4pt 6pt }
td { border-bottom: 1px solid #d0d7e2; padding: 4pt 6pt }
table.dense { font-size: 10pt } table.dense td, table.dense th { padding: 2pt 6pt }
.kpis { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.3in; margin-top: 0.25in }
.kpi { background: #EEF3FA; border: 1px solid #C5D3E8; border-radius: 12px; height: 2.45in; padding: 0.2in }
.kpi .label { font-size: 16pt; color: #5F6368 } .kpi .value { font-size: 36pt; font-weight: bold; color: #1F3864 }
.kpi .detail { font-size: 12pt; color: #5F6368 }
.cover { display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center }
.cover h1 { font-size: 40pt; color: #1F3864; margin: 0 0 0.4in 0 }
.cover p { font-size: 18pt; color: #5F6368; margin: 0.06in 0 } .cover p.demo { color: #B3261E; font-weight: bold }
"""


def build_pdf(pack: MeetingPack, svgs: dict[int, bytes]) -> bytes:
    """The same slides as a PDF (one 16:9 page each), printed by the system Chromium from HTML."""
    return images.html_to_pdf(pack_html(pack, svgs))


def pack_html(pack: MeetingPack, svgs: dict[int, bytes]) -> str:
    """The slides as one HTML document; every value escaped, charts inlined as data: URIs (nothing to fetch)."""
    e = html.escape
    parts = []
    for i, slide in enumerate(pack.slides):
        if i == 0:
            lines = "".join(f'<p class="{"demo" if pack.demo and j == len(slide.lines) - 1 else ""}">{e(t)}</p>'
                            for j, t in enumerate(slide.lines))
            parts.append(f'<section class="slide cover"><h1>{e(pack.title)}</h1>{lines}</section>')
            continue
        body = ""
        if i in svgs:
            data = base64.b64encode(svgs[i]).decode("ascii")
            body += f'<img class="figure" alt="{e(slide.title)}" src="data:image/svg+xml;base64,{data}">'
        if slide.kpis:
            body += '<div class="kpis">' + "".join(
                f'<div class="kpi"><div class="label">{e(k.label)}</div><div class="value">{e(k.value)}</div>'
                f'<div class="detail">{e(k.detail)}</div></div>' for k in slide.kpis) + "</div>"
        if slide.table is not None:
            t = slide.table
            head = "".join(f"<th>{e(h)}</th>" for h in t.headers)
            rows = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in t.rows) \
                or f'<tr><td colspan="{len(t.headers)}">无</td></tr>'
            dense = ' class="dense"' if len(t.rows) > TABLE_ROWS else ""
            body += f"<table{dense}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            if t.note:
                body += f'<div class="note">{e(t.note)}</div>'
        if slide.footnote:
            body += f'<div class="footnote">{e(slide.footnote)}</div>'
        foot = ("演示数据 · " if pack.demo else "") + f"第{i + 1}页"
        parts.append(
            f'<section class="slide"><div class="head"><h1>{e(slide.title)}</h1>'
            f'<span class="scope">{e(pack.scope)} · {pack.year}年 · 截至{pack.as_of:%Y-%m-%d}</span></div>{body}'
            f'<div class="foot{" demo" if pack.demo else ""}">{e(foot)}</div></section>')
    # The policy forbids every fetch: the page can only show what it carries.
    return ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
            'style-src \'unsafe-inline\'">'
            f"<title>{e(pack.title)}</title><style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")
