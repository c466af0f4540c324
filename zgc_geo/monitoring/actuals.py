"""Actual values of the plan's indicators from CSV or XLSX: headers in Chinese or English, every row checked.

Columns: 指标/indicator (the ``indicator_id`` or the indicator's Chinese name), 年份/year, 数值/value, and
optionally 分园/park_id and 来源/source. A row that cannot be read is listed with its spreadsheet row
number and the rest are kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.errors import UnreadableInputError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.tables import header_key, read_cells

#: Header aliases (after :func:`_key`) of each column.
HEADERS: Final = {
    "indicator": ("指标", "指标编号", "指标名称", "indicator", "indicatorid", "indicator_id"),
    "year": ("年份", "年度", "year"),
    "value": ("数值", "实际值", "value", "actual"),
    "park_id": ("分园", "园区", "park", "parkid", "park_id"),
    "source": ("来源", "数据来源", "source"),
}
#: Years an actual value may be for: the plan's baseline year to well past its horizon.
YEARS: Final = range(2015, 2051)


@dataclass(frozen=True)
class Actuals:
    """The values read (``indicator_id``, ``year``, ``value``, ``park_id`` (None: the zone), ``source``,
    ``row``) and the problems of the rows that could not be read."""

    values: pd.DataFrame
    problems: list[str]

    def zone(self) -> pd.DataFrame:
        """The zone-wide values (no park)."""
        return self.values[self.values["park_id"].isna()]


def read_actuals(path: Path, indicators: pd.DataFrame, *, limits: ImportLimits | None = None) -> Actuals:
    """Read ``path`` against ``indicators`` (the targets table: ``indicator_id``, ``indicator_zh``)."""
    path = Path(path)
    cells = read_cells(path, limits=limits)
    columns = {c: header_key(c) for c in cells.table.columns}
    found = {
        name: next((c for c, k in columns.items() if k in {header_key(a) for a in aliases}), None)
        for name, aliases in HEADERS.items()
    }
    missing = [name for name in ("indicator", "year", "value") if found[name] is None]
    if missing:
        raise UnreadableInputError(
            f"{path.name}: no column for {', '.join(missing)}; name them 指标/indicator, 年份/year and "
            f"数值/value (the headers are: {', '.join(map(str, cells.table.columns))})"
        )
    ids = [str(i) for i in indicators["indicator_id"]]
    names = [str(n).strip() for n in indicators["indicator_zh"]]
    by_name = dict(zip(ids, ids, strict=True)) | dict(zip(names, ids, strict=True))
    rows, problems, seen = [], [], set()
    for position, row in cells.table.iterrows():  # a yearly table: tens to hundreds of rows
        number = cells.first_row + int(position)
        text = {
            name: (str(row[column]).strip() if column is not None else "") for name, column in found.items()
        }
        if not text["year"] and not text["value"]:
            continue  # a row not filled in yet (the template lists every indicator)
        indicator = by_name.get(text["indicator"])
        year = _year(text["year"])
        value = _number(text["value"])
        park = text["park_id"] or None
        if indicator is None:
            problems.append(
                f"row {number}, column {found['indicator']}: {text['indicator']!r} is not an indicator "
                "of the target system; use its indicator_id or its Chinese name (zgc-geo layers targets_2020)"
            )
        if year is None:
            problems.append(
                f"row {number}, column {found['year']}: {text['year']!r} is not a year from "
                f"{YEARS.start} to {YEARS.stop - 1}"
            )
        if value is None:
            problems.append(f"row {number}, column {found['value']}: {text['value']!r} is not a number")
        if indicator is None or year is None or value is None:
            continue
        if (indicator, year, park) in seen:
            problems.append(
                f"row {number}: {indicator} {year}{' ' + park if park else ''} is given twice; "
                "the first value is kept"
            )
            continue
        seen.add((indicator, year, park))
        rows.append((indicator, year, value, park, text["source"] or None, number))
    values = pd.DataFrame(rows, columns=["indicator_id", "year", "value", "park_id", "source", "row"])
    return Actuals(values.astype({"year": "int64", "value": "float64"}), problems)


def _year(text: str) -> int | None:
    cleaned = text.removesuffix("年").strip()
    if re.fullmatch(r"\d{4}(\.0+)?", cleaned) is None:
        return None
    year = int(float(cleaned))
    return year if year in YEARS else None


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "").replace("，", "").removesuffix("%"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


KEYS: Final = ("indicator_id", "year", "park_id")


def public_actuals(indicators: pd.DataFrame) -> pd.DataFrame:
    """The public figures zgc-geo ships (``layers/actuals_public.csv``: each with its source), as values."""
    from zgc_geo.catalogue import layer_spec  # noqa: PLC0415 - the manifest only when asked

    return read_actuals(layer_spec("actuals_public").path, indicators).values


def merged(*layers: pd.DataFrame) -> pd.DataFrame:
    """Actual values stacked, a later layer's value replacing an earlier one's for the same indicator, year
    and park (shipped public figures, then the workspace's, then a file's for one run)."""
    frames = [
        f[[c for c in ("indicator_id", "year", "value", "park_id", "source") if c in f.columns]]
        for f in layers
    ]
    stacked = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else frames[0]
    )
    return stacked.drop_duplicates(list(KEYS), keep="last").reset_index(drop=True)
