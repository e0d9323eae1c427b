"""Experiments: the convex head against AdamW on real features (``compare``), and the
Playground's computations: the certified optimum of a drawing, its neurons, AdamW in steps
(``playground``)."""
