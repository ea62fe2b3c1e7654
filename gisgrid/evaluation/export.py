"""The ranking of a round as XLSX (openpyxl, as the filing package) and PDF (reportlab, the filing's CJK font)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from gisgrid.cells import safe_row
from gisgrid.deployment.model import Profile
from gisgrid.evaluation import templates

STATES = {"draft": "未提交", "submitted": "待评审", "returned": "已退回", "reviewed": "已评审"}


def header(template: dict) -> list[str]:
    """Column titles: rank, grid, level, state, each item's reviewed score, totals and roll-up."""
    items = [f"{i['text'][:12]}（{i['max_score']:g}）" for i in templates.items(template)]
    return ["名次", "网格代码", "网格", "层级", "状态", *items, "自评总分", "评审总分", "下级平均分"]


def rows(ranking: dict, profile: Profile) -> list[list]:
    """One row per form, level by level, in ranking order."""
    keys = [i["key"] for i in templates.items(ranking["round"].template)]
    out = []
    for level in ranking["levels"]:
        for r in level["rows"]:
            f = r["form"]
            scores = [f.review_scores.get(k, {}).get("score") for k in keys]
            out.append(
                [r["rank"], f.grid_code, f.grid_name, profile.level(f.level).title, STATES[f.state], *scores,
                 f.self_total, f.review_total, r["children_mean"]]
            )  # fmt: skip
    return out


def to_xlsx(ranking: dict, profile: Profile) -> bytes:
    """The ranking as a workbook: a title row, the header, a row per form."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "考评结果"
    sheet.append([f"{ranking['round'].label} · 结果排名"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(header(ranking["round"].template))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows(ranking, profile):
        sheet.append(safe_row(row))  # a grid name is text from an import: never a formula
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(ranking: dict, profile: Profile) -> bytes:
    """The ranking as a landscape A4 PDF with an embedded CJK font when one is installed."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from gisgrid.editor.filing import _pdf_font  # the one CJK font choice for every PDF the app writes

    font = _pdf_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=6)
    body = [header(ranking["round"].template), *rows(ranking, profile)]
    data = [[Paragraph(escape("" if v is None else str(v)), cell) for v in row] for row in body]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=8 * mm, rightMargin=8 * mm, title="考评结果")
    doc.build([Paragraph(escape(f"{ranking['round'].label} · 结果排名"), title), table])
    return out.getvalue()
