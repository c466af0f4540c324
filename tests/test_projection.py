"""Reprojection to EPSG:4548: the fast paths give GeoPandas' numbers, bit for bit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.projection import project_geometries
from zgc_geo.transformers import as_pipeline, transformer_from_crs

#: Sources a Beijing inventory comes in: WGS84, CGCS2000 (degrees and 3° zones), Beijing 1954 and Xi'an
#: 1980 (degrees and GK zones), Web Mercator, UTM 50N.
SOURCES = (4326, 4490, 4214, 4610, 2436, 2384, 3857, 32650)


def _points_in(source: int, count: int = 2_000) -> tuple[np.ndarray, np.ndarray]:
    """Points over Beijing (115.4–117.6°E, 39.4–41.1°N) in ``source``'s coordinates."""
    rng = np.random.default_rng(source)
    lon, lat = rng.uniform(115.4, 117.6, count), rng.uniform(39.4, 41.1, count)
    to_source = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(source), always_xy=True)
    return to_source.transform(lon, lat)


@pytest.mark.parametrize("source", SOURCES)
def test_the_pipeline_gives_the_numbers_of_the_transformer_it_is_made_from(source: int) -> None:
    found = Transformer.from_crs(CRS.from_epsg(source), ANALYSIS_CRS, always_xy=True)
    pipeline = as_pipeline(found)
    assert pipeline is not None  # every source above is one operation to CGCS2000 / 3° GK CM 117E
    x, y = _points_in(source)
    expected = found.transform(x, y)
    np.testing.assert_array_equal(pipeline.transform(x, y), expected)
    with ThreadPoolExecutor(2) as pool:  # each thread sets up its own PROJ object
        for got in pool.map(lambda _: pipeline.transform(x, y), range(2)):
            np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("source", SOURCES)
def test_projected_outlines_equal_geopandas_to_crs(source: int) -> None:
    x, y = _points_in(source, 300)
    squares = shapely.buffer(shapely.points(x, y), 0.0001 if CRS.from_epsg(source).is_geographic else 10.0)
    holes = shapely.Polygon(shapely.get_exterior_ring(squares[0]), [shapely.get_exterior_ring(squares[0])])
    geoms = np.array([*squares, holes, None], dtype=object)
    expected = gpd.GeoSeries(geoms, crs=source).to_crs(ANALYSIS_CRS).to_numpy()
    got = project_geometries(geoms, source)
    assert shapely.equals_exact(got[:-1], expected[:-1], tolerance=0).all()
    assert got[-1] is None


def test_geopandas_sets_its_transformers_up_once_per_process() -> None:
    """zgc_geo.crs installs the pipeline cache in GeoPandas (a thread's own PROJ object then costs ~1 ms)."""
    import geopandas.array  # noqa: PLC0415

    assert geopandas.array.TransformerFromCRS is transformer_from_crs
    found = geopandas.array.TransformerFromCRS(CRS.from_epsg(4326), ANALYSIS_CRS, always_xy=True)
    assert found.definition.startswith("proj=pipeline")
