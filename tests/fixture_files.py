"""Input files as planners receive them, built in code for tests (nothing binary is committed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import shapely

from zgc_geo.catalogue import load_layer


def write_gbk_plot_zip(folder: Path, *, with_prj: bool = True, crs: int = 4527) -> Path:
    """A land bureau's delivery: zipped shapefile, GBK DBF, no .cpg, CGCS2000 GK metres.

    One 200 m × 160 m plot per park (48 亩 each), named after the park in Chinese.
    """
    parks = load_layer("parks").to_crs(crs)
    centres = shapely.point_on_surface(parks.geometry.to_numpy())
    plots = gpd.GeoDataFrame(
        {
            "地块编号": [f"P{i:03d}" for i in range(len(parks))],
            "地块名称": [f"{name}闲置厂房" for name in parks["name_zh"]],
            "用地性质": ["M1"] * len(parks),
            "面积（亩）": [48.0] * len(parks),
            "权属": ["国有"] * len(parks),
        },
        geometry=[shapely.box(p.x - 100, p.y - 80, p.x + 100, p.y + 80) for p in centres],
        crs=crs,
    )
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "地块.shp"
    plots.to_file(shp, encoding="GBK", engine="pyogrio")
    (folder / "地块.cpg").unlink(missing_ok=True)
    if not with_prj:
        (folder / "地块.prj").unlink()
    archive = folder / "bureau_plots.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob("地块.*")):
            zf.write(part, part.name)
    return archive
