"""Nonconvex training in numpy: the optimizers and the training loop."""
