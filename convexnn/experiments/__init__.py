"""Experiments: the convex head against AdamW on real features."""
