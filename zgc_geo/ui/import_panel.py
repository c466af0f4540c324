"""Widgets of the Data page: import options, the column-mapping form, report and downloads."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Final

import pandas as pd
import streamlit as st

from zgc_geo.errors import AccessRefusedError, WorkspaceIntegrityError
from zgc_geo.export.labels import TEXT_KEYS, FieldLabel, field_label
from zgc_geo.export.layers import write_layer
from zgc_geo.importing.columns import CANONICAL_FIELDS
from zgc_geo.importing.crs_guess import crs_name, suggest_crs
from zgc_geo.importing.limits import ImportLimits
from zgc_geo.importing.pipeline import ImportOptions, ImportResult, import_file, stage_uploads
from zgc_geo.importing.report import PageText, render
from zgc_geo.importing.report_export import report_bytes
from zgc_geo.ui.i18n import current_lang, kept, tr, tr_map
from zgc_geo.ui.integrity_banner import refused_text
from zgc_geo.ui.rights_view import refusal_text, role_text, session_rights
from zgc_geo.ui.tables import show_table
from zgc_geo.ui.workspace_access import reviewer
from zgc_geo.workspace import WorkspaceStore, name_from_text

AUTO: Final = "auto"
FILE_CRS: Final = "(file)"
ENCODINGS: Final = (AUTO, "UTF-8", "GBK", "GB18030", "BIG5")
#: Offered in every CRS list, after the candidates detected from the coordinates.
COMMON_CRS: Final = ("EPSG:4326", "EPSG:4490", "EPSG:4548", "EPSG:4527", "EPSG:32650", "gcj02", "bd09")
STATE_KEYS: Final = (
    "import_crs",
    "import_crs_other",
    "import_layer",
    "import_overrides",
    "import_encoding",
    "import_swap_axes",
)
#: Candidate CRSs offered as one-click fixes per finding.
FIX_CRS_COUNT: Final = 3
UNMAPPED: Final = "—"
SEVERITY_LABELS: Final = TEXT_KEYS["severity"]  # as the report workbooks name them
REPORT_HEADINGS: Final = {
    "severity": "data.col.severity",
    "row": "data.col.row",
    "field": "data.col.field",
    "value": "data.col.value",
    "message": "data.col.message",
    "hint": "data.col.hint",
}


def uploads_digest(files: list[tuple[str, bytes]]) -> str:
    """A digest of the uploaded names and bytes: a new upload resets the page's choices."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode("utf-8", "replace") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def reset_choices_on_new_upload(digest: str) -> None:
    """Forget layer, CRS, encoding and column choices made for a previous file."""
    if st.session_state.get("import_digest") != digest:
        for key in STATE_KEYS:
            st.session_state.pop(key, None)
        st.session_state["import_digest"] = digest


@st.cache_data(show_spinner=False, max_entries=4)
def _imported(files: tuple[tuple[str, bytes], ...], options: ImportOptions) -> ImportResult:
    with tempfile.TemporaryDirectory(prefix="zgc-geo-upload-") as scratch:
        path = stage_uploads(list(files), Path(scratch), options.limits)
        return import_file(path, options)


def run_import(files: tuple[tuple[str, bytes], ...], options: ImportOptions) -> ImportResult:
    """Stage the upload in a private temporary folder and import it (cached per upload and options)."""
    with st.spinner(tr("data.reading")):  # shown only if it takes over half a second
        return _imported(files, options)


def current_options(kind: str, limits: ImportLimits) -> ImportOptions:
    """Options from the widgets' state (set on earlier runs of the page)."""
    encoding = st.session_state.get("import_encoding", AUTO)
    crs = st.session_state.get("import_crs", FILE_CRS)
    if crs == "other":
        crs = (st.session_state.get("import_crs_other") or "").strip() or FILE_CRS
    return ImportOptions(
        kind=kind,  # type: ignore[arg-type]
        crs=None if crs == FILE_CRS else crs,
        encoding=None if encoding == AUTO else encoding,
        layer=st.session_state.get("import_layer"),
        column_overrides=dict(st.session_state.get("import_overrides", {})),
        swap_axes=bool(st.session_state.get("import_swap_axes", False)),
        limits=limits,
    )


def source_controls(result: ImportResult) -> None:
    """Encoding, layer and CRS choices, offered with what was detected."""
    read = result.read
    cols = st.columns(3)
    detected = (
        tr("data.encoding_detected", encoding=read.encoding, basis=read.encoding_basis)
        if read and read.encoding
        else tr("data.encoding_not_detected")
    )
    cols[0].selectbox(
        tr("data.encoding"),
        ENCODINGS,
        key=kept("import_encoding"),
        help=detected,
        format_func={e: tr("data.encoding_auto") if e == AUTO else e for e in ENCODINGS}.__getitem__,
    )
    if read and len(read.layers) > 1:
        cols[1].selectbox(tr("data.layer"), read.layers, key="import_layer")
    lang = current_lang()
    options = crs_options(result)
    file_label = (
        tr("data.crs_file", crs=crs_name(read.frame.crs.to_string(), lang))
        if read is not None and read.frame.crs
        else tr("data.crs_none")
    )
    labels = {key: crs_name(key, lang) for key in options} | {
        FILE_CRS: file_label,
        "other": tr("data.crs_other"),
    }
    cols[2].selectbox(
        tr("data.crs"),
        options,
        key=kept("import_crs"),
        format_func=labels.__getitem__,
        help=tr("data.crs_help"),
    )
    if st.session_state.get("import_crs") == "other":
        cols[2].text_input(tr("data.crs_code"), key="import_crs_other", placeholder="EPSG:2435")
    cols[0].checkbox(tr("data.swap_axes"), key="import_swap_axes", help=tr("data.swap_axes_help"))


def crs_options(result: ImportResult) -> list[str]:
    """The CRS box's choices: the file's own, the detected candidates, those the findings name, the usual."""
    read = result.read
    candidates = [c.key for c in (result.crs_candidates or (suggest_crs(read.frame) if read else []))]
    named = [key for p in result.report.problems for key in p.crs_keys]
    return list(dict.fromkeys([FILE_CRS, *candidates, *named, *COMMON_CRS, "other"]))


def fixes_section(result: ImportResult) -> None:
    """One-click fixes for the causes the report diagnosed: swap the axes, pick a CRS (by name), pick
    an encoding.

    Each button sets the same choice the controls above hold, so the import runs again with it
    and the controls show what was chosen; the user never needs the command line. The causes
    themselves are in the report table below (once each), whose hints name these buttons.
    """
    lang = current_lang()
    problems = result.report.problems
    swap = any(p.code in SWAP_FIX_CODES for p in problems)
    keys = list(dict.fromkeys(k for p in problems for k in p.crs_keys[:FIX_CRS_COUNT]))
    encodings = _other_encodings(result) if any(p.code in ENCODING_FIX_CODES for p in problems) else []
    if not (swap or keys or encodings):
        return
    st.subheader(tr("data.fixes"))
    cols = iter(st.columns(int(swap) + len(keys) + len(encodings)))
    if swap:
        swapped = not st.session_state.get("import_swap_axes", False)  # what this page's click asks for
        next(cols).button(
            tr("data.fix.swap_axes"), key="fix_swap_axes", on_click=_set_swap, args=(swapped,), type="primary"
        )
    for key in keys:
        next(cols).button(
            tr("data.fix.use_crs", crs=crs_name(key, lang)),
            key=f"fix_crs_{key}",
            on_click=_choose_crs,
            args=(key,),
        )
    for encoding in encodings:
        next(cols).button(
            tr("data.fix.use_encoding", encoding=encoding),
            key=f"fix_encoding_{encoding}",
            on_click=_choose_encoding,
            args=(encoding,),
        )


def _other_encodings(result: ImportResult) -> list[str]:
    """The encodings offered besides the one the text was read in."""
    used = (result.read.encoding or "") if result.read else ""
    return [e for e in ENCODINGS if e != AUTO and e.replace("-", "").lower() != used.replace("-", "").lower()]


#: Findings fixed by reading x as y and y as x.
SWAP_FIX_CODES: Final = frozenset({"axes_swapped"})
#: Findings fixed by reading the text in another encoding.
ENCODING_FIX_CODES: Final = frozenset({"encoding_guessed", "encoding_declared_wrong"})


def _set_swap(swapped: bool) -> None:
    # A value, not a toggle: a click delivered twice must not swap the axes back.
    st.session_state["import_swap_axes"] = swapped


def _choose_crs(key: str) -> None:
    st.session_state["import_crs"] = key


def _choose_encoding(encoding: str) -> None:
    st.session_state["import_encoding"] = encoding


def import_failure(failure: PageText) -> None:
    """An input that could not be read: why, in the page's language, and the control that fixes it."""
    lang = current_lang()
    st.error(render(failure.text, lang), icon="⚠️")
    if failure.page_hint is not None:
        st.caption(render(failure.page_hint, lang))
    if failure.fix == "encoding":
        chosen = st.session_state.get("import_encoding", AUTO)
        st.subheader(tr("data.fixes"))
        others = [e for e in ENCODINGS if e != chosen]
        for col, encoding in zip(st.columns(len(others)), others, strict=True):
            col.button(
                tr("data.fix.detect_encoding")
                if encoding == AUTO
                else tr("data.fix.use_encoding", encoding=encoding),
                key=f"fix_encoding_{encoding}",
                on_click=_choose_encoding,
                args=(encoding,),
            )
    elif failure.fix == "layer":
        st.selectbox(tr("data.layer"), failure.choices, index=None, key="import_layer")
    elif failure.fix == "crs":
        options = [FILE_CRS, *COMMON_CRS, "other"]
        labels = {key: crs_name(key, lang) for key in options} | {
            FILE_CRS: tr("data.crs_from_file"),
            "other": tr("data.crs_other"),
        }
        st.selectbox(tr("data.crs"), options, key=kept("import_crs"), format_func=labels.__getitem__)
        if st.session_state.get("import_crs") == "other":
            st.text_input(tr("data.crs_code"), key="import_crs_other", placeholder="EPSG:2435")


def mapping_form(result: ImportResult) -> None:
    """Let the user correct which column holds each canonical plot field."""
    if result.mapping is None or result.read is None:
        return
    columns = [str(c) for c in result.read.frame.columns if c != result.read.frame.geometry.name]
    lang = current_lang()
    with (
        st.expander(tr("data.column_mapping")),
        st.form("column_mapping"),
    ):
        chosen = {}
        grid = st.columns(3)
        for i, name in enumerate(CANONICAL_FIELDS):
            current = result.mapping.source(name) or UNMAPPED
            options = [UNMAPPED, *columns]
            label = field_label(name, lang)
            chosen[name] = grid[i % 3].selectbox(
                name if label is None else label.label(lang),
                options,
                index=options.index(current) if current in options else 0,
                key=f"map_{name}",
                help=None if label is None else f"{label.meaning(lang)} ({name})",
            )
        if st.form_submit_button(tr("data.apply")):
            changed = {
                name: ("" if column == UNMAPPED else column)
                for name, column in chosen.items()
                if column != (result.mapping.source(name) or UNMAPPED)
            }
            st.session_state["import_overrides"] = (
                dict(st.session_state.get("import_overrides", {})) | changed
            )
            st.rerun()


def report_section(result: ImportResult) -> None:
    """Verdict, the fixes for what it diagnosed, the problem table and its downloads."""
    verdict = result.verdict_in(current_lang())
    if result.report.usable and result.frame is not None:
        st.success(verdict)
    else:
        st.error(verdict)
    fixes_section(result)
    table = report_table(result)
    if not table.empty:
        show_table(table, REPORT_HEADINGS)
        stem = Path(result.report.source).stem or "import"
        shown = result.report.as_shown(current_lang())  # the downloads say what the page says
        cols = st.columns(2)
        cols[0].download_button(
            tr("data.report_csv"), report_bytes(shown, ".csv"), f"{stem}_report.csv", "text/csv"
        )
        cols[1].download_button(
            tr("data.report_xlsx"),
            report_bytes(shown, ".xlsx", current_lang()),
            f"{stem}_report.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def report_table(result: ImportResult) -> pd.DataFrame:
    """The findings as the page shows them: in its language, hints naming its controls, no codes."""
    lang = current_lang()
    table = result.report.as_shown(lang).to_frame().drop(columns="code")
    table["severity"] = table["severity"].map(tr_map(SEVERITY_LABELS))
    table["row"] = table["row"].astype("string").fillna("")  # a whole-file finding has no row
    table[["field", "value"]] = table[["field", "value"]].fillna("")
    return table


def cleaned_table(result: ImportResult) -> None:
    """The cleaned features as a table, headed in the page's language (the file's extra columns as named)."""
    if result.frame is None:
        return
    lang = current_lang()
    table = result.frame.drop(columns=result.frame.geometry.name)
    labels = {c: _heading(label, lang) for c in map(str, table.columns) if (label := field_label(c, lang))}
    config = {c: st.column_config.Column(h) for c, h in labels.items()}
    st.dataframe(table, width="stretch", column_config=config)


def _heading(label: FieldLabel, lang: str) -> str:
    """A column heading with its unit, unless the name already says it: 面积（m²）, Area (m²)."""
    name = label.label_en if lang == "en" else label.label_zh
    unit = ENGLISH_UNITS.get(label.unit, label.unit) if lang == "en" else label.unit
    if (
        not unit
        or unit in name
        or "（" in name
        or "(" in name
        or (lang == "en" and _CJK.search(unit) is not None)
    ):
        return name
    return f"{name} ({unit})" if lang == "en" else f"{name}（{unit}）"


_CJK: Final = re.compile(r"[\u4e00-\u9fff]")
#: Units of layers/export_fields.csv written in Chinese, as an English heading gives them.
ENGLISH_UNITS: Final = {"年": "year", "亩": "mu", "万元/亩": "10k yuan/mu"}


def cleaned_downloads(result: ImportResult) -> None:
    """Offer the cleaned data (WGS84) as GeoPackage or GeoJSON; blocked while errors remain."""
    if result.frame is None:
        return
    blocked = not result.report.usable
    if blocked:
        st.info(tr("data.fix_errors_first"))
    stem = Path(result.report.source).stem or "import"
    cols = st.columns(2)
    for col, suffix, mime in (
        (cols[0], ".gpkg", "application/geopackage+sqlite3"),
        (cols[1], ".geojson", "application/geo+json"),
    ):
        data = b"" if blocked else _file_bytes(result, suffix)
        col.download_button(
            tr("data.cleaned", suffix=suffix),
            data,
            f"{stem}_clean{suffix}",
            mime,
            disabled=blocked,
            key=f"import_clean{suffix.replace('.', '_')}",
        )


def save_to_workspace(store: WorkspaceStore, result: ImportResult, kind: str) -> None:
    """Store a usable plot inventory in ``store``, where the stock page reviews it."""
    if kind != "plots" or result.frame is None or not result.report.usable:
        return
    st.subheader(tr("data.save_heading"))
    rights = session_rights(store)
    if not rights.administers:  # importing replaces what everyone reviews: an admin's right
        st.info(tr("rights.import_admins_only", role=role_text(rights)))
        return
    stem = Path(result.report.source.split("/")[0]).stem
    cols = st.columns([2, 3, 1])
    name = cols[0].text_input(tr("data.inventory_name"), value=name_from_text(stem), key="save_name")
    title = cols[1].text_input(tr("data.inventory_title"), value=stem, key="save_title")
    replace = cols[2].checkbox(tr("data.replace"), help=tr("data.replace_help"), key="save_replace")
    if st.button(tr("data.save"), type="primary", key="save_go"):
        try:
            info = store.save_inventory(
                name,
                result.frame,
                title=title or name,
                source=result.report.source,
                user=reviewer(),
                replace=replace,
            )
        except WorkspaceIntegrityError as exc:  # the red banner at the top says what broke
            st.error(refused_text(exc))
            return
        except AccessRefusedError as exc:  # the role changed since the page was drawn
            st.error(refusal_text(exc))
            return
        st.success(tr("data.saved", count=info.plot_count, name=info.name, page=tr("nav.stock")))


def _file_bytes(result: ImportResult, suffix: str) -> bytes:
    assert result.frame is not None
    with tempfile.TemporaryDirectory(prefix="zgc-geo-export-") as scratch:
        target = Path(scratch) / f"export{suffix}"
        write_layer(result.frame, target)
        return target.read_bytes()
