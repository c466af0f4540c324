"""Siting page: where should a new project of a cluster go, and would the answer survive other weights?"""

from __future__ import annotations

import streamlit as st

from zgc_geo.siting.analysis import SitingOptions, Step
from zgc_geo.siting.factors import cluster_factor_specs
from zgc_geo.ui.cached import cached_plan, plan_fingerprint
from zgc_geo.ui.guard import user_errors_shown
from zgc_geo.ui.i18n import current_lang, kept, local, tr, tr_map
from zgc_geo.ui.integrity_banner import inventories_or_stop, verified_workspace
from zgc_geo.ui.siting_panel import (
    ahp_form,
    extra_factors,
    factor_table,
    options_signature,
    result_view,
    uploaded_frame,
)
from zgc_geo.ui.siting_runs import kept_by_session, run_key, run_siting
from zgc_geo.ui.workspace_access import inventory_title

AREA_LABELS = {"parks": "siting.area_parks", "beijing": "siting.area_beijing"}
SOURCE_LABELS = {"inventory": "siting.source_inventory", "upload": "siting.source_upload"}

st.title(tr("siting.title"))
st.caption(tr("siting.caption"))

with user_errors_shown():
    store = verified_workspace()
    plan = cached_plan()
    lang = current_lang()
    clusters = plan.clusters.set_index("cluster_id")
    cols = st.columns(3)
    cluster_id = cols[0].selectbox(
        tr("siting.cluster"),
        list(clusters.index),
        key=kept("site_cluster"),
        format_func={c: str(local(r.short_zh, r.short_en)) for c, r in clusters.iterrows()}.__getitem__,
    )
    area = cols[1].radio(
        tr("siting.study_area"),
        list(AREA_LABELS),
        horizontal=True,
        key=kept("site_area"),
        format_func=tr_map(AREA_LABELS).__getitem__,
    )
    resolution = cols[2].selectbox(tr("siting.resolution"), [30, 20, 10], key="site_res")

    st.subheader(tr("siting.candidates"))
    source = st.radio(
        tr("siting.source"),
        list(SOURCE_LABELS),
        horizontal=True,
        key=kept("site_source"),
        format_func=tr_map(SOURCE_LABELS).__getitem__,
    )
    if source == "inventory":
        infos = inventories_or_stop(store)
        name = st.selectbox(
            tr("siting.inventory"),
            list(infos),
            format_func={n: inventory_title(n, i.title) for n, i in infos.items()}.__getitem__,
            key="site_inv",
        )
        candidates = store.load_inventory(name)
        candidates = candidates[~candidates["review_status"].isin(["not_suitable", "revitalised"])]
    else:
        candidates = uploaded_frame(tr("siting.candidate_file"), "site_upload", "plots")
        if candidates is None:
            st.stop()

    st.subheader(tr("siting.factors"))
    extra = extra_factors()
    specs, direct = factor_table([*cluster_factor_specs(plan, cluster_id), *(spec for spec, _ in extra)])
    use_ahp = st.toggle(tr("siting.use_ahp"), key="site_use_ahp")
    ahp = ahp_form(specs) if use_ahp else None
    with st.expander(tr("siting.constraints")):
        exclusions = uploaded_frame(tr("siting.exclusions"), "site_exclusions", "layer")
        protected = uploaded_frame(tr("siting.protected"), "site_protected", "layer")
    robustness = st.columns(2)
    top_n = robustness[0].number_input(tr("siting.top_n"), 1, 50, 10, key="site_top")
    perturb = robustness[1].slider(tr("siting.perturbation"), 5, 50, 20, key="site_perturb")

    options = SitingOptions(
        cluster_id=cluster_id,
        study_area="beijing" if area == "beijing" else "parks",
        resolution_m=float(resolution),
        specs=tuple(specs),
        extra=tuple(extra),
        weights=direct,
        ahp=ahp,
        exclusions=exclusions,
        protected=protected,
        top_n=int(top_n),
        perturb_pct=float(perturb),
    )
    if st.button(tr("siting.run"), type="primary", key="site_run"):
        bar = st.progress(0.0, text=tr("siting.starting"))

        def advance(share: float, step: Step) -> None:
            bar.progress(share, text=step.text(lang))

        signature = options_signature(options)
        # Shared by everyone asking the same (nothing of one person's own); an upload makes it this session's.
        own_inputs = source != "inventory" or bool(extra)
        shared_key = None if own_inputs else run_key(plan_fingerprint(), candidates, signature)
        fresh, result_key = run_siting(plan, candidates, options, shared_key=shared_key, progress=advance)
        bar.progress(1.0, text=tr("siting.progress.done"))  # also when another session's run was shared
        holder = kept_by_session(fresh, shared=shared_key is not None)
        del fresh  # only the holder keeps it (a shared one only weakly)
        st.session_state["site_result"] = (signature, result_key, holder)
    signature, result_key, holder = st.session_state.get("site_result", (None, None, None))
    if holder is None:
        st.info(tr("siting.run_hint"))
        st.stop()
    # The page binds no result itself: result_view fetches it from the holder (nothing of it outlives a run).
    result_view(holder, result_key, stale=signature != options_signature(options), plan=plan)
