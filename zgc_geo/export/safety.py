"""Make tables safe to open in a spreadsheet: neutralise formula injection before any export."""

from __future__ import annotations

from typing import Final

import pandas as pd

#: A cell whose first character other than blanks is one of these may run as a formula in Excel, WPS or
#: LibreOffice (OWASP "CSV injection"): the ASCII triggers, ``|`` (DDE, e.g. ``|cmd``), and their
#: full-width forms, which Chinese input methods type and WPS and Excel on Chinese Windows convert.
FORMULA_TRIGGERS: Final = frozenset("=+-@|＝＋－＠｜")
#: Blanks a spreadsheet may drop before evaluating what follows: spaces, tabs, line breaks, the
#: ideographic space (U+3000) and no-break space, so ``" =1+1"`` and ``"\n=1+1"`` are formulas too.
LEADING_BLANKS: Final = " \t\r\n\u3000\u00a0\ufeff"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which every text cell that could run as a formula is quoted.

    A leading apostrophe makes spreadsheet programs show the text as typed instead of
    evaluating it; numbers are left alone, so ``-3.5`` stays a number. The rule:
    :func:`is_formula_like`.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        safe[column] = series.map(_neutralise_cell)
    safe.columns = [_neutralise_cell(str(c)) for c in safe.columns]
    return safe


def _neutralise_cell(value: object) -> object:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could evaluate ``text``: its first non-blank character is a formula trigger.

    Text starting with a tab or carriage return counts too, whatever follows (OWASP's rule: some
    programs strip them and evaluate the rest).
    """
    if text[:1] in ("\t", "\r"):
        return True
    stripped = text.lstrip(LEADING_BLANKS)
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel on Chinese Windows shows 汉字), formula-safe."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")
