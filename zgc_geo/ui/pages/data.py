"""Data page: upload a planner's file, choose how to read it, read the report, preview, save."""

from __future__ import annotations

import streamlit as st

from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.pipeline import IMPORT_KINDS, UPLOAD_SUFFIXES
from zgc_geo.mapping.preview_map import build_preview_map
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.import_panel import (
    cleaned_downloads,
    current_options,
    mapping_form,
    report_section,
    reset_choices_on_new_upload,
    run_import,
    save_to_workspace,
    source_controls,
    uploads_digest,
)
from zgc_geo.ui.map_export import map_export_panel
from zgc_geo.ui.map_view import show_map
from zgc_geo.ui.sidebar import chosen_basemap

KIND_LABELS = {
    "plots": "地块清单 Plot inventory",
    "parks": "分园边界 Park boundaries",
    "layer": "其他图层 Other layer",
}

st.title("数据导入 Import data")
st.caption(
    "Shapefile（.zip 或 .shp/.dbf/.shx/.prj/.cpg）、GeoJSON、GeoPackage、KML/KMZ、"
    "带经纬度或坐标列的 CSV/XLSX、GeoTIFF。GBK 编码、无 .prj、CGCS2000 高斯-克吕格、GCJ-02 坐标均可处理。"
)
limits = ImportLimits.from_env()
uploads = st.file_uploader(
    f"上传文件 Upload (≤ {limits.max_file_mib:g} MiB each)",
    accept_multiple_files=True,
    type=sorted(s.lstrip(".") for s in UPLOAD_SUFFIXES),
    key="upload",
)
if not uploads:
    st.info("上传一个数据集开始 Upload one dataset to start: a file, a .zip, or all parts of one shapefile.")
    st.stop()

with user_errors_shown():
    files = tuple((u.name, u.getvalue()) for u in uploads)
    reset_choices_on_new_upload(uploads_digest(list(files)))
    kind = st.radio("导入为 Import as", IMPORT_KINDS, format_func=KIND_LABELS.__getitem__, horizontal=True)
    result = run_import(files, current_options(kind, limits))
    if result.read is not None:
        source_controls(result)
        mapping_form(result)
    report_section(result)

    if result.raster is not None:
        info = result.raster
        st.write(
            f"GeoTIFF {info.width}×{info.height}, {info.count} band(s), {info.dtype}, nodata={info.nodata}"
        )
    if result.frame is not None:
        plan = cached_plan()
        show_map(
            build_preview_map(result.frame, plan.parks, plan.districts, basemap=chosen_basemap()),
            key="import_preview_map",
        )
        map_export_panel(
            lambda: build_preview_map(result.frame, plan.parks, plan.districts, basemap=chosen_basemap()),
            key="data_export",
            title="导入数据预览",
            subtitle=result.report.source,
        )
        st.dataframe(result.frame.drop(columns=result.frame.geometry.name), width="stretch")
        save_to_workspace(result, kind)
        cleaned_downloads(result)
    elif result.crs_candidates:
        st.warning("文件没有坐标系 The file declares no CRS: choose one above (candidates are listed first).")
