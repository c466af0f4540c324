"""Generate the synthetic demo inventory of idle and inefficient industrial plots (示例数据).

The app shows this inventory until a user imports a real one. Every plot is invented: the
outlines are random quadrilaterals inside the schematic park outlines of ``parks.geojson``,
the owners are numbered placeholders (示例实业有限公司 N), and every feature says it is
synthetic three times over (the 【示例】 name prefix, ``synthetic = true`` and ``data_note``).

The attributes use the raw form of the canonical plot schema of
:mod:`zgc_geo.importing.plots` (Chinese status words, 国有/集体, land-use codes of three
schemes, 万元/亩), so the file goes through the same import pipeline as a bureau's inventory.

The output is deterministic: the same seed, count and ``parks.geojson`` give the same bytes
(the test suite regenerates the committed file and compares). Run from the repository root::

    python tools/make_demo_inventory.py            # seed 2016, 300 plots
    python tools/make_demo_inventory.py --seed 7 --count 120 --out /tmp/demo.geojson
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
PARKS_PATH: Final = REPO_ROOT / "parks.geojson"
LAYER_NAME: Final = "demo_stock_inventory"
DEFAULT_OUT: Final = REPO_ROOT / "layers" / f"{LAYER_NAME}.geojson"
#: The fixed seed of the committed file: 2016, the first year of the plan period 2016–2020.
DEFAULT_SEED: Final = 2016
DEFAULT_COUNT: Final = 300
MIN_PER_PARK: Final = 5

#: Plots are built and measured in CGCS2000 / 3-degree GK CM 117E (metres), stored in WGS84.
METRIC_CRS: Final = "EPSG:4548"
STORAGE_CRS: Final = "EPSG:4326"
DECIMALS: Final = 6  # 1e-6° ≈ 0.1 m
#: Plots keep this far inside their park's edge and this far from each other (a service road),
#: so rounding the coordinates can neither push a plot out of its park nor into a neighbour.
EDGE_MARGIN_M: Final = 5.0
GAP_M: Final = 12.0

#: Plot sizes: lognormal around 2 ha, truncated just inside 0.3–15 ha (Beijing industrial land).
AREA_MEDIAN_HA: Final = 2.0
AREA_SIGMA: Final = 0.7
AREA_RANGE_HA: Final = (0.31, 14.7)
ASPECT_RANGE: Final = (1.0, 2.2)  # long side / short side of the rectangle before jitter
CORNER_JITTER: Final = 0.08  # corner displacement, as a share of the side along each axis
CANDIDATES_PER_PLOT: Final = 4
MAX_ROUNDS: Final = 200

STATUS_SHARES: Final = {"闲置": 0.30, "低效": 0.30, "停产": 0.15, "在产未达标": 0.20, "已批未供": 0.05}
UNSUPPLIED: Final = "已批未供"
PRODUCING: Final = ("低效", "在产未达标")
#: Median 万元/亩 of output for plots still producing; tax is a lognormal share of output.
OUTPUT_MEDIAN_WAN: Final = {"低效": 180.0, "在产未达标": 400.0}
OUTPUT_SIGMA: Final = 0.7
OUTPUT_RANGE_WAN: Final = (50.0, 1500.0)
TAX_SHARE_MEDIAN: Final = 0.07
TAX_SHARE_SIGMA: Final = 0.5
TAX_RANGE_WAN: Final = (2.0, 120.0)
LAND_USE_SHARES: Final = {
    "M1": 0.46, "M2": 0.24, "0601": 0.08, "100101": 0.07, "100102": 0.05, "W1": 0.06, "A35": 0.04,
}  # fmt: skip
EMPTY_SHARE: Final = 0.15  # plots with nothing built (far_current = 0): all 已批未供, some 闲置
COLLECTIVE_SHARE: Final = 0.15
#: Parks in the old city, where no collective (village) land is left: their plots are all 国有.
STATE_ONLY_PARKS: Final = ("dongcheng", "xicheng")
MISSING_ECONOMICS_SHARE: Final = 0.20
FAR_CURRENT_RANGE: Final = (0.2, 1.6)
FAR_PERMITTED_RANGE: Final = (1.0, 3.5)
FLOOR_AREA_SPREAD: Final = 0.05  # floor area = area × FAR within ±5 % (survey vs drawing)
IDLE_YEARS: Final = (2008, 2024)

NAME_PREFIX: Final = "【示例】"
OWNER_STEM: Final = "示例实业有限公司"
DATA_NOTE: Final = "合成示例数据，非真实地块 / synthetic demo data, not real plots"
STATUS_WORD: Final = {
    "闲置": "闲置",
    "低效": "低效",
    "停产": "停产",
    "在产未达标": "在产",
    "已批未供": "待供",
}
BUILDING_WORD: Final = {"W1": "仓库", "A35": "科研楼"}  # others: 厂房; nothing built: 地块
COLUMNS: Final = (
    "plot_id", "name", "park_id", "land_use_code", "far_current", "far_permitted", "floor_area_m2",
    "idle_since", "land_rights", "owner", "status", "output_per_mu_wan", "tax_per_mu_wan",
    "synthetic", "data_note",
)  # fmt: skip
M2_PER_HA: Final = 10_000.0


def allocate(areas: NDArray[np.float64], count: int, minimum: int = MIN_PER_PARK) -> NDArray[np.int64]:
    """Split ``count`` plots over parks in proportion to ``areas``, each getting at least ``minimum``.

    Parameters
    ----------
    areas : numpy.ndarray
        Drawn area of each park (any unit).
    count : int
        Total number of plots.
    minimum : int
        Plots every park gets even if its share is smaller.

    Returns
    -------
    numpy.ndarray
        Plots per park, summing to ``count`` (largest-remainder rounding).
    """
    if count < minimum * len(areas):
        raise ValueError(f"--count must be at least {minimum * len(areas)} ({minimum} per park)")
    floor = np.zeros(len(areas), dtype=bool)
    while True:
        free = count - minimum * floor.sum()
        share = np.where(floor, 0.0, areas / areas[~floor].sum() * free)
        newly = ~floor & (share < minimum)
        if not newly.any():
            break
        floor |= newly
    quotas = np.where(floor, minimum, np.floor(share)).astype(np.int64)
    order = np.argsort(-(share - np.floor(share)) * ~floor, kind="stable")
    quotas[order[: count - quotas.sum()]] += 1
    return quotas


def _lognormal_in(
    rng: np.random.Generator, median: float | NDArray[np.float64], sigma: float, bounds: tuple[float, float]
) -> NDArray[np.float64]:
    """Lognormal draws around ``median``, redrawn until all lie within ``bounds`` (truncation)."""
    median = np.atleast_1d(np.asarray(median, dtype=float))
    values = rng.lognormal(np.log(median), sigma)
    outside = (values < bounds[0]) | (values > bounds[1])
    while outside.any():
        values[outside] = rng.lognormal(np.log(median[outside]), sigma)
        outside = (values < bounds[0]) | (values > bounds[1])
    return values


def random_points(rng: np.random.Generator, polygon: shapely.Geometry, n: int) -> NDArray[np.float64]:
    """``n`` points uniformly inside ``polygon``: bounding-box draws kept if inside, in vectorised rounds."""
    xmin, ymin, xmax, ymax = shapely.bounds(polygon)
    fill = shapely.area(polygon) / ((xmax - xmin) * (ymax - ymin))
    found: list[NDArray[np.float64]] = []
    while sum(len(f) for f in found) < n:
        draw = rng.uniform((xmin, ymin), (xmax, ymax), size=(int(n / fill * 1.2) + 8, 2))
        found.append(draw[shapely.contains_xy(polygon, draw[:, 0], draw[:, 1])])
    return np.concatenate(found)[:n]


def candidate_plots(rng: np.random.Generator, park: shapely.Geometry, n: int) -> NDArray[np.object_]:
    """``n`` slightly irregular, rotated quadrilaterals (metres) around random points of ``park``.

    A rectangle of a lognormal area and random aspect ratio has each corner moved by up to
    :data:`CORNER_JITTER` of its sides, is rotated by a random angle, then scaled so that
    its area is exactly the drawn one.
    """
    centres = random_points(rng, park, n)
    area = _lognormal_in(rng, np.full(n, AREA_MEDIAN_HA), AREA_SIGMA, AREA_RANGE_HA) * M2_PER_HA
    aspect = rng.uniform(*ASPECT_RANGE, n)
    sides = np.stack([np.sqrt(area * aspect), np.sqrt(area / aspect)], axis=1)  # (n, 2)
    unit = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    corners = (unit + rng.uniform(-CORNER_JITTER, CORNER_JITTER, (n, 4, 2))) * sides[:, None, :]
    angle = rng.uniform(0.0, np.pi, n)
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    x, y = corners[..., 0], corners[..., 1]
    rotated = np.stack([x * cos - y * sin, x * sin + y * cos], axis=2)
    shoelace = 0.5 * np.abs(
        np.sum(rotated[..., 0] * np.roll(rotated[..., 1], -1, axis=1), axis=1)
        - np.sum(rotated[..., 1] * np.roll(rotated[..., 0], -1, axis=1), axis=1)
    )
    scaled = rotated * np.sqrt(area / shoelace)[:, None, None] + centres[:, None, :]
    return shapely.polygons(scaled)


def pick_apart(candidates: NDArray[np.object_], taken: list[shapely.Geometry], k: int) -> list[int]:
    """Indices of up to ``k`` candidates, in order, that keep :data:`GAP_M` from ``taken`` and each other.

    Conflicts are found with two STRtree queries (against the plots already placed and
    among the candidates); the greedy pass then equals drawing plots one at a time and
    rejecting each that comes too close to one already accepted.
    """
    if not len(candidates) or k <= 0:
        return []
    blocked = np.zeros(len(candidates), dtype=bool)
    if taken:
        hits = shapely.STRtree(taken).query(candidates, predicate="dwithin", distance=GAP_M)[0]
        blocked[hits] = True
    near = shapely.STRtree(candidates).query(candidates, predicate="dwithin", distance=GAP_M)
    chosen: list[int] = []
    for i in range(len(candidates)):
        if blocked[i]:
            continue
        chosen.append(i)
        blocked[near[1][near[0] == i]] = True
        if len(chosen) == k:
            break
    return chosen


def place_plots(
    rng: np.random.Generator, parks: gpd.GeoSeries, quotas: NDArray[np.int64]
) -> tuple[list[shapely.Geometry], list[int]]:
    """Plot outlines (metres) inside each park, apart from each other, and the park position of each.

    Candidates that leave the park (shrunk by :data:`EDGE_MARGIN_M`) or come too close to
    another plot are rejected and redrawn, in rounds, until each park has its quota.
    """
    plots: list[shapely.Geometry] = []
    owners: list[int] = []
    for position, (park, quota) in enumerate(zip(parks, quotas, strict=True)):
        inner = shapely.buffer(park, -EDGE_MARGIN_M)
        shapely.prepare(inner)
        placed = 0
        for _ in range(MAX_ROUNDS):
            candidates = candidate_plots(rng, park, CANDIDATES_PER_PLOT * int(quota - placed))
            candidates = candidates[shapely.contains(inner, candidates)]
            chosen = pick_apart(candidates, plots, int(quota - placed))
            plots += list(candidates[chosen])
            owners += [position] * len(chosen)
            placed += len(chosen)
            if placed == quota:
                break
        else:
            raise RuntimeError(f"park {position}: placed {placed} of {quota} plots in {MAX_ROUNDS} rounds")
    return plots, owners


def to_storage(plots: list[shapely.Geometry]) -> gpd.GeoSeries:
    """The plots in WGS84, exterior rings counter-clockwise (RFC 7946), rounded to :data:`DECIMALS`."""
    wgs = gpd.GeoSeries(plots, crs=METRIC_CRS).to_crs(STORAGE_CRS).to_numpy()
    rounded = shapely.transform(shapely.orient_polygons(wgs), lambda xy: np.round(xy, DECIMALS))
    return gpd.GeoSeries(rounded, crs=STORAGE_CRS)


def shuffled_labels(rng: np.random.Generator, shares: dict[str, float], n: int) -> NDArray[np.str_]:
    """``n`` labels in exactly the given shares (largest-remainder rounding), in random order."""
    counts = allocate(np.array(list(shares.values())), n, minimum=0)
    return rng.permutation(np.repeat(np.array(list(shares)), counts))


def _exact_subset(rng: np.random.Generator, eligible: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """A mask selecting ``k`` random rows among the ``eligible`` ones (all of them if fewer)."""
    mask = np.zeros(len(eligible), dtype=bool)
    pool = np.flatnonzero(eligible)
    mask[rng.choice(pool, size=min(k, len(pool)), replace=False)] = True
    return mask


def site_attributes(
    rng: np.random.Generator, area_m2: NDArray[np.float64], park_ids: NDArray[np.str_]
) -> pd.DataFrame:
    """Status, land use, FAR, floor area, idle year, land rights and owner of each plot.

    Parameters
    ----------
    rng : numpy.random.Generator
    area_m2 : numpy.ndarray
        Drawn area of each plot in EPSG:4548, for the floor area (≈ area × current FAR).
    park_ids : numpy.ndarray
        Park of each plot; those of :data:`STATE_ONLY_PARKS` get no collective land.

    Returns
    -------
    pandas.DataFrame
        The raw attribute columns, plus a helper column ``empty`` (nothing built).
    """
    n = len(area_m2)
    status = shuffled_labels(rng, STATUS_SHARES, n)
    unsupplied = status == UNSUPPLIED
    extra_empty = round(EMPTY_SHARE * n) - int(unsupplied.sum())
    empty = unsupplied | _exact_subset(rng, status == "闲置", extra_empty)
    land_use = shuffled_labels(rng, LAND_USE_SHARES, n)
    far_current = np.where(empty, 0.0, np.round(rng.uniform(*FAR_CURRENT_RANGE, n), 2))
    far_permitted = np.round(rng.uniform(*FAR_PERMITTED_RANGE, n), 1)
    spread = rng.uniform(1 - FLOOR_AREA_SPREAD, 1 + FLOOR_AREA_SPREAD, n)
    floor_area = np.round(area_m2 * far_current * spread).astype(np.int64)
    idle_since = rng.integers(IDLE_YEARS[0], IDLE_YEARS[1] + 1, n)
    eligible = ~unsupplied & ~np.isin(park_ids, STATE_ONLY_PARKS)
    collective = _exact_subset(rng, eligible, round(COLLECTIVE_SHARE * n))
    owner_number = np.cumsum(~unsupplied)
    return pd.DataFrame(
        {
            "land_use_code": land_use,
            "far_current": far_current,
            "far_permitted": far_permitted,
            "floor_area_m2": floor_area,
            "idle_since": idle_since,
            "land_rights": np.where(collective, "集体", "国有"),
            "owner": [
                None if u else f"{OWNER_STEM} {k}" for u, k in zip(unsupplied, owner_number, strict=True)
            ],
            "status": status,
            "empty": empty,
        }
    )


def economics(rng: np.random.Generator, status: NDArray[np.str_], empty: NDArray[np.bool_]) -> pd.DataFrame:
    """亩均产值 and 亩均税收 (万元/亩): lognormal while producing, 0 when idle or empty, some missing."""
    n = len(status)
    producing = np.isin(status, PRODUCING) & ~empty
    median = np.array([OUTPUT_MEDIAN_WAN.get(s, OUTPUT_MEDIAN_WAN["低效"]) for s in status])
    output = _lognormal_in(rng, median, OUTPUT_SIGMA, OUTPUT_RANGE_WAN)
    tax = _lognormal_in(rng, output * TAX_SHARE_MEDIAN, TAX_SHARE_SIGMA, TAX_RANGE_WAN)
    missing = _exact_subset(rng, np.ones(n, dtype=bool), round(MISSING_ECONOMICS_SHARE * n))
    output = np.where(missing, np.nan, np.where(producing, np.round(output, 1), 0.0))
    tax = np.where(missing, np.nan, np.where(producing, np.round(tax, 1), 0.0))
    return pd.DataFrame({"output_per_mu_wan": output, "tax_per_mu_wan": tax})


def labels(parks: pd.DataFrame, owners: NDArray[np.int64], sites: pd.DataFrame) -> pd.DataFrame:
    """plot_id (``demo-<park_id>-<NNN>``, numbered per park), the 【示例】 name and the park_id."""
    park_ids = parks["park_id"].to_numpy()[owners]
    park_zh = parks["name_zh"].to_numpy()[owners]
    number = pd.Series(owners).groupby(owners).cumcount().to_numpy() + 1
    names = [
        f"{NAME_PREFIX}{zh} {STATUS_WORD[status]}{'地块' if empty else BUILDING_WORD.get(code, '厂房')} {k}号"
        for zh, status, empty, code, k in zip(
            park_zh, sites["status"], sites["empty"], sites["land_use_code"], number, strict=True
        )
    ]
    plot_ids = [f"demo-{pid}-{k:03d}" for pid, k in zip(park_ids, number, strict=True)]
    return pd.DataFrame({"plot_id": plot_ids, "name": names, "park_id": park_ids})


def make_inventory(
    parks: gpd.GeoDataFrame, seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT
) -> gpd.GeoDataFrame:
    """The synthetic inventory: ``count`` plots over all parks, in :data:`COLUMNS` order, EPSG:4326.

    Parameters
    ----------
    parks : geopandas.GeoDataFrame
        The parks layer (``park_id``, ``name_zh``, polygons), any CRS.
    seed : int
        Seed of :func:`numpy.random.default_rng`; the only source of randomness.
    count : int
        Number of plots, at least :data:`MIN_PER_PARK` per park.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per plot, ordered by park (as in ``parks``) and then by plot number.
    """
    rng = np.random.default_rng(seed)
    metric = parks.to_crs(METRIC_CRS).geometry
    quotas = allocate(metric.area.to_numpy(), count)
    plots, owners = place_plots(rng, metric, quotas)
    geometry = to_storage(plots)
    area_m2 = geometry.to_crs(METRIC_CRS).area.to_numpy()
    park_ids = parks["park_id"].to_numpy().astype(str)[np.asarray(owners)]
    sites = site_attributes(rng, area_m2, park_ids)
    money = economics(rng, sites["status"].to_numpy(), sites["empty"].to_numpy())
    table = pd.concat([labels(parks, np.asarray(owners), sites), sites, money], axis=1)
    table["synthetic"] = True
    table["data_note"] = DATA_NOTE
    inventory = gpd.GeoDataFrame(table[list(COLUMNS)], geometry=geometry, crs=STORAGE_CRS)
    check_inventory(inventory, parks)
    return inventory


def check_inventory(inventory: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> None:
    """Raise unless every plot is valid, inside its park, apart from the others and 0.3–15 ha."""
    geoms = inventory.geometry.to_numpy()
    park_geoms = parks.set_index("park_id").geometry.to_crs(STORAGE_CRS)
    hectares = inventory.geometry.to_crs(METRIC_CRS).area.to_numpy() / M2_PER_HA
    pairs = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    problems = {
        "invalid": ~shapely.is_valid(geoms),
        "outside its park": ~shapely.within(geoms, park_geoms.loc[inventory["park_id"]].to_numpy()),
        "touching another plot": np.isin(np.arange(len(geoms)), pairs[0][pairs[0] != pairs[1]]),
        "outside 0.3-15 ha": (hectares < 0.3) | (hectares > 15.0),
    }
    found = [
        f"{what}: {', '.join(inventory['plot_id'][mask])}" for what, mask in problems.items() if mask.any()
    ]
    if found:
        raise RuntimeError("generated plots fail their checks; " + "; ".join(found))


def _json_value(value: object) -> object:
    """A property value as plain JSON: numpy scalars unwrapped, NaN and None as null."""
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def feature_json(properties: dict[str, object], polygon: shapely.Polygon) -> str:
    """One GeoJSON Feature on one line (compact, UTF-8 text, keys in :data:`COLUMNS` order)."""
    ring = [[float(x), float(y)] for x, y in shapely.get_coordinates(polygon.exterior)]
    feature = {
        "type": "Feature",
        "properties": {key: _json_value(value) for key, value in properties.items()},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return json.dumps(feature, ensure_ascii=False, separators=(",", ":"))


def write_geojson(inventory: gpd.GeoDataFrame, path: Path, seed: int) -> int:
    """Write RFC 7946 GeoJSON atomically (temporary file in the same folder, then ``os.replace``).

    Parameters
    ----------
    inventory : geopandas.GeoDataFrame
        Output of :func:`make_inventory` (EPSG:4326, coordinates already rounded).
    path : pathlib.Path
        Destination; replaced only once the whole file is written.
    seed : int
        Recorded in the collection's ``description``.

    Returns
    -------
    int
        Bytes written.
    """
    description = (
        f"{DATA_NOTE}. Generated by tools/make_demo_inventory.py --seed {seed} --count {len(inventory)}."
    )
    header = json.dumps(
        {"type": "FeatureCollection", "name": LAYER_NAME, "description": description}, ensure_ascii=False
    )
    records = inventory.drop(columns=inventory.geometry.name).to_dict(orient="records")
    lines = [feature_json(row, geom) for row, geom in zip(records, inventory.geometry, strict=True)]
    text = header[:-1] + ',\n"features":[\n' + ",\n".join(lines) + "\n]}\n"
    data = text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
        temporary = Path(handle.name)
    try:
        temporary.chmod(0o644)
        temporary.replace(path)  # os.replace: atomic within one file system
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
    return len(data)


def summary(inventory: gpd.GeoDataFrame) -> str:
    """A few lines on what was generated: plots per park, sizes and attribute shares."""
    hectares = inventory.geometry.to_crs(METRIC_CRS).area / M2_PER_HA
    per_park = inventory["park_id"].value_counts(sort=False)
    quantiles = hectares.quantile([0.0, 0.1, 0.5, 0.9, 1.0]).round(2).tolist()
    lines = [
        f"{len(inventory)} plots; per park: " + ", ".join(f"{p} {n}" for p, n in per_park.items()),
        f"area ha: min {quantiles[0]}, p10 {quantiles[1]}, median {quantiles[2]}, p90 {quantiles[3]}, "
        f"max {quantiles[4]}, mean {hectares.mean():.2f}, total {hectares.sum():.1f}",
    ]
    for column in ("status", "land_use_code", "land_rights"):
        shares = inventory[column].value_counts(normalize=True)
        lines.append(f"{column}: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    lines.append(f"far_current = 0: {(inventory['far_current'] == 0).mean():.0%}")
    lines.append(f"owner empty: {inventory['owner'].isna().mean():.0%}")
    lines.append(f"output/tax missing: {inventory['output_per_mu_wan'].isna().mean():.0%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, check and write the demo inventory; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="GeoJSON file to write (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help="number of plots (default: %(default)s)"
    )
    parser.add_argument("--parks", type=Path, default=PARKS_PATH, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    parks = gpd.read_file(args.parks)
    try:
        inventory = make_inventory(parks, seed=args.seed, count=args.count)
    except (ValueError, RuntimeError) as exc:
        parser.exit(1, f"make_demo_inventory: error: {exc}\n")
    size = write_geojson(inventory, args.out, args.seed)
    print(summary(inventory))
    print(f"wrote {args.out} ({size:,} bytes, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
