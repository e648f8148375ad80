"""Helpers for the tests of generated scripts: drawing networks, running scripts, tampering with them."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import runpy
import subprocess
import sys
from pathlib import Path

from hypothesis import strategies as st

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = [  # (output activation, loss): every loss, every activation on some layer
    ("sigmoid", "half_sse"), ("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy"),
    ("softmax", "mse"), ("identity", "mse"), ("tanh", "sse"), ("relu", "half_sse"), ("leaky_relu", "sse"),
]
BIAS_MODES = ["per_neuron", "shared", "none"]
NOTATIONS = ["flat", "indexed", {"style": "flat", "numbering": "by_source"},
             {"style": "indexed", "index_order": "from_to"}]

_number = st.integers(-1000, 1000).map(lambda k: k / 1000)


@st.composite
def networks(draw) -> dict:
    """A small config dict: any activation, loss, bias mode, optimizer, batch setting and notation."""
    depth = draw(st.integers(1, 3))  # layers after the input
    sizes = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    output, loss = draw(st.sampled_from(OUTPUTS))
    if output == "softmax":
        sizes[-1] = max(2, sizes[-1])
    names = ["i", "h", "g", "f"][:depth] + ["o"]
    layers = [{"name": "i", "size": sizes[0]}]
    for k in range(1, depth + 1):
        activation = output if k == depth else draw(st.sampled_from(HIDDEN_ACTIVATIONS))
        layer = {"name": names[k], "size": sizes[k], "activation": activation,
                 "bias": draw(st.sampled_from(BIAS_MODES))}
        if activation == "leaky_relu":
            layer["slope"] = draw(st.sampled_from([0.01, 0.2]))
        layers.append(layer)
    samples = draw(st.integers(1, 4))
    data = [{"inputs": [draw(_number) for _ in range(sizes[0])], "targets": draw(_targets(loss, sizes[-1]))}
            for _ in range(samples)]
    config = {"name": "drawn", "layers": layers, "data": data, "loss": loss,
              "init": {"method": draw(st.sampled_from(["uniform", "xavier", "he"])), "seed": draw(st.integers(0, 99))},
              "iterations": draw(st.integers(1, 8)), "notation": draw(st.sampled_from(NOTATIONS))}
    config.update(draw(_training()))
    if draw(st.booleans()):
        config["batch_size"] = draw(st.integers(1, samples))
    if draw(st.booleans()):
        config["shuffle"] = {"seed": draw(st.integers(0, 9))}
    return config


def _targets(loss: str, n: int):
    if loss == "cross_entropy":
        return st.integers(0, n - 1).map(lambda k: [1.0 if j == k else 0.0 for j in range(n)])
    return st.lists(st.integers(0, 1000).map(lambda k: k / 1000), min_size=n, max_size=n)


@st.composite
def _training(draw) -> dict:
    name = draw(st.sampled_from(["sgd", "momentum", "adam"]))
    optimizer = {"name": name}
    if name == "momentum":
        optimizer["momentum"] = draw(st.sampled_from([0.5, 0.9]))
    if name == "adam":
        optimizer.update(beta1=draw(st.sampled_from([0.8, 0.9])), beta2=0.999, epsilon=1e-8)
    rate = draw(st.sampled_from([0.01, 0.05])) if name == "adam" else draw(st.sampled_from([0.1, 0.5]))
    return {"optimizer": optimizer, "learning_rate": rate, "train_biases": draw(st.booleans()),
            "hidden_deltas_use": draw(st.sampled_from(["current_weights", "updated_weights"]))}


def imported_modules(source: str) -> set[str]:
    """The top-level names of every module the source imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
    return found


def run_in_process(source: str, path: Path) -> tuple[int, str, str]:
    """Run a script as __main__ in this interpreter: (exit code, stdout, stderr)."""
    path.write_text(source, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as stop:
            code = stop.code
    return code, out.getvalue(), err.getvalue()


def run_subprocesses(paths: list[Path]) -> list[tuple[int, str, str]]:
    """Run scripts with this Python, all at once: (exit code, stdout, stderr) for each."""
    procs = [subprocess.Popen([sys.executable, str(p)], cwd=p.parent, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for p in paths]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append((proc.returncode, out, err))
    return results


def _nudged(text: str) -> str:
    value = float(text)
    return repr(value + max(abs(value), 1e-3) * 1e-6)


def tamper(source: str, quantity: str) -> str:
    """The script with stepnet's value of one quantity changed by a millionth of itself.

    ``quantity`` is "final loss", "loss N" (the N-th embedded loss, from 1) or a parameter name
    (its gradient at the first checked iteration).
    """
    if quantity == "final loss":
        return re.sub(r"(EXPECTED_FINAL_LOSS = )([^ \n]+)", lambda m: m[1] + _nudged(m[2]), source, count=1)
    if quantity.startswith("loss "):
        start = source.index("EXPECTED_LOSSES = [") + len("EXPECTED_LOSSES = [")
        m = list(re.finditer(r"-?[0-9][0-9.e+-]*", source[start:]))[int(quantity.split()[1]) - 1]
    else:
        start = source.index("EXPECTED_GRADIENTS = {")
        m = re.search(rf'"{re.escape(quantity)}": ([^,\n]+)', source[start:])
    group = m.lastindex or 0
    a, b = start + m.start(group), start + m.end(group)
    return source[:a] + _nudged(source[a:b]) + source[b:]
