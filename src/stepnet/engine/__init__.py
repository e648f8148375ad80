"""The engine stage: activations, losses, the network, optimizers, the trace and training."""
