"""The annual evaluation report (§七(三) 年度评估): one document an official can hand out.

Contents: the year's on/off-track summary, a chart of each indicator's actual value against the value the
year requires, every indicator in a table, the park league map (idle land revitalised) at print quality,
the year's stock revitalisation and project progress from the workspace, and the sources and date. As a
PDF (Chromium prints it offline; the CJK fonts it uses are embedded), a DOCX (Word) or an XLSX.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.i18n import Lang, translate
from zgc_geo.monitoring.progress import STATUSES, Thresholds, progress_table
from zgc_geo.monitoring.table import worded

#: Bar colours of the chart by status (print-safe), grey for no data.
STATUS_COLOURS: Final = {"on_track": "#1a9641", "at_risk": "#fdae61", "off_track": "#d7191c"}
NO_DATA: Final = "#bdbdbd"
#: The page's fonts: the CJK fonts of Debian's fonts-noto-cjk and fonts-wqy-microhei (embedded in the PDF).
FONTS: Final = "'Noto Sans CJK SC', 'Noto Serif CJK SC', 'WenQuanYi Micro Hei', sans-serif"
#: The report's page and type (A4, the CJK fonts above).
CSS: Final = f"""
@page {{ size: A4; margin: 16mm 14mm; }}
body {{ font-family: {FONTS}; font-size: 10.5pt; color: #222; }}
h1 {{ font-size: 18pt; margin: 0 0 4pt; }}
h2 {{ font-size: 13pt; margin: 14pt 0 6pt; border-bottom: 1px solid #999; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; }}
th, td {{ border: 1px solid #bbb; padding: 2pt 4pt; }}
th {{ background: #eee; }} .meta {{ color: #555; }} .map {{ width: 100%; }}
section {{ page-break-inside: avoid; }}
"""
#: The chart's ratio axis ends here (an actual far above its path would squash every other bar).
CHART_MAX_RATIO: Final = 1.5
#: Characters of an indicator's name the chart shows (the table below it gives the whole name).
LABEL_CHARS: Final = 18
#: The words each status is shown with in a report.
SHOWN_STATUS: Final = {
    "on_track": "monitoring.status.on_track",
    "at_risk": "monitoring.status.at_risk",
    "off_track": "monitoring.status.off_track",
}


@dataclass(frozen=True)
class Report:
    """What the report says: the year's progress, the workspace's measures per park, sources, date."""

    year: int
    lang: Lang
    progress: pd.DataFrame  # progress_table rows of the year
    measures: pd.DataFrame | None  # workspace_measures by park (None without a workspace)
    park_names: dict[str, str]
    sources: list[str]
    thresholds: Thresholds
    date: str

    @property
    def counts(self) -> dict[str, int]:
        """Indicators per status, and without data."""
        found = self.progress["status"].value_counts()
        counts = {s: int(found.get(s, 0)) for s in STATUSES}
        return counts | {"no_data": int(self.progress["status"].isna().sum())}


def make_report(
    values: pd.DataFrame,
    year: int,
    thresholds: Thresholds,
    *,
    measures: pd.DataFrame | None,
    park_names: dict[str, str],
    lang: Lang,
    today: dt.date,
) -> Report:
    """The report of ``year`` from the actual ``values`` (zone rows judged; their sources listed)."""
    zone = values[values["park_id"].isna()]
    progress = progress_table(zone, [year], thresholds)
    sources = sorted(
        {str(s) for s in values.get("source", pd.Series(dtype=object)).dropna() if str(s).strip()}
    )
    return Report(year, lang, progress, measures, park_names, sources, thresholds, today.isoformat())


def _t(report: Report, key: str, **values: object) -> str:
    return translate(key, report.lang, **values)


def chart_svg(report: Report) -> str:
    """Each indicator's actual value as a share of the year's required value, as bars (SVG, text escaped)."""
    rows = report.progress
    bar_h, gap, label_w, width = 16, 6, 230, 640
    plot_w = width - label_w - 60
    height = len(rows) * (bar_h + gap) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11">']
    hundred = label_w + plot_w / CHART_MAX_RATIO
    no_value, axis = html.escape(_t(report, "league.no_value")), html.escape(_t(report, "report.chart_axis"))
    for i, row in enumerate(rows.itertuples(index=False)):
        y = 10 + i * (bar_h + gap)
        name = str(row.name_zh if report.lang == "zh" else row.indicator_id)
        name = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"  # the table has it whole
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{html.escape(str(name))}</text>'
        )
        if row.status is None or row.required is None or row.actual is None or pd.isna(row.actual):
            parts.append(f'<text x="{label_w + 4}" y="{y + 12}" fill="{NO_DATA}">{no_value}</text>')
            continue
        ratio = _ratio(row)
        length = plot_w * min(ratio, CHART_MAX_RATIO) / CHART_MAX_RATIO
        colour = STATUS_COLOURS[row.status]
        parts.append(f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + length + 4:.1f}" y="{y + 12}">{ratio:.0%}</text>')
    parts.append(
        f'<line x1="{hundred:.1f}" y1="4" x2="{hundred:.1f}" y2="{height - 24}" stroke="#333" '
        'stroke-dasharray="4 3"/>'
    )
    parts.append(f'<text x="{hundred:.1f}" y="{height - 8}" text-anchor="middle">{axis}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ratio(row: object) -> float:
    """Actual over required (required over actual where lower is better; distance-based for kept levels)."""
    actual, required = float(row.actual), float(row.required)  # type: ignore[attr-defined]
    if row.direction == "lower":  # type: ignore[attr-defined]
        return required / actual if actual > 0 else CHART_MAX_RATIO
    return actual / required if required > 0 else CHART_MAX_RATIO


def report_html(report: Report, map_png: bytes | None) -> str:
    """The whole report as one self-contained HTML document (A4, its CSS inline, the map a data URI)."""
    t, esc = (lambda key, **v: _t(report, key, **v)), html.escape
    counts = report.counts
    table = worded(report.progress, report.lang)
    if report.lang == "en":
        table["status"] = [
            t(SHOWN_STATUS[s]) if isinstance(s, str) else "" for s in report.progress["status"]
        ]
    behind = report.progress[report.progress["status"] == "off_track"]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head><body>",
        f"<h1>{esc(t('report.title', year=report.year))}</h1>",
        f"<p class='meta'>{esc(t('report.meta', date=report.date))}</p>",
        f"<h2>{esc(t('report.summary'))}</h2><p>",
        esc(
            t(
                "report.summary_line",
                on=counts["on_track"],
                risk=counts["at_risk"],
                off=counts["off_track"],
                none=counts["no_data"],
            )
        ),
        "</p>",
    ]
    if len(behind):
        names = "、" if report.lang == "zh" else ", "
        parts.append(f"<p>{esc(t('report.behind', names=names.join(behind['name_zh'])))}</p>")
    parts += [f"<section><h2>{esc(t('report.chart'))}</h2>", chart_svg(report), "</section>"]
    parts += [f"<h2>{esc(t('report.table'))}</h2>", _html_table(table)]
    if map_png is not None:
        encoded = base64.b64encode(map_png).decode("ascii")
        parts += [f"<section><h2>{esc(t('report.league'))}</h2>",
                  f"<img class='map' alt='{esc(t('report.league'))}' "
                  f"src='data:image/png;base64,{encoded}'></section>"]  # fmt: skip
    parts += [f"<h2>{esc(t('report.workspace'))}</h2>", _workspace_html(report)]
    parts += [f"<h2>{esc(t('report.sources'))}</h2><ul>"]
    for line in [
        *report.sources,
        t("report.source_plan"),
        t("report.source_rules", rules=report.thresholds.source),
    ]:
        parts.append(f"<li>{esc(line)}</li>")
    parts.append("</ul></body></html>")
    return "".join(parts)


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def workspace_table(report: Report) -> pd.DataFrame | None:
    """The workspace's measures per park, with totals, headed in the report's language (None without one)."""
    if report.measures is None:
        return None
    frame = report.measures.copy()
    frame.loc["total"] = frame.sum(numeric_only=True)
    names = {**report.park_names, "total": _t(report, "report.total")}
    frame.index = [names.get(str(p), str(p)) for p in frame.index]
    headers = {m: _t(report, f"league.measure.{m}") for m in frame.columns}
    return frame.rename(columns=headers).rename_axis(_t(report, "league.col.park")).reset_index()


def _workspace_html(report: Report) -> str:
    table = workspace_table(report)
    if table is None:
        return f"<p>{html.escape(_t(report, 'report.no_workspace'))}</p>"
    return _html_table(table)


def write_report(report: Report, out: Path, map_png: bytes | None) -> Path:
    """Write the report by ``out``'s suffix (.pdf, .docx or .xlsx), atomically."""
    suffix = Path(out).suffix.lower()
    if suffix == ".pdf":
        from zgc_geo.export.printing import print_document  # noqa: PLC0415 - Chromium only for PDF

        return print_document(report_html(report, map_png), out)
    if suffix == ".docx":
        from zgc_geo.monitoring.report_docx import write_docx  # noqa: PLC0415 - python-docx only for DOCX

        return write_docx(report, out, map_png, chart_svg(report))
    from zgc_geo.export.tables import write_tables  # noqa: PLC0415

    table = worded(report.progress, report.lang)
    tables = {"progress": table}
    if (measures := workspace_table(report)) is not None:
        tables["workspace"] = measures
    write_tables(Path(out), tables, lang=report.lang)
    return Path(out)
