"""Cluster coverage of the parks (§五(一), §五(二)1) and the Beijing–Tianjin–Hebei links (§六(一))."""
