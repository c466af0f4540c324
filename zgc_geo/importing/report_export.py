"""Write an import report as CSV or XLSX, formula-safe and atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from zgc_geo.errors import OptionError
from zgc_geo.export.safety import csv_bytes
from zgc_geo.export.workbook import workbook_bytes
from zgc_geo.i18n import DEFAULT_LANG, Lang
from zgc_geo.importing.report import ImportReport

REPORT_FORMATS = (".csv", ".xlsx")


def report_bytes(report: ImportReport, suffix: str, lang: Lang = DEFAULT_LANG) -> bytes:
    """The report as file content for ``suffix`` (``.csv`` or ``.xlsx``), for downloads and files.

    Values come from the user's own file and may start with ``=``: both formats go
    through the formula-injection guard. The workbook is headed in ``lang`` like every
    workbook export (:func:`zgc_geo.export.workbook.workbook_bytes`); the CSV keeps the field names.
    """
    frame = report.to_frame()
    if suffix == ".csv":
        return csv_bytes(frame)
    if suffix == ".xlsx":
        return workbook_bytes([("report", frame)], lang=lang)
    raise OptionError(f"report files must end in {' or '.join(REPORT_FORMATS)}, not {suffix or '(nothing)'}")


def write_report(report: ImportReport, path: Path, *, lang: Lang = DEFAULT_LANG) -> None:
    """Write the report to ``path`` (a workbook in ``lang``); never leaves a half-written file."""
    data = report_bytes(report, path.suffix.lower(), lang)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
