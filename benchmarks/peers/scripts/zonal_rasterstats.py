"""rasterstats' ``zonal_stats``: the mean of the raster per plot (cells whose centre is inside).

python zonal_rasterstats.py PLOTS.gpkg RASTER.tif OUT.csv
"""

from __future__ import annotations

import sys

import pandas as pd
import pyogrio
from rasterstats import zonal_stats


def main(plots_path: str, raster_path: str, out: str) -> None:
    plots = pyogrio.read_dataframe(plots_path)
    stats = zonal_stats(plots.geometry, raster_path, stats=["mean", "count"])
    table = pd.DataFrame(stats)
    table.insert(0, "plot_id", plots["plot_id"].to_numpy())
    table.to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
