"""Everything that leaves zgc-geo as a file: layers and tables (:mod:`.layers`, :mod:`.tables`), the
formula-injection guard they all share (:mod:`.safety`) and print maps through Chromium (:mod:`.printing`)."""
