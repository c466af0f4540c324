"""The annual evaluation report as a Word document (python-docx): the same sections as the PDF.

Word cannot hold the PDF's SVG chart; the chart's figures (each indicator's actual value as a share of
the year's required value) are given as a table instead. Text is set in a CJK font for East Asian runs.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zgc_geo.monitoring.report import Report, _cell, _ratio, _t, workspace_table
from zgc_geo.monitoring.table import worded

#: The East Asian font Word uses for Chinese text (Word substitutes a close one where it is missing).
CJK_FONT: Final = "Noto Sans CJK SC"


def write_docx(report: Report, out: Path, map_png: bytes | None, _chart_svg: str) -> Path:
    """Write ``report`` as a DOCX at ``out``, atomically."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    doc.add_heading(_t(report, "report.title", year=report.year), level=1)
    doc.add_paragraph(_t(report, "report.meta", date=report.date))
    counts = report.counts
    doc.add_heading(_t(report, "report.summary"), level=2)
    doc.add_paragraph(_t(report, "report.summary_line", on=counts["on_track"], risk=counts["at_risk"],
                         off=counts["off_track"], none=counts["no_data"]))  # fmt: skip
    doc.add_heading(_t(report, "report.chart"), level=2)
    ratios = [
        (
            row.name_zh,
            "—"
            if row.actual is None or pd.isna(row.actual) or row.required is None
            else f"{_ratio(row):.0%}",
        )
        for row in report.progress.itertuples(index=False)
    ]
    _table(
        doc,
        pd.DataFrame(ratios, columns=[_t(report, "targets.column.name_zh"), _t(report, "report.chart_axis")]),
    )
    doc.add_heading(_t(report, "report.table"), level=2)
    _table(doc, worded(report.progress, report.lang))
    if map_png is not None:
        doc.add_heading(_t(report, "report.league"), level=2)
        doc.add_picture(io.BytesIO(map_png), width=Cm(16))
    doc.add_heading(_t(report, "report.workspace"), level=2)
    measures = workspace_table(report)
    if measures is None:
        doc.add_paragraph(_t(report, "report.no_workspace"))
    else:
        _table(doc, measures)
    doc.add_heading(_t(report, "report.sources"), level=2)
    for line in [*report.sources, _t(report, "report.source_plan"),
                 _t(report, "report.source_rules", rules=report.thresholds.source)]:  # fmt: skip
        doc.add_paragraph(line, style="List Bullet")
    out = Path(out)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        doc.save(temporary)
        Path(temporary).replace(out)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return out


def _table(doc: object, frame: pd.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = str(name)
    for row in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = _cell(value)
