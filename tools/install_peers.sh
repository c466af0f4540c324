#!/usr/bin/env bash
# Installs the peers that `make bench-peers` times zgc-geo against (issue #14):
#   Debian: gdal-bin (ogr2ogr, gdal_rasterize), python3-gdal (gdal_proximity.py, gdal_calc.py), qgis
#           (qgis_process; Debian 12 ships 3.22), PostgreSQL + PostGIS (a private cluster is started by the
#           benchmark itself, never the system's service);
#   PyPI:   exactextract and rasterstats into the project's .venv (not requirements.txt: the app does not use them).
# Run it as root (or with sudo) once; it downloads several hundred MB. CI does not run it: a peer that is not
# installed is reported as skipped by benchmarks/peers/run.py, never given a number.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
	gdal-bin python3-gdal qgis qgis-providers postgresql
major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "postgresql-$major-postgis-3"

if [ ! -x "$VENV/bin/python" ]; then
	echo "No $VENV yet: run 'make install' first, then this script again." >&2
	exit 1
fi
"$VENV/bin/python" -m pip install --quiet exactextract rasterstats

echo "Peers installed:"
for tool in ogr2ogr gdal_rasterize gdal_proximity.py gdal_calc.py qgis_process qgis_process.bin; do
	printf '  %-18s %s\n' "$tool" "$(command -v "$tool" || ls /usr/lib/qgis/"$tool" 2>/dev/null || echo missing)"
done
"$VENV/bin/python" -c 'import exactextract, rasterstats; print("  exactextract", exactextract.__version__); print("  rasterstats", rasterstats.__version__)'
