"""zgc-geo's zonal path (``zgc_geo.siting.zonal.zonal_means``) in a small script: a SUBSET, not a command.

zgc-geo has no zonal-statistics command of its own (``zgc-geo site`` runs this path inside its ranking),
so the comparison with exactextract and rasterstats calls the library directly: read the plots and the
raster, mean per plot, write a CSV. Cells count when their centre is inside a plot.

    python zonal_zgc.py PLOTS.gpkg RASTER.tif OUT.csv
"""

from __future__ import annotations

import sys

import pyogrio
import rasterio

from zgc_geo.siting.grid import Grid
from zgc_geo.siting.zonal import zonal_means


def main(plots_path: str, raster_path: str, out: str) -> None:
    plots = pyogrio.read_dataframe(plots_path)
    with rasterio.open(raster_path) as src:
        grid = Grid(src.crs, src.transform, src.width, src.height, float(src.transform.a))
        values = src.read(1)
    table = zonal_means(grid, {"mean": values}, plots.geometry)
    table.insert(0, "plot_id", plots["plot_id"].to_numpy())
    table[["plot_id", "mean", "cell_count"]].to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
