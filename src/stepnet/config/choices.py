"""The words a config may choose from, as plain tuples.

Kept apart from the model's dataclasses so that the command line can offer them as
choices (``stepnet init --loss``) without defining any class at start-up.
"""

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax")
LOSS_NAMES = ("half_sse", "sse", "mse", "cross_entropy", "binary_cross_entropy")
OPTIMIZERS = ("sgd", "momentum", "adam")
BIAS_MODES = ("per_neuron", "shared", "none")
INIT_METHODS = ("uniform", "xavier", "he")
NOTATION_STYLES = ("flat", "indexed", "mazur", "nielsen")
FLAT_NUMBERING = ("by_target", "by_source")
INDEX_ORDERS = ("to_from", "from_to")
HIDDEN_DELTAS = ("current_weights", "updated_weights")
