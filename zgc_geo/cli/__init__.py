"""The ``zgc-geo`` command: :mod:`.command` builds the parser from :mod:`.parsers` and runs the command;
one handler module per command family, imported only when one of its commands runs.

``main`` and the exit codes are re-exported so the console script (``zgc_geo.cli:main``) and callers keep
one stable address while the command modules stay small.
"""

from zgc_geo.cli.command import EXIT_DATA_ERROR, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, main

__all__ = ["EXIT_DATA_ERROR", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE", "main"]
