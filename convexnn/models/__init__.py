"""Models: the ReLU network and the gated model, behind one predictor protocol."""
