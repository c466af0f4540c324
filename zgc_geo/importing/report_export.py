"""Write an import report as CSV or XLSX, formula-safe and atomically."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from zgc_geo.errors import OptionError
from zgc_geo.export.safety import csv_bytes, neutralise_formulas
from zgc_geo.importing.report import ImportReport

REPORT_FORMATS = (".csv", ".xlsx")


def report_bytes(report: ImportReport, suffix: str) -> bytes:
    """The report as file content for ``suffix`` (``.csv`` or ``.xlsx``), for downloads and files.

    Values come from the user's own file and may start with ``=``: both formats go
    through the formula-injection guard.
    """
    frame = report.to_frame()
    if suffix == ".csv":
        return csv_bytes(frame)
    if suffix == ".xlsx":
        buffer = io.BytesIO()
        neutralise_formulas(frame).to_excel(buffer, index=False, sheet_name="report", engine="openpyxl")
        return buffer.getvalue()
    raise OptionError(f"report files must end in {' or '.join(REPORT_FORMATS)}, not {suffix or '(nothing)'}")


def write_report(report: ImportReport, path: Path) -> None:
    """Write the report to ``path``; a crash mid-write never leaves a half-written file."""
    data = report_bytes(report, path.suffix.lower())
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
