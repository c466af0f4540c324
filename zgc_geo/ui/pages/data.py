"""Data page: upload a planner's file, choose how to read it, read the report, preview, save."""

from __future__ import annotations

import streamlit as st

from zgc_geo.errors import ZgcGeoError
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.pipeline import IMPORT_KINDS, UPLOAD_SUFFIXES
from zgc_geo.importing.report import page_text
from zgc_geo.mapping.preview_map import build_preview_map
from zgc_geo.ui.cached import cached_plan
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, kept, tr, tr_map
from zgc_geo.ui.import_panel import (
    cleaned_downloads,
    cleaned_table,
    current_options,
    import_failure,
    mapping_form,
    report_section,
    reset_choices_on_new_upload,
    run_import,
    save_to_workspace,
    source_controls,
    uploads_digest,
)
from zgc_geo.ui.integrity_banner import verified_workspace
from zgc_geo.ui.map_export import map_with_export
from zgc_geo.ui.rights_view import members_panel
from zgc_geo.ui.sidebar import chosen_basemap

KIND_LABELS = {"plots": "data.kind_plots", "parks": "data.kind_parks", "layer": "data.kind_layer"}

st.title(tr("data.title"))
st.caption(tr("data.caption"))
with user_errors_shown():
    store = verified_workspace(seed_demo=False)  # a save is refused while the workspace is damaged
    members_panel(store)
limits = ImportLimits.from_env()
uploads = st.file_uploader(
    tr("data.upload", mib=limits.max_file_mib),
    accept_multiple_files=True,
    type=sorted(s.lstrip(".") for s in UPLOAD_SUFFIXES),
    key="upload",
)
if not uploads:
    st.info(tr("data.upload_hint"))
    st.stop()

with user_errors_shown():
    lang = current_lang()
    files = tuple((u.name, u.getvalue()) for u in uploads)
    reset_choices_on_new_upload(uploads_digest(list(files)))
    kind = st.radio(
        tr("data.import_as"),
        IMPORT_KINDS,
        format_func=tr_map(KIND_LABELS).__getitem__,
        horizontal=True,
        key=kept("import_kind"),
    )
    try:
        result = run_import(files, current_options(kind, limits))
    except ZgcGeoError as exc:
        if (failure := page_text(exc)) is None:
            raise
        import_failure(failure)  # in the page's language, with the control that gets past it
        st.stop()
    if result.read is not None:
        source_controls(result)
        mapping_form(result)
    report_section(result)

    if result.raster is not None:
        info = result.raster
        st.write(
            tr(
                "data.raster_info",
                width=info.width,
                height=info.height,
                bands=info.count,
                dtype=info.dtype,
                nodata=info.nodata,
            )
        )
    if result.frame is not None and not result.frame.empty:  # nothing placed: no map to show
        plan = cached_plan()
        map_with_export(
            lambda: build_preview_map(
                result.frame, plan.parks, plan.districts, basemap=chosen_basemap(), lang=lang
            ),
            map_key="import_preview_map",
            export_key="data_export",
            title=tr("data.export_title"),
            subtitle=result.report.source,
        )
        cleaned_table(result)
        save_to_workspace(store, result, kind)
        cleaned_downloads(result)
    elif result.crs_candidates:
        st.warning(tr("data.no_crs"))
