"""Exports for meetings and reports: chart images, the meeting pack (.pptx/.pdf), the self-check reports (.docx), tables (.xlsx).

- `images`: figures → PNG (2×/4×) and SVG with kaleido and the system Chromium, offline.
- `facts`: the figures a pack or a report states, read through the principal-scoped queries.
- `pack`: the 16:9 meeting pack as .pptx (with speaker notes) and the same slides as .pdf.
- `report`: the township self-check report and the city summary (市汇总) as .docx.
- `tables`: any page table as .xlsx with Chinese headers and number formats.

No Streamlit here: the pages (components/downloads.py) and the command line call the same builders.
"""
