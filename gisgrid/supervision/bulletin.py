"""A 督查 通报 as a PDF, with the CJK font and reportlab path of the editor's filing package."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from gisgrid.editor.filing import _pdf_font
from gisgrid.supervision.models import SupervisionCheck


def to_pdf(check: SupervisionCheck, grid_name: str) -> bytes:
    """The 通报: title, checked grid and date, the template items with verdicts, findings, body text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    font = _pdf_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    text = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16)
    rows = [[Paragraph("检查项目", text), Paragraph("数据", text), Paragraph("结论", text)]]
    for item in check.items:
        verdict = "符合" if item.get("passed") else "不符合"
        rows.append([Paragraph(escape(item["label"]), text), Paragraph(escape(item["computed"]), text),
                     Paragraph(verdict, text)])  # fmt: skip
    story = [
        Paragraph(escape(check.bulletin_title or "督查通报"), title),
        Spacer(1, 6 * mm),
        Paragraph(
            escape(f"被检查网格：{grid_name}　检查日期：{check.checked_on.isoformat()}　检查人员：{check.checkers}"),
            text,
        ),
        Spacer(1, 4 * mm),
        Table(rows, colWidths=[70 * mm, 70 * mm, 25 * mm], style=[("GRID", (0, 0), (-1, -1), 0.5, "#888888")]),
        Spacer(1, 4 * mm),
    ]
    for label, body in (("发现问题", check.findings), ("通报内容", check.bulletin_body)):
        if body:
            story += [Paragraph(f"<b>{label}</b>", text), Paragraph(escape(body).replace("\n", "<br/>"), text)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=check.bulletin_title or "督查通报").build(story)
    return out.getvalue()
