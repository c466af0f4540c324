"""The ``zgc-geo`` argument definitions, one module per command family, kept apart from the handlers.

Building the parser must stay cheap (``zgc-geo --help`` imports nothing but these modules and the standard
library), so a command's handler is named here as ``"module:function"`` and imported only when that command
runs (see :func:`zgc_geo.cli.command.main`). Choices that mirror a library constant are written out as
literals; ``tests/test_cli_startup.py`` checks that each still equals the constant it mirrors.
"""
