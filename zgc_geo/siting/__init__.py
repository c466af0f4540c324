"""Site suitability: factors, weights (direct or AHP), ranking of candidate plots and its sensitivity."""
