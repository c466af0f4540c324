"""Streamlit user interface: the only part of zgc-geo that imports Streamlit."""
