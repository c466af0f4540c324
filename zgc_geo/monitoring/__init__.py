"""Monitoring the plan (§七(三) 加强监督考核): yearly actual values against the 2020 targets of 专栏一.

:mod:`.actuals` reads actual values from a CSV or XLSX file, :mod:`.progress` draws each target's
yearly path and judges the actuals against it.
"""
