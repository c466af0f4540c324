"""``make bench-peers``: zgc-geo's whole commands timed beside GDAL, QGIS, PostGIS and friends (issue #14)."""
