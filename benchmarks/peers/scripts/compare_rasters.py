"""How far two suitability GeoTIFFs of the same grid are apart: zgc-geo's against GDAL's tools' (not timed).

Prints JSON: the largest absolute difference over cells valid in both, and the cells that are no data
(NaN) in one raster but not the other. Read block by block, so a 10 m grid of Beijing fits in memory.

    python compare_rasters.py A.tif B.tif
"""

from __future__ import annotations

import json
import sys

import numpy as np
import rasterio


def main(first: str, second: str) -> None:
    worst, mismatched = 0.0, 0
    with rasterio.open(first) as a, rasterio.open(second) as b:
        if (a.width, a.height, a.transform) != (b.width, b.height, b.transform):
            print(json.dumps({"same_grid": False}))
            return
        for _, window in a.block_windows(1):
            x, y = a.read(1, window=window), b.read(1, window=window)
            mismatched += int((np.isfinite(x) != np.isfinite(y)).sum())
            both = np.isfinite(x) & np.isfinite(y)
            if both.any():
                worst = max(worst, float(np.abs(x[both] - y[both]).max()))
    print(json.dumps({"same_grid": True, "max_difference": worst, "nodata_mismatches": mismatched}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
