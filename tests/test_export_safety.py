"""Exports cannot smuggle spreadsheet formulas."""

from __future__ import annotations

import pandas as pd

from zgc_geo.export.safety import csv_bytes, neutralise_formulas


def test_formula_like_text_is_quoted_and_numbers_are_not() -> None:
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tcmd", "normal", "中关村"],
            "value": [-3.5, 1, 2, 3, 4, 5, 6],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["name"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tcmd",
        "normal",
        "中关村",
    ]
    assert safe["value"].tolist() == frame["value"].tolist()
    assert frame["name"].iloc[0].startswith("=")  # the input is not modified


def test_list_cells_and_headers_are_covered() -> None:
    safe = neutralise_formulas(pd.DataFrame({"=cmd": [["=a", "b"]]}))
    assert list(safe.columns) == ["'=cmd"]
    assert safe.iloc[0, 0] == "'=a; b"


def test_csv_has_a_bom_for_excel_and_is_safe() -> None:
    data = csv_bytes(pd.DataFrame({"园区": ["=1+1"]}))
    assert data.startswith("\ufeff".encode())
    assert "'=1+1" in data.decode("utf-8-sig")


def test_full_width_pipes_and_blanks_before_a_trigger_are_covered() -> None:
    tricky = ["＝1+1", "＋1", "－2", "＠SUM(A1)", "|cmd", "｜cmd", " =1+1", "\n=cmd|' /C calc'!A0",
              "\u3000=1", "\r\n@x", "\u00a0+1"]  # fmt: skip
    harmless = ["海淀园 = 中关村", "a=b", "1-2", "", "   ", "中关村－核心区", "plot|id"]
    safe = neutralise_formulas(pd.DataFrame({"text": tricky + harmless}))
    assert safe["text"].tolist() == ["'" + t for t in tricky] + harmless
