"""Candidate plots that tie: many small idle plots right next to a feature park, as a real inventory has.

Fourteen 20 m × 20 m plots sit within 300 m of 中关村移动互联网产业基地 (a Frontier-IT feature park
inside the Haidian core park), so every default factor of the Frontier-IT cluster is saturated for
all of them and they score exactly 100; their names share a long prefix (海淀区闲置工业地块1xx号),
as a district's numbered plots do. Six more plots further out score less, so the ties sit on top
of an ordinary ranking. Built in code: nothing binary is committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import geopandas as gpd
import shapely

#: 中关村移动互联网产业基地 (layers/feature_parks): the anchor of the tied plots.
ANCHOR_LON_LAT: Final = (116.318, 39.972)
TIED: Final = 14
#: Distances (m, due east of the anchor) of the plots that do not tie.
SPREAD_M: Final = (1500.0, 2500.0, 3500.0, 4500.0, 6000.0, 7000.0)


def tied_plots() -> gpd.GeoDataFrame:
    """The 20 candidate plots in EPSG:4326: ``BJ-000101`` … ``BJ-000114`` tie at 100."""
    anchor = gpd.GeoSeries([shapely.Point(*ANCHOR_LON_LAT)], crs=4326).to_crs(4548).iloc[0]
    offsets = [(dx, dy) for dy in (-150.0, -50.0) for dx in (-150.0, -100.0, -50.0, 0.0, 50.0, 100.0, 150.0)]
    centres = [(anchor.x + dx, anchor.y + dy) for dx, dy in offsets[:TIED]]
    centres += [(anchor.x + d, anchor.y + 2500.0) for d in SPREAD_M]
    ids = [f"BJ-000{101 + k}" for k in range(len(centres))]
    return gpd.GeoDataFrame(
        {
            "plot_id": ids,
            "name": [f"海淀区闲置工业地块{101 + k}号" for k in range(len(centres))],
            "park_id": ["haidian"] * len(centres),
        },
        geometry=[shapely.box(x - 10, y - 10, x + 10, y + 10) for x, y in centres],
        crs=4548,
    ).to_crs(4326)


def write_tied_plots(folder: Path) -> Path:
    """:func:`tied_plots` as a GeoJSON file in ``folder`` (what a planner would upload)."""
    path = folder / "tied_plots.geojson"
    tied_plots().to_file(path, driver="GeoJSON")
    return path
