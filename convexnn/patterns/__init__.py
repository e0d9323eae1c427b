"""Patterns: hyperplane arrangements, their cones, sampling and the geometric-algebra view."""
