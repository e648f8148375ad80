"""A run written out as a standalone program (numpy or PyTorch) that recomputes its numbers."""
