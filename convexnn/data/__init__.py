"""Data: the seeded 2-D/1-D data sets, real feature data, and the input validators."""
