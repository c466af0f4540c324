"""Do the land-stock peers count the same plots per park as ``zgc-geo stock``? (not timed)

Reads each tool's per-park table — zgc-geo's and the GeoPandas script's and ogr2ogr's ``per_park_summary``
layer, QGIS's statistics CSV — and prints JSON per tool: the parks whose plot count differs from
zgc-geo's and the largest difference. Only the 16 parks are compared (not the plots outside them).

    python compare_stock.py PARKS.gpkg zgc-geo=zgc.gpkg geopandas=gpd.gpkg qgis=qgis_sums.csv …
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pyogrio


def counts(path: Path, parks: list[str]) -> pd.Series:
    if path.suffix == ".csv":
        table = pd.read_csv(path)
        series = table.set_index("park_id")["count"]
    else:
        table = pyogrio.read_dataframe(path, layer="per_park_summary", read_geometry=False)
        series = table.set_index("park_id")["plots"]
    return pd.to_numeric(series, errors="coerce").groupby(level=0).sum().reindex(parks, fill_value=0)


def main(parks_path: str, *pairs: str) -> None:
    parks = sorted(pyogrio.read_dataframe(parks_path, read_geometry=False)["park_id"].astype(str))
    found = {tool: Path(path) for tool, _, path in (pair.partition("=") for pair in pairs)}
    reference = counts(found.pop("zgc-geo"), parks)
    result = {}
    for tool, path in found.items():
        if not path.exists():
            continue
        difference = (counts(path, parks) - reference).abs()
        result[tool] = {
            "parks_differing": int((difference > 0).sum()),
            "max_difference": int(difference.max()),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], *sys.argv[2:])
