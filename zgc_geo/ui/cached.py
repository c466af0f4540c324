"""Streamlit caching in one place: loaded layers are kept per process, keyed on file content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from zgc_geo.catalogue import layer_specs
from zgc_geo.manifest import LayerSpec, manifest_path
from zgc_geo.plan_data import PlanData, plan_from_catalogue
from zgc_geo.ui.i18n import tr


def _layer_fingerprint() -> str:
    """Hash of the manifest and every layer file's size and mtime: edits invalidate the cache."""
    digest = hashlib.sha256()
    manifest = manifest_path()
    paths = [manifest, *(spec.path for spec in layer_specs().values())]
    for path in paths:
        stat = Path(path).stat() if Path(path).exists() else None
        digest.update(f"{path}:{stat.st_size if stat else -1}:{stat.st_mtime_ns if stat else -1}".encode())
    return digest.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=2)
def _plan(fingerprint: str) -> PlanData:
    return plan_from_catalogue()


def cached_plan() -> PlanData:
    """The plan layers, loaded and validated once per change of the files (shared, read-only)."""
    with st.spinner(tr("common.loading_plan")):  # shown only if loading takes over half a second
        return _plan(_layer_fingerprint())


def plan_fingerprint() -> str:
    """What :func:`cached_plan` is keyed on: a cache key for results computed from the plan."""
    return _layer_fingerprint()


def parks_spec() -> LayerSpec:
    """The manifest entry of the parks layer (for its approved-area metadata)."""
    return layer_specs()["parks"]
