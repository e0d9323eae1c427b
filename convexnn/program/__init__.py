"""The convex program: the problem object, losses, solvers, certificate, Lasso path and pruning."""
