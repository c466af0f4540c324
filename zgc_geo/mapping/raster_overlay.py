"""A suitability raster as a web-map image: warped to Web Mercator, coloured, embedded as a data URI."""

from __future__ import annotations

import base64
import io
from typing import Final

import numpy as np
import rasterio.warp
from affine import Affine
from PIL import Image
from pyproj import CRS, Transformer
from rasterio.enums import Resampling

from zgc_geo.mapping.display_datum import grid_to_display

#: Longest side of the display image: enough detail on screen, a bounded payload.
MAX_DISPLAY_PX: Final = 1400
WEB_MERCATOR: Final = CRS.from_epsg(3857)
#: Colour stops for 0–100 suitability (viridis-like, readable in greyscale print).
RAMP: Final = (
    (0.0, (68, 1, 84)),
    (25.0, (59, 82, 139)),
    (50.0, (33, 145, 140)),
    (75.0, (94, 201, 98)),
    (100.0, (253, 231, 37)),
)
OPACITY: Final = 200  # of 255


def colour_ramp(values: np.ndarray) -> np.ndarray:
    """RGBA (uint8) for suitability values 0–100; NaN becomes fully transparent."""
    stops = np.array([s for s, _ in RAMP])
    colours = np.array([c for _, c in RAMP], dtype=float)
    finite = np.isfinite(values)
    clipped = np.clip(np.where(finite, values, 0.0), 0.0, 100.0)
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    for channel in range(3):
        rgba[..., channel] = np.interp(clipped, stops, colours[:, channel]).astype(np.uint8)
    rgba[..., 3] = np.where(finite, OPACITY, 0)
    return rgba


def overlay_image(
    array: np.ndarray, transform: Affine, crs: CRS, *, datum: str = "wgs84"
) -> tuple[str, list[list[float]]]:
    """PNG data URI of ``array`` warped to Web Mercator, and its bounds as [[south, west], [north, east]].

    Leaflet stretches an image overlay linearly in Web Mercator, so the raster is
    warped to EPSG:3857 first (nearest neighbour: no invented values); its size is capped
    at :data:`MAX_DISPLAY_PX` so a 10 m grid of all Beijing stays a few hundred KB. For a
    GCJ-02 basemap (``datum="gcj02"``) the display image is then resampled onto GCJ-02
    positions by :func:`~zgc_geo.mapping.display_datum.grid_to_display`.
    """
    height, width = array.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (width, height)
    dst_transform, dst_width, dst_height = rasterio.warp.calculate_default_transform(
        crs, WEB_MERCATOR, width, height, left=left, bottom=bottom, right=right, top=top
    )
    scale = max(dst_width, dst_height) / MAX_DISPLAY_PX
    if scale > 1:
        dst_transform = dst_transform @ Affine.scale(scale)
        dst_width, dst_height = int(np.ceil(dst_width / scale)), int(np.ceil(dst_height / scale))
    display = np.full((dst_height, dst_width), np.nan, dtype=np.float32)
    rasterio.warp.reproject(
        source=array.astype(np.float32, copy=False),
        destination=display,
        src_transform=transform,
        src_crs=crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        dst_nodata=np.nan,
        resampling=Resampling.nearest,
    )
    display, dst_transform = grid_to_display(display, dst_transform, datum)
    dst_height, dst_width = display.shape
    buffer = io.BytesIO()
    Image.fromarray(colour_ramp(display)).save(buffer, format="PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    west, north = dst_transform @ (0, 0)
    east, south = dst_transform @ (dst_width, dst_height)
    to_lonlat = Transformer.from_crs(WEB_MERCATOR, 4326, always_xy=True)
    (lon_w, lon_e), (lat_s, lat_n) = to_lonlat.transform([west, east], [south, north])
    return uri, [[float(lat_s), float(lon_w)], [float(lat_n), float(lon_e)]]
