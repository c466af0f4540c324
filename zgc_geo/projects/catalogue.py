"""The prohibited and restricted catalogue (《北京市新增产业的禁止和限制目录》) as rules, and which apply.

One row per rule, exactly these columns: ``code`` (GB/T 4754-2017 at any level), ``measure`` (禁止 or
限制), ``scope`` (全市, 中心城区, 城市副中心, 平原地区, 生态涵养区 or a district such as 海淀区),
``condition`` (free text: new build or extension, exceptions), ``clause`` (the catalogue's own item
reference) and ``edition``. The shipped table (``layers/industry_catalogue.csv``) holds only the rules
zgc-geo could cite from public reports, each with its source in
``layers/industry_catalogue_sources.csv``: it is far from the whole catalogue. A bureau loads the
official table in the same columns from CSV or XLSX (``--catalogue``, or on the Projects page).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from zgc_geo.catalogue import layer_spec
from zgc_geo.errors import UnreadableInputError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.tables import read_cells
from zgc_geo.projects.codes import IndustryCodes, chain, industry_codes, normalise_code
from zgc_geo.projects.zoning import ZONES, district_names

COLUMNS: Final = ("code", "measure", "scope", "condition", "clause", "edition")
PROHIBITED, RESTRICTED = "禁止", "限制"
MEASURES: Final = (PROHIBITED, RESTRICTED)
#: Problems listed before the rest are counted: enough to fix a file in one pass.
_SHOWN: Final = 30


@dataclass(frozen=True)
class Catalogue:
    """The rules (``code`` normalised, the other columns as written) and where they were read from."""

    rules: pd.DataFrame
    source: str

    def matching(self, code: str, places: tuple[str, ...]) -> pd.DataFrame:
        """The rules on ``code`` or any code above it whose scope is one of ``places`` (全市, the
        site's zone and district), 禁止 first, then in the table's order."""
        rules = self.rules
        hit = rules[rules["code"].isin(chain(code)) & rules["scope"].isin(places)]
        return hit.sort_values("measure", key=lambda m: m.map(MEASURES.index), kind="stable")


def shipped_catalogue_path(data_dir: Path | None = None) -> Path:
    """The shipped partial table."""
    return layer_spec("industry_catalogue", data_dir).path


def load_catalogue(
    path: Path | None = None, *, limits: ImportLimits | None = None, data_dir: Path | None = None
) -> Catalogue:
    """The catalogue in ``path`` (CSV or XLSX), default the shipped one, every row checked.

    Raises :class:`UnreadableInputError` listing every row that breaks the schema (by the row
    number the spreadsheet shows and the column), so the file is fixed in one pass.
    """
    source = Path(path) if path is not None else shipped_catalogue_path(data_dir)
    cells = read_cells(source, limits=limits)
    table = cells.table.rename(columns=lambda c: unicodedata.normalize("NFKC", str(c)).strip().lower())
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise UnreadableInputError(
            f"{source.name}: the catalogue needs exactly the columns {', '.join(COLUMNS)}; missing: "
            f"{', '.join(missing)} (found: {', '.join(map(str, cells.table.columns))})"
        )
    table = table[list(COLUMNS)].apply(lambda c: c.str.strip())
    blank = (table == "").all(axis=1)
    rows = pd.Series(range(cells.first_row, cells.first_row + len(table)), index=table.index)
    table, rows = table[~blank], rows[~blank]
    problems = _problems(table, rows, industry_codes(data_dir), data_dir)
    if problems:
        shown = problems[:_SHOWN]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise UnreadableInputError(
            f"{source.name}: {len(problems)} problem(s) in the catalogue; fix them and load it again:\n"
            + "\n".join(f"  - {p}" for p in shown)
            + more
        )
    if table.empty:
        raise UnreadableInputError(f"{source.name}: the catalogue has no rules")
    rules = table.assign(code=table["code"].map(normalise_code), row=rows.to_numpy()).reset_index(drop=True)
    return Catalogue(rules, source.name)


def _problems(table: pd.DataFrame, rows: pd.Series, codes: IndustryCodes, data_dir: Path | None) -> list[str]:
    places = (*ZONES, *district_names(data_dir))
    problems: list[str] = []
    for (_, rule), row in zip(table.iterrows(), rows, strict=True):  # a few hundred rules at most
        code = normalise_code(rule["code"])
        if code is None:
            problems.append(
                f"row {row}, column code: {rule['code']!r} is not a GB/T 4754-2017 code; write a section "
                "letter (C) or 2–4 digits (30, 301, 3011)"
            )
        elif not codes.known(code):
            problems.append(f"row {row}, column code: {rule['code']!r} is not in GB/T 4754-2017")
        if rule["measure"] not in MEASURES:
            problems.append(f"row {row}, column measure: {rule['measure']!r} must be 禁止 or 限制")
        if rule["scope"] not in places:
            problems.append(
                f"row {row}, column scope: {rule['scope']!r} must be one of {', '.join(ZONES)} or a "
                "district's full name (e.g. 海淀区)"
            )
        for column in ("clause", "edition"):
            if not rule[column]:
                problems.append(f"row {row}, column {column}: is empty; every rule names its {column}")
    return problems
