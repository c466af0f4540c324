"""Import what planners really have: any Chinese CRS, encoding or format, with an actionable report."""
