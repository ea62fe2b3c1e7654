"""The filing package (备案): 网格划分责任表 as CSV, XLSX and PDF, boundaries as GeoPackage, overview PNG and HTML maps."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import shapely
from sqlalchemy.orm import Session

from gisgrid.cells import safe_row
from gisgrid.deployment import Profile, from_env
from gisgrid.editor import filing_map
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.exporter import version_gpkg
from gisgrid.grids.fields import LABELS

# the 责任表 layout of the filing form; field columns take their labels from the field registry
HEADER = (
    "层级",
    LABELS["code"],
    LABELS["name"],
    "上级网格",
    LABELS["entity"],
    LABELS["leader_name"],
    LABELS["leader_title"],
    LABELS["leader_phone"],
    "网格人员（角色 电话）",
    LABELS["contact_phone"],
    "层级名称",  # the deployment profile's name of the level (区/街道/社区, 市/乡（镇、街道）及开发区/园区/村（居）委会 …)
)
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei (TrueType outlines)
# landscape A4 less margins = 281 mm; names and titles get room for 6 characters, staff one per line
PDF_WIDTHS_MM = (15, 22, 26, 24, 36, 18, 25, 22, 57, 22, 14)
STAFF_COLUMN = 8
STEPS = ("表格 CSV", "表格 XLSX", "表格 PDF", "边界 GeoPackage", "总览图 PNG", "交互地图 HTML")


def responsibility_rows(session: Session, version_id: int, profile: Profile | None = None) -> tuple[str, list[tuple]]:
    """(version label, one row per grid in HEADER order, by level then code); levels as the profile numbers them."""
    profile = profile or from_env()
    version = grid_versions.by_id(session, version_id)
    grids = grid_queries.version_grids(session, version_id)
    names = {g.code: g.name for g in grids}
    rows = [
        (
            profile.level(g.level).title,
            g.code,
            g.name,
            names.get(g.parent_code, ""),
            g.entity or "",
            g.leader_name or "",
            g.leader_title or "",
            g.leader_phone or "",
            "；".join(f"{s.name}（{s.role} {s.phone or '无电话'}）" for s in g.staff),
            g.contact_phone or "",
            profile.level(g.level).name,
        )
        for g in grids
    ]
    return version.label, rows


def to_csv(rows: list[tuple]) -> bytes:
    """UTF-8 with BOM so that spreadsheet programs show the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(label: str, rows: list[tuple]) -> bytes:
    """The table as an Excel workbook with a title row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "网格划分责任表"
    sheet.append([f"网格划分责任表 · {label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for column, width in zip("ABCDEFGHIJ", (10, 16, 18, 16, 22, 12, 10, 16, 48, 16)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_font() -> str:
    """An embedded TrueType CJK font when installed (any reader shows it), else reportlab's CID STSong-Light.

    STSong-Light is not embedded: readers substitute a font, and '·' (in 示例·姓名) came out as a box.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_FONT.exists():
        if "WenQuanYi" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("WenQuanYi", str(PDF_FONT), subfontIndex=0))
        return "WenQuanYi"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _pdf_cells(rows: list[tuple], style) -> list[list]:
    """Paragraph cells (text escaped: reportlab parses markup); one staff member per line."""
    from reportlab.platypus import Paragraph

    return [
        [
            Paragraph(escape(str(v)).replace("；", "<br/>") if i == STAFF_COLUMN else escape(str(v)), style)
            for i, v in enumerate(row)
        ]
        for row in (HEADER, *rows)
    ]


def to_pdf(label: str, rows: list[tuple]) -> bytes:
    """The table as a landscape A4 PDF: header repeated on every page, page numbers, embedded CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _pdf_font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5, wordWrap="CJK")
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18, spaceAfter=6)
    table = Table(_pdf_cells(rows, cell), colWidths=[w * mm for w in PDF_WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )

    def footer(canvas, doc):
        canvas.setFont(font, 8)
        canvas.drawRightString(doc.pagesize[0] - 8 * mm, 5 * mm, f"网格划分责任表 · {label} · 第 {doc.page} 页")

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title="网格划分责任表",
    )
    doc.build(
        [Paragraph(f"网格划分责任表 · {escape(label)}（共 {len(rows)} 个网格）", title), table],
        onFirstPage=footer,
        onLaterPages=footer,
    )
    return out.getvalue()


def overview_png(session: Session, version_id: int, label: str, profile: Profile | None = None) -> bytes:
    """A map of the grids: leaves coloured by the grid one level below the top, outlines of every level, a legend."""
    from matplotlib.figure import (
        Figure,  # the object API: pyplot's global state is not thread-safe
    )

    grids = grid_queries.version_grids(session, version_id)
    wkb = grid_queries.grid_wkb(session, version_id)
    shapes = {g.code: shapely.from_wkb(wkb[g.id]) for g in grids}
    figure = Figure(figsize=(11, 9), dpi=110)
    axes = figure.subplots()
    top = min((g.level for g in grids), default=1)  # the version's own top, whatever number it carries
    second = sorted((g for g in grids if g.level == top + 1), key=lambda g: g.code)
    _draw(axes, grids, shapes, second)
    _decorate(axes, shapes, second, label, (profile or from_env()).level(top + 1).label)
    out = io.BytesIO()
    figure.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue()


def _font():
    from matplotlib import font_manager

    return font_manager.FontProperties(fname=str(CJK_FONT)) if CJK_FONT.exists() else None


def _colours(second) -> dict:
    from matplotlib import colormaps

    palette = colormaps["tab20"]
    return {g.code: palette(i % 20) for i, g in enumerate(second)}


def _draw(axes, grids, shapes: dict, second) -> None:
    top = min((g.level for g in grids), default=1)
    parents, colour = {g.parent_code for g in grids}, _colours(second)
    by_code = {g.code: g for g in grids}
    top_of = {g.code: _ancestor_in(by_code, g, colour) for g in grids}
    for g in grids:
        for poly in shapely.get_parts(shapes[g.code]):
            x, y = poly.exterior.xy
            if g.code not in parents:  # leaves are filled, every level is outlined
                axes.fill(x, y, color=colour.get(top_of[g.code], "#cccccc"), alpha=0.55, linewidth=0)
            axes.plot(x, y, color="#333333", linewidth={0: 2.2, 1: 1.2}.get(g.level - top, 0.35))


def _ancestor_in(by_code: dict, grid, wanted: dict) -> str | None:
    # walk up the parents to the grid that has a colour (the level below the top), however deep ``grid`` is
    while grid is not None and grid.code not in wanted:
        grid = by_code.get(grid.parent_code)
    return grid.code if grid is not None else None


def _decorate(axes, shapes: dict, second, label: str, legend_title: str) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    font, colour = _font(), _colours(second)
    for g in second:
        point = shapely.point_on_surface(shapes[g.code])
        axes.annotate(g.name, (point.x, point.y), ha="center", fontsize=8, fontproperties=font)
    axes.legend(
        handles=[Patch(color=colour[g.code], label=g.name) for g in second],
        prop=font,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        title_fontproperties=font,
        title=legend_title,
    )
    axes.set_title(f"网格划分总览图 · {label}", fontproperties=font)
    lat = shapely.get_coordinates(shapely.centroid(list(shapes.values())))[:, 1].mean() if shapes else 0.0
    axes.set_aspect(1 / max(math.cos(math.radians(lat)), 0.1))  # degrees of longitude shrink towards the poles
    axes.ticklabel_format(useOffset=False)
    axes.xaxis.set_major_locator(MaxNLocator(5))
    axes.set_xlabel("经度", fontproperties=font)
    axes.set_ylabel("纬度", fontproperties=font)


def build_package(
    session: Session, version_id: int, progress: Callable[[str], None] | None = None, profile: Profile | None = None
) -> bytes:
    """The filing package as zip bytes; levels numbered and named as the deployment profile says."""
    step = progress or (lambda _name: None)
    profile = profile or from_env()
    label, rows = responsibility_rows(session, version_id, profile)
    files = {}
    makers = (
        ("网格划分责任表.csv", lambda: to_csv(rows)),
        ("网格划分责任表.xlsx", lambda: to_xlsx(label, rows)),
        ("网格划分责任表.pdf", lambda: to_pdf(label, rows)),
        ("网格边界.gpkg", lambda: version_gpkg(session, version_id)),
        ("网格划分总览图.png", lambda: overview_png(session, version_id, label, profile)),
        ("网格划分交互地图.html", lambda: filing_map.interactive_html(session, version_id, label, profile)),
    )
    for (name, make), title in zip(makers, STEPS):
        step(title)
        files[name] = make()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()
