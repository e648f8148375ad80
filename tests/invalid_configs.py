"""Shared config texts for the config tests: the classic example, valid variants, and
a table of invalid configs with the error each must give.

Each :class:`InvalidCase` says where the first error is (``line``, ``key`` path), a
part of its message, and whether the JSON Schema can reject it too (``schema_rejects``:
types, enums, unknown and required keys, ranges) or only the loader can (shapes,
duplicates, rules across keys, and everything YAML 1.1 reads differently, such as
``yes``).  Cases that ``yaml.safe_load`` cannot read have ``schema_rejects=False``;
the schema test skips them.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepnet.limits import MAX_VALUES

CLASSIC = """\
name: A step by step backpropagation example
notation: flat            # w1, w2, ... numbered layer by layer, by target neuron, then by source neuron
layers:
  - {name: i, size: 2}
  - {name: h, size: 2, activation: sigmoid, bias: shared}   # shared: one bias for the layer (b1)
  - {name: o, size: 2, activation: sigmoid, bias: shared}
weights:                  # per layer: one row per neuron of this layer, one column per neuron of the layer before
  h: [[0.15, 0.20], [0.25, 0.30]]
  o: [[0.40, 0.45], [0.50, 0.55]]
biases: {h: 0.35, o: 0.60}
train_biases: false
loss: half_sse            # E_total = sum over outputs of 1/2 (target - out)^2
learning_rate: 0.5
data:
  - inputs: [0.05, 0.10]
    targets: [0.01, 0.99]
"""

# Every key the format has, in both of its forms where it has two.
MAXIMAL = """\
name: every key
description: A config using every key stepnet reads.
notation: {style: indexed, numbering: by_source, index_order: from_to}
layers:
  - {name: in, size: 3}
  - name: hid
    size: 2
    activation: leaky_relu
    slope: 0.1
    bias: per_neuron
  - {name: mid, size: 2, activation: tanh, bias: none}
  - {name: out, size: 3, activation: softmax, bias: shared}
weights:
  hid: [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
biases:
  hid: [0.01, -0.02]
  out: 0.5
init: {method: uniform, seed: 7, low: -0.25, high: 0.25}
train_biases: true
loss: cross_entropy
learning_rate: 0.1
optimizer: {name: adam, beta1: 0.8, beta2: 0.99, epsilon: 1.0e-7}
data:
  - inputs: [1, 0, -1]
    targets: [1, 0, 0]
  - inputs: [0.5, 0.25, 0.125]
    targets: [0.2, 0.3, 0.5]
  - inputs: [0, 0, 1]
    targets: [0, 0, 1]
batch_size: 2
shuffle: {seed: 3}
iterations: 5
hidden_deltas_use: updated_weights
claims:
  E_total: 1.0986
  out_out1: 0.33333
  iteration 2:
    E_total: 1.05
    w1+: 0.10012
"""

MOMENTUM = """\
notation: indexed
layers:
  - {name: x, size: 1}
  - {name: y, size: 1, activation: identity, bias: none}
init: {method: he, seed: 0}
loss: mse
learning_rate: 1
optimizer: {name: momentum, momentum: 0.5}
data: [{inputs: [2], targets: [4]}]
"""

BINARY = """\
layers:
  - {name: i, size: 2}
  - {name: h, size: 3, activation: relu}
  - {name: o, size: 1}
init: {method: xavier, seed: 42}
loss: binary_cross_entropy
learning_rate: 0.25
optimizer: sgd
data:
  - {inputs: [0, 1], targets: [1]}
  - {inputs: [1, 1], targets: [0]}
"""

VALID_CONFIGS = {"classic": CLASSIC, "maximal": MAXIMAL, "momentum": MOMENTUM, "binary": BINARY}


@dataclass(frozen=True)
class InvalidCase:
    id: str
    yaml_text: str
    key: str  # the key path the error names ("" when it names none, e.g. a syntax error)
    line: int
    message_contains: str
    schema_rejects: bool


def swap(old: str, new: str, text: str = CLASSIC) -> str:
    """``text`` with its one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _bomb() -> str:
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


_SOFTMAX_OUT = "{name: o, size: 2, activation: softmax, bias: shared}"
_SIGMOID_OUT = "{name: o, size: 2, activation: sigmoid, bias: shared}"
_H = "{name: h, size: 2, activation: sigmoid, bias: shared}"
_H_LINE = "  - " + _H + "   # shared: one bias for the layer (b1)\n"
_ACTIVATION = "size: 2, activation: sigmoid, bias: shared}   #"  # in layer h's line only
_DATA = "  - inputs: [0.05, 0.10]\n    targets: [0.01, 0.99]\n"
_MORE_DATA = "  - {inputs: [0.1, 0.2], targets: [0.5, 0.5]}\n  - {inputs: [0, 1], targets: [0, 1, 0]}\n"
_CE = swap("loss: half_sse", "loss: cross_entropy")
_BCE = swap("loss: half_sse", "loss: binary_cross_entropy")


def _add(text: str) -> str:
    """CLASSIC with ``text`` appended: its first line is line 17."""
    return CLASSIC + text


C = InvalidCase
# fmt: off
CASES: list[InvalidCase] = [
    # -- YAML syntax and reading ------------------------------------------------------------------------
    C("parse-mapping-value", swap("learning_rate: 0.5", "learning_rate: 0.5: 1"), "", 13,
      "could not parse YAML: mapping values are not allowed here", False),
    C("parse-unclosed-flow", swap("o: 0.60}", "o: 0.60"), "", 11,
      "could not parse YAML: did not find expected ',' or '}'", False),
    C("parse-tab", swap("  o: [[0.40", "\to: [[0.40"), "", 9,
      "found character '\\t' that cannot start any token", False),
    C("parse-unterminated-quote", swap("name: A step", "name: 'A step"), "", 17,
      "could not parse YAML: found unexpected end of stream", False),
    C("parse-bad-indent", swap("  o: [[0.40", " o: [[0.40"), "", 9, "could not parse YAML", False),
    C("parse-two-documents", _add("---\nname: again\n"), "", 17,
      "expected a single document in the stream, but found another document", False),
    C("parse-undefined-alias", swap("learning_rate: 0.5", "learning_rate: *rate"), "", 13,
      "found undefined alias '*rate'", False),
    C("parse-control-character", swap("name: A step", "name: A\x07step"), "", 1,
      "the character U+0007 is not allowed", False),
    C("python-tag", swap("learning_rate: 0.5", "learning_rate: !!python/object/apply:os.system ['echo hi']"),
      "learning_rate", 13,
      "tag '!!python/object/apply:os.system' is not allowed: stepnet reads plain YAML data only", False),
    C("custom-tag", swap("name: A step", "name: !secret A step"), "name", 1, "tag '!secret' is not allowed", False),
    C("alias-bomb", _bomb(), "e[7][8][8][8][9]", 1, f"more than {MAX_VALUES:,} values once aliases are expanded",
      True),
    C("deep-nesting", _add("claims: {E_total: " + "[" * 70 + "]" * 70 + "}\n"), "", 17,
      "deeper than 64 levels", True),
    # -- the document as a whole ------------------------------------------------------------------------
    C("empty", "", "", 1, "the file is empty: a config needs at least layers, learning_rate and data", True),
    C("only-comments", "# nothing yet\n\n", "", 1, "the file is empty", True),
    C("top-level-list", "- layers\n- data\n", "", 1, "the top level of a config must be a mapping", True),
    C("top-level-string", "hello\n", "", 1, "found the string 'hello'", True),
    C("unknown-top-key", swap("learning_rate: 0.5", "learning_rat: 0.5"), "learning_rat", 13,
      "unknown key 'learning_rat' (did you mean 'learning_rate'?)", True),
    C("duplicate-key", _add("learning_rate: 0.1\n"), "learning_rate", 17,
      "duplicate key 'learning_rate' (first at line 13)", False),
    C("missing-learning-rate", swap("learning_rate: 0.5\n", ""), "learning_rate", 1,
      "missing required key 'learning_rate'", True),
    C("missing-data", swap("data:\n" + _DATA, ""), "data", 1, "missing required key 'data'", True),
    C("missing-layers", swap("layers:\n  - {name: i, size: 2}\n" + _H_LINE + "  - " + _SIGMOID_OUT + "\n", ""),
      "layers", 1, "missing required key 'layers'", True),
    C("first-error-in-document-order", swap("notation: flat", "notation: flatt").replace("half_sse", "half_sso"),
      "notation", 2, "unknown notation style 'flatt'", True),
    # -- layers -----------------------------------------------------------------------------------------
    C("unknown-layer-key", swap(_ACTIVATION, _ACTIVATION.replace("activation", "activatoin")),
      "layers[1].activatoin", 5, "unknown key 'activatoin' (did you mean 'activation'?)", True),
    C("unknown-activation", swap(_ACTIVATION, _ACTIVATION.replace("sigmoid", "sigmod")),
      "layers[1].activation", 5, "unknown activation 'sigmod' (did you mean 'sigmoid'?)", True),
    C("missing-layer-size", swap("{name: i, size: 2}", "{name: i}"), "layers[0].size", 4,
      "missing required key 'size'", True),
    C("size-zero", swap("{name: i, size: 2}", "{name: i, size: 0}"), "layers[0].size", 4,
      "expected a whole number from 1 to 65,536, found 0", True),
    C("size-absurd", swap("{name: i, size: 2}", "{name: i, size: 1000000}"), "layers[0].size", 4,
      "expected a whole number from 1 to 65,536, found 1000000", True),
    C("size-fraction", swap("{name: i, size: 2}", "{name: i, size: 2.5}"), "layers[0].size", 4,
      "expected a whole number, found the number 2.5", True),
    C("too-many-parameters",
      swap("{name: i, size: 2}", "{name: i, size: 60000}").replace("h, size: 2", "h, size: 100"), "layers", 4,
      "the network has 6,000,202 parameters (weights and biases); the limit is 5,000,000", False),
    C("one-layer", swap(_H_LINE + "  - " + _SIGMOID_OUT + "\n", ""), "layers", 4,
      "expected at least 2 layers (input first, output last), found 1 layer", True),
    C("layers-not-list", swap("layers:\n  - {name: i, size: 2}\n" + _H_LINE + "  - " + _SIGMOID_OUT + "\n",
                              "layers: {i: 2, h: 2, o: 2}\n"), "layers", 3,
      "expected a list of layers, found a mapping", True),
    C("reserved-name-w", swap("{name: h, size: 2", "{name: w, size: 2"), "layers[1].name", 5,
      "the layer name 'w' is reserved: w names the weights", True),
    C("reserved-name-E", swap("{name: o, size: 2", "{name: E, size: 2"), "layers[2].name", 6,
      "the layer name 'E' is reserved: E names the error", True),
    C("layer-name-digits", swap("{name: h, size: 2", "{name: h1, size: 2"), "layers[1].name", 5,
      "expected a layer name of letters only (A-Z, a-z), found 'h1'", True),
    C("layer-name-long", swap("{name: h, size: 2", "{name: hiddenlayer, size: 2"), "layers[1].name", 5,
      "expected a layer name of 1 to 8 letters, found 'hiddenlayer' (11 letters)", True),
    C("duplicate-layer-name", swap("{name: o, size: 2", "{name: h, size: 2"), "layers[2].name", 6,
      "layer name 'h' is already used by layers[1]", False),
    C("input-activation", swap("{name: i, size: 2}", "{name: i, size: 2, activation: sigmoid}"),
      "layers[0].activation", 4, "the input layer has no activation", True),
    C("input-bias", swap("{name: i, size: 2}", "{name: i, size: 2, bias: shared}"), "layers[0].bias", 4,
      "the input layer has no bias", True),
    C("slope-without-leaky-relu", swap("{name: h, size: 2,", "{name: h, slope: 0.1, size: 2,"), "layers[1].slope", 5,
      "slope only applies to activation leaky_relu; layer 'h' uses sigmoid", True),
    C("softmax-hidden", swap(_H, _H.replace("sigmoid", "softmax")), "layers[1].activation", 5,
      "softmax is only supported on the output layer; layer 'h' is hidden", False),
    C("softmax-one-neuron", swap(_SIGMOID_OUT, "{name: o, size: 1, activation: softmax}"), "layers[2].activation", 6,
      "softmax needs at least 2 neurons; layer 'o' has 1", False),
    # -- weights and biases -----------------------------------------------------------------------------
    C("weights-not-number", swap("[[0.15, 0.20]", "[[0.15, abc]"), "weights.h[0][1]", 8,
      "expected a number, found the string 'abc'", True),
    C("weights-boolean", swap("[[0.15, 0.20]", "[[true, 0.20]"), "weights.h[0][0]", 8,
      "expected a number, found true", True),
    C("weights-too-many-rows", swap("[0.25, 0.30]]", "[0.25, 0.30], [1, 2]]"), "weights.h", 8,
      "expected 2 rows (one per neuron of layer 'h'), found 3", False),
    C("weights-ragged-row", swap("[0.25, 0.30]", "[0.25, 0.30, 0.35]"), "weights.h[1]", 8,
      "expected 2 numbers (one per neuron of layer 'i'), found 3", False),
    C("weights-flat-list", swap("h: [[0.15, 0.20], [0.25, 0.30]]", "h: [0.15, 0.20]"), "weights.h[0]", 8,
      "expected a row of 2 numbers (one per neuron of layer 'i'), found the number 0.15", True),
    C("weights-unknown-layer", swap("  h: [[0.15", "  hh: [[0.15"), "weights.hh", 8,
      "unknown layer 'hh' (did you mean 'h'?)", False),
    C("weights-input-layer", swap("  h: [[0.15", "  i: [[0.15"), "weights.i", 8,
      "layer 'i' is the input layer: it has no incoming weights", False),
    C("weights-missing", swap("  o: [[0.40, 0.45], [0.50, 0.55]]\n", ""), "weights.o", 7,
      "layer 'o' has no weights: give weights.o or init: {method: xavier, seed: 1}", False),
    C("weights-nan", swap("[0.25, 0.30]", "[0.25, .nan]"), "weights.h[1][1]", 8,
      "expected a finite number, found .nan", False),
    C("biases-list-for-shared", swap("{h: 0.35,", "{h: [0.35, 0.35],"), "biases.h", 10,
      "expected a single number (layer 'h' has one shared bias), found a list of 2 items", False),
    C("biases-number-for-per-neuron", swap(_H, _H.replace("shared", "per_neuron")), "biases.h", 10,
      "expected a list of 2 numbers (layer 'h' has one bias per neuron), found the number 0.35", False),
    C("biases-for-bias-none", swap(_H, _H.replace("shared", "none")), "biases.h", 10,
      "layer 'h' has bias: none, so it takes no bias", False),
    C("biases-string", swap("o: 0.60}", "o: high}"), "biases.o", 10, "expected a number, found the string 'high'",
      True),
    C("init-unknown-method", _add("init: {method: xavir, seed: 1}\n"), "init.method", 17,
      "unknown init method 'xavir' (did you mean 'xavier'?)", True),
    C("init-low-above-high", _add("init: {method: uniform, seed: 1, low: 1, high: 0}\n"), "init.high", 17,
      "expected low < high, found low 1 and high 0", False),
    C("init-low-for-xavier", _add("init: {method: xavier, seed: 1, low: -1}\n"), "init.low", 17,
      "low only applies to method uniform, not xavier", True),
    C("init-missing-seed", _add("init: {method: he}\n"), "init.seed", 17, "missing required key 'seed'", True),
    # -- training settings ------------------------------------------------------------------------------
    C("train-biases-yes", swap("train_biases: false", "train_biases: yes"), "train_biases", 11,
      "expected true or false, found the string 'yes'", False),  # YAML 1.1 (safe_load) reads yes as true
    C("train-biases-on", swap("train_biases: false", "train_biases: on"), "train_biases", 11,
      "expected true or false, found the string 'on'", False),
    C("train-biases-number", swap("train_biases: false", "train_biases: 0"), "train_biases", 11,
      "expected true or false, found the number 0", True),
    C("learning-rate-garbage", swap("learning_rate: 0.5", "learning_rate: 0.5x"), "learning_rate", 13,
      "expected a number, found the string '0.5x'", True),
    C("learning-rate-quoted", swap("learning_rate: 0.5", "learning_rate: '0.5'"), "learning_rate", 13,
      "expected a number, found the string '0.5'", True),
    C("learning-rate-zero", swap("learning_rate: 0.5", "learning_rate: 0"), "learning_rate", 13,
      "expected a number greater than 0, found 0", True),
    C("learning-rate-negative", swap("learning_rate: 0.5", "learning_rate: -0.5"), "learning_rate", 13,
      "expected a number greater than 0, found -0.5", True),
    C("learning-rate-infinite", swap("learning_rate: 0.5", "learning_rate: .inf"), "learning_rate", 13,
      "expected a finite number, found .inf", False),
    C("learning-rate-empty", swap("learning_rate: 0.5", "learning_rate:"), "learning_rate", 13,
      "expected a number, found an empty value", True),
    C("unknown-loss", swap("loss: half_sse", "loss: half_sso"), "loss", 12,
      "unknown loss 'half_sso' (did you mean 'half_sse'?)", True),
    C("unknown-optimizer", _add("optimizer: adom\n"), "optimizer", 17,
      "unknown optimizer 'adom' (did you mean 'adam'?)", True),
    C("optimizer-setting-mismatch", _add("optimizer: {name: sgd, momentum: 0.9}\n"), "optimizer.momentum", 17,
      "momentum is a setting of optimizer momentum, not of sgd", True),
    C("optimizer-momentum-range", _add("optimizer: {name: momentum, momentum: 1}\n"), "optimizer.momentum", 17,
      "expected a number from 0 up to (not including) 1, found 1", True),
    C("optimizer-epsilon-zero", _add("optimizer: {name: adam, epsilon: 0}\n"), "optimizer.epsilon", 17,
      "expected a number greater than 0, found 0", True),
    C("cross-entropy-sigmoid", _CE, "loss", 12,
      "cross_entropy expects probabilities that sum to 1: use activation softmax on output layer 'o'", False),
    C("binary-cross-entropy-softmax", _BCE.replace(_SIGMOID_OUT, _SOFTMAX_OUT), "loss", 12,
      "binary_cross_entropy expects outputs between 0 and 1", False),
    C("target-out-of-range", _BCE.replace("[0.01, 0.99]", "[0.01, 1.5]"), "data[0].targets[1]", 16,
      "binary_cross_entropy needs targets from 0 to 1, found 1.5", False),
    C("cross-entropy-sum", _CE.replace(_SIGMOID_OUT, _SOFTMAX_OUT).replace("[0.01, 0.99]", "[0.2, 0.7]"),
      "data[0].targets", 16,
      "cross_entropy needs targets that add up to exactly 1 (one probability per class), found a sum of 0.9", False),
    C("cross-entropy-sum-nearly-1", _CE.replace(_SIGMOID_OUT, _SOFTMAX_OUT).replace("[0.01, 0.99]", "[0.9999995, 0]"),
      "data[0].targets", 16,
      "cross_entropy needs targets that add up to exactly 1 (one probability per class), found a sum of 0.9999995",
      False),
    # -- data -------------------------------------------------------------------------------------------
    C("data-empty", swap("data:\n" + _DATA, "data: []\n"), "data", 14,
      "expected at least one sample, found an empty list", True),
    C("data-not-list", swap("data:\n" + _DATA, "data: {inputs: [0.05, 0.10], targets: [0.01, 0.99]}\n"), "data", 14,
      "expected a list of samples", True),
    C("data-missing-targets", swap("    targets: [0.01, 0.99]\n", ""), "data[0].targets", 15,
      "missing required key 'targets'", True),
    C("data-targets-length", swap(_DATA, _DATA + _MORE_DATA), "data[2].targets", 18,
      "expected 2 numbers (one per neuron of output layer 'o'), found 3", False),
    C("data-inputs-length", swap("[0.05, 0.10]", "[0.05]"), "data[0].inputs", 15,
      "expected 2 numbers (one per neuron of input layer 'i'), found 1", False),
    C("data-input-nan", swap("[0.05, 0.10]", "[0.05, .nan]"), "data[0].inputs[1]", 15,
      "expected a finite number, found .nan", False),
    C("batch-size-too-large", _add("batch_size: 2\n"), "batch_size", 17,
      "expected a batch size of at most the number of samples: found 2 but data has 1 sample", False),
    C("batch-size-zero", _add("batch_size: 0\n"), "batch_size", 17, "expected a whole number of at least 1, found 0",
      True),
    C("iterations-zero", _add("iterations: 0\n"), "iterations", 17,
      "expected a whole number from 1 to 10,000,000, found 0", True),
    C("iterations-too-many", _add("iterations: 20000000\n"), "iterations", 17,
      "expected a whole number from 1 to 10,000,000, found 20000000", True),
    C("iterations-float-huge", _add("iterations: 1e300\n"), "iterations", 17,
      "expected a whole number from 1 to 10,000,000, found 1e300", True),
    C("init-bound-huge", _add("init: {method: uniform, seed: 1, low: -1e308, high: 1e308}\n"), "init.low", 17,
      "expected a number from -1,000,000 to 1,000,000, found -1e308", True),
    C("shuffle-missing-seed", _add("shuffle: {}\n"), "shuffle.seed", 17, "missing required key 'seed'", True),
    # -- the rest ---------------------------------------------------------------------------------------
    C("notation-unknown", swap("notation: flat", "notation: flatt"), "notation", 2,
      "unknown notation style 'flatt' (did you mean 'flat'?)", True),
    C("notation-unknown-key", swap("notation: flat", "notation: {style: indexed, order: to_from}"), "notation.order", 2,
      "unknown key 'order'", True),
    C("hidden-deltas-unknown", _add("hidden_deltas_use: updated\n"), "hidden_deltas_use", 17,
      "unknown hidden_deltas_use 'updated' (did you mean 'updated_weights'?)", True),
    C("description-number", _add("description: 42\n"), "description", 17,
      "expected a description, found the number 42", True),
    C("claims-quoted-number", _add("claims: {E_total: '0.298371109'}\n"), "claims.E_total", 17,
      "expected a number, found the string '0.298371109'", True),
    C("claims-iteration-zero", _add("claims:\n  iteration 0: {E_total: 0.29}\n"), "claims.iteration 0", 18,
      "expected 'iteration N' with N a whole number from 1 to 10,000,000", True),
    C("claims-hex", _add("claims: {E_total: 0x1}\n"), "claims.E_total", 17,
      "expected the claimed number in decimal, found 0x1", False),
    C("claims-octal", _add("claims: {E_total: 0o7}\n"), "claims.E_total", 17,
      "expected the claimed number in decimal, found 0o7", True),  # YAML 1.1 reads 0o7 as a string
    C("claims-iteration-huge", _add("claims:\n  iteration 100000000000: {E_total: 0.29}\n"),
      "claims.iteration 100000000000", 18, "a whole number from 1 to 10,000,000", False),
    C("claims-iteration-5000-digits", _add("claims:\n  ? iteration " + "9" * 5000 + "\n  : {E_total: 0.29}\n"),
      "claims.iteration " + "9" * 5000, 18, "a whole number from 1 to 10,000,000", False),
    C("name-escape-sequence", swap("name: A step by step backpropagation example", 'name: "A \\e]0;PWNED\\a step"'),
      "name", 1, "expected a name without control characters, found \\x1b", False),
    C("description-bidi", _add('description: "abc \\u202e cba"\n'), "description", 17,
      "expected a description without control characters, found \\u202e", False),
    C("claims-twice", _add("claims:\n  E_total: 0.298\n  iteration 1: {E_total: 0.2984}\n"),
      "claims.iteration 1.E_total", 19, "claim 'E_total' for iteration 1 is given twice (first at line 18)", False),
]
# fmt: on
