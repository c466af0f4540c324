"""The ``zgc-geo`` command: :mod:`.main` builds the parser; one module per command family.

``main`` and the exit codes are re-exported so the console script (``zgc_geo.cli:main``) and callers keep
one stable address while the command modules stay small.
"""

from zgc_geo.cli.command import EXIT_DATA_ERROR, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_DATA_ERROR", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]
