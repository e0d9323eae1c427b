"""The theory around the program: optimal sets, stationary points, recovery, duality, complexity,
and the geometric-algebra Lasso."""
