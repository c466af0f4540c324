"""exactextract's Python API: the mean of the raster per plot, weighted by each cell's covered fraction.

python zonal_exactextract.py PLOTS.gpkg RASTER.tif OUT.csv
"""

from __future__ import annotations

import sys

import pyogrio
from exactextract import exact_extract


def main(plots_path: str, raster_path: str, out: str) -> None:
    plots = pyogrio.read_dataframe(plots_path)
    table = exact_extract(raster_path, plots, ["mean"], include_cols=["plot_id"], output="pandas")
    table.to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
