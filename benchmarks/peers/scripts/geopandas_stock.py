"""The plain-GeoPandas reference: what one writes without zgc-geo for the land-stock numbers.

Reads the inventory, repairs invalid outlines, reprojects to EPSG:4548, joins each plot to the park its
representative point is in, sums plots, area and floor area per park, and writes a GeoPackage with the
plots and the per-park table. Timed as a whole process by ``benchmarks/peers/run.py``.

    python geopandas_stock.py PLOTS.gpkg PARKS.gpkg OUT.gpkg
"""

from __future__ import annotations

import sys

import geopandas as gpd
import pyogrio


def main(plots_path: str, parks_path: str, out: str) -> None:
    plots = gpd.read_file(plots_path)
    plots["geometry"] = plots.geometry.make_valid()
    plots = plots.to_crs("EPSG:4548")
    parks = gpd.read_file(parks_path).to_crs("EPSG:4548")
    points = gpd.GeoDataFrame(plots[["plot_id"]], geometry=plots.representative_point(), crs=plots.crs)
    joined = gpd.sjoin(points, parks[["park_id", "geometry"]], predicate="within")
    plots["park_id"] = (
        joined.loc[~joined.index.duplicated(), "park_id"].reindex(plots.index).fillna("outside")
    )
    plots["area_m2"] = plots.area
    plots["floor_area_m2"] = plots["area_m2"] * plots["far_current"]
    sums = plots.groupby("park_id", as_index=False).agg(
        plots=("plot_id", "size"), area_m2=("area_m2", "sum"), floor_area_m2=("floor_area_m2", "sum")
    )
    plots.to_file(out, layer="plots", driver="GPKG")
    pyogrio.write_dataframe(sums, out, layer="per_park_summary", driver="GPKG")  # a table, no geometry


if __name__ == "__main__":
    main(*sys.argv[1:4])
