"""What a reader hands on: the features as read, plus how they were read."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

from zgc_geo.importing.report import Problem


@dataclass
class ReadResult:
    """Features read from one input, before any CRS, geometry or schema decision.

    ``frame`` keeps every attribute column as read (text as text) and the geometry in
    the file's own coordinates; its CRS is None when the file declares none.
    ``first_row_number`` converts a 0-based position into the number a user sees:
    1 for vector features, 2 for a spreadsheet whose header is row 1.
    """

    frame: gpd.GeoDataFrame
    source_name: str
    format: str
    layer: str | None = None
    layers: tuple[str, ...] = ()
    encoding: str | None = None
    encoding_basis: str = ""
    crs_basis: str = ""
    first_row_number: int = 1
    problems: list[Problem] = field(default_factory=list)

    def row_number(self, position: int) -> int:
        """The user-facing row number of the feature at 0-based ``position``."""
        return position + self.first_row_number
