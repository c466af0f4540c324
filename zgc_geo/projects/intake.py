"""A project list from CSV or XLSX: headers recognised in Chinese or English, every row checked.

The headers a list may use are data (``layers/project_column_aliases.csv``: field, alias and the factor
that puts the column's unit into the field's, so 用地面积(公顷) becomes mu and 投资额(亿元) 万元).
A row needs an industry code and a site, as WGS84 longitude and latitude or a workspace plot id;
a row that lacks them, or has a number that is not one, is listed with its spreadsheet row number and
the rest are still screened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from zgc_geo.catalogue import load_layer
from zgc_geo.errors import UnreadableInputError
from zgc_geo.i18n import Sentence
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.tables import header_key, parse_angles, read_cells
from zgc_geo.projects.codes import IndustryCodes, normalise_code

FIELDS: Final = (
    "name", "enterprise", "industry_code", "lon", "lat", "plot_id", "park_id",
    "land_area_mu", "investment_wan", "output_wan", "tax_wan", "far", "jobs",
)  # fmt: skip
NUMERIC_FIELDS: Final = ("land_area_mu", "investment_wan", "output_wan", "tax_wan", "far", "jobs")
TEXT_FIELDS: Final = ("name", "enterprise", "plot_id", "park_id")
#: Beijing's extent with a margin (WGS84): a site outside it is not in the catalogue's area.
_BEIJING: Final = (115.4, 39.4, 117.6, 41.1)


@dataclass(frozen=True)
class ProjectList:
    """The list as read (``cells``), its fields in canonical form and each row's errors."""

    source: str
    cells: pd.DataFrame
    first_row: int
    headers: dict[str, str]  # field → the header it was read from
    fields: pd.DataFrame
    errors: list[list[Sentence]]

    @property
    def rows(self) -> np.ndarray:
        """Each project's row number as the spreadsheet shows it."""
        return np.arange(self.first_row, self.first_row + len(self.cells))


@cache
def _aliases(data_dir: Path | None) -> dict[str, tuple[str, float]]:
    table = load_layer("project_column_aliases", data_dir)
    return {
        header_key(alias): (field, float(factor))
        for field, alias, factor in table[["field", "alias", "factor"]].itertuples(index=False)
    }


def read_projects(
    path: Path, codes: IndustryCodes, *, limits: ImportLimits | None = None, data_dir: Path | None = None
) -> ProjectList:
    """Read and check a project list; raises :class:`UnreadableInputError` when it is not one at all."""
    path = Path(path)
    cells = read_cells(path, limits=limits)
    return projects_from_table(cells.table, path.name, codes, first_row=cells.first_row, data_dir=data_dir)


def projects_from_table(
    table: pd.DataFrame,
    source: str,
    codes: IndustryCodes,
    *,
    first_row: int = 2,
    data_dir: Path | None = None,
) -> ProjectList:
    """Check a table of text cells as a project list (``source`` names it in messages; ``first_row`` is
    the spreadsheet row of its first row)."""
    headers, factors = _recognised(table, _aliases(data_dir))
    if "industry_code" not in headers:
        raise UnreadableInputError(
            f"{source}: no industry-code column; name one 行业代码 or industry_code (the headers are: "
            f"{', '.join(map(str, table.columns))})"
        )
    if "plot_id" not in headers and not {"lon", "lat"} <= set(headers):
        raise UnreadableInputError(
            f"{source}: no site columns; give 经度/lon and 纬度/lat (WGS84) or 地块编号/plot_id"
        )
    rows = _Rows(table, headers, factors)
    for field in TEXT_FIELDS:
        rows.fields[field] = rows.text(field).replace("", None)
    rows.industry_codes(codes)
    for field in NUMERIC_FIELDS:
        rows.number(field)
    rows.sites()
    return ProjectList(source, table, first_row, headers, rows.fields, rows.errors)


def _recognised(
    table: pd.DataFrame, aliases: dict[str, tuple[str, float]]
) -> tuple[dict[str, str], dict[str, float]]:
    """The header each field is read from (the first recognised wins) and the factor of its unit."""
    headers: dict[str, str] = {}
    factors: dict[str, float] = {}
    for header in table.columns:
        found = aliases.get(header_key(header))
        if found is not None and found[0] not in headers:
            headers[found[0]], factors[found[0]] = str(header), found[1]
    return headers, factors


class _Rows:
    """The checks of a project list's rows, each adding its errors to the rows it finds wrong."""

    def __init__(self, table: pd.DataFrame, headers: dict[str, str], factors: dict[str, float]) -> None:
        self.table, self.headers, self.factors = table, headers, factors
        self.fields = pd.DataFrame(index=table.index)
        self.errors: list[list[Sentence]] = [[] for _ in range(len(table))]

    def flag(self, mask: np.ndarray, key: str, **values: object) -> None:
        """One error ``key`` on every row of ``mask``, with that row's ``values`` (series) filled in."""
        for position in np.flatnonzero(mask):
            cell = {name: (v.iloc[position] if isinstance(v, pd.Series) else v) for name, v in values.items()}
            self.errors[position].append(Sentence(key, cell))

    def text(self, field: str) -> pd.Series:
        """The field's cells as stripped text ("" where the list has no such column)."""
        if field not in self.headers:
            return pd.Series("", index=self.table.index, dtype=object)
        return self.table[self.headers[field]].astype(str).str.strip()

    def industry_codes(self, codes: IndustryCodes) -> None:
        """``industry_code`` normalised; missing, malformed and unknown codes are errors (and None)."""
        raw, column = self.text("industry_code"), self.headers["industry_code"]
        normalised = raw.map(normalise_code)
        empty = (raw == "").to_numpy()
        malformed = normalised.isna().to_numpy() & ~empty
        unknown = np.array([isinstance(c, str) and not codes.known(c) for c in normalised], dtype=bool)
        self.flag(empty, "projects.error.code_missing", column=column)
        self.flag(malformed, "projects.error.code_invalid", column=column, value=raw)
        self.flag(unknown, "projects.error.code_unknown", column=column, value=raw)
        self.fields["industry_code"] = normalised.where(~(malformed | unknown), None)

    def number(self, field: str) -> None:
        """A numeric field in its canonical unit; thousands separators allowed, other text an error."""
        raw = self.text(field).str.replace(r"[,，\s]", "", regex=True)
        value = pd.to_numeric(raw.where(raw != ""), errors="coerce") * self.factors.get(field, 1.0)
        column = self.headers.get(field, field)
        self.flag(
            (value.isna() & (raw != "")).to_numpy(), "projects.error.not_a_number", column=column, value=raw
        )
        self.fields[field] = value.astype(float)

    def sites(self) -> None:
        """``lon`` and ``lat`` (decimal or DMS, WGS84) inside Beijing, or a plot id; else an error."""
        unparsed = np.zeros(len(self.table), dtype=bool)
        for field in ("lon", "lat"):
            raw = self.text(field)
            value, _ = parse_angles(raw)
            bad = ~np.isfinite(value) & (raw != "").to_numpy()
            self.flag(bad, "projects.error.not_a_number", column=self.headers.get(field, field), value=raw)
            self.fields[field], unparsed = value, unparsed | bad
        lon, lat = self.fields["lon"].to_numpy(), self.fields["lat"].to_numpy()
        has_point = np.isfinite(lon) & np.isfinite(lat)
        half = (np.isfinite(lon) ^ np.isfinite(lat)) & ~unparsed
        self.flag(half, "projects.error.coordinates_incomplete")
        west, south, east, north = _BEIJING
        outside = has_point & ~((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
        self.flag(outside, "projects.error.outside_beijing", lon=self.fields["lon"], lat=self.fields["lat"])
        self.fields.loc[outside | half, ["lon", "lat"]] = np.nan
        no_site = ~has_point & ~half & ~unparsed & self.fields["plot_id"].isna().to_numpy()
        self.flag(no_site, "projects.error.site_missing")
