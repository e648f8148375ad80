"""Time stepnet against its performance targets and write benchmarks/results.md.

    python benchmarks/run.py                 # every row, 7 repeats each
    python benchmarks/run.py --quick         # 3 repeats, for a first look
    python benchmarks/run.py --only loop,big-json

Command-line rows run the installed ``stepnet`` (the console script beside this Python,
else ``python -m stepnet.cli``) as whole processes: wall time from start to exit, peak
memory from that child's own rusage.  The loop rows run in this process, the plain numpy
reference interleaved with stepnet so both see the same machine.  Every time is the
median of the repeats; the first run of each command is a warm-up and is not counted.
Nothing here is a test: the tests check behaviour, this script measures.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
HEAVY = ("numpy", "sympy", "rich", "yaml", "stepnet.engine.network", "stepnet.render")


@dataclass
class Row:
    key: str
    what: str
    target: str
    measured: str
    result: str  # pass | FAIL | info | skipped


# ---------------------------------------------------------------- running commands


def stepnet_command() -> list[str]:
    script = Path(sys.executable).parent / "stepnet"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "stepnet.cli"]


@dataclass
class Timed:
    seconds: float  # median wall time
    peak_mb: float  # the largest peak resident memory of the counted runs
    stdout: str
    returncode: int
    cpu: float = 0.0  # median CPU time (user + system) of the counted runs


def run_command(args: list[str], repeats: int, cwd: Path) -> Timed:
    """Run ``stepnet ARGS`` once to warm up, then ``repeats`` times: median wall time, peak RSS."""
    times, peaks, cpus = [], [], []
    out_path = cwd / "stdout.txt"
    for i in range(repeats + 1):
        with open(out_path, "wb") as out, open(os.devnull, "wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(stepnet_command() + args, stdout=out, stderr=err, cwd=cwd)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"stepnet {' '.join(args)} failed with exit status {proc.returncode}")
        if i:
            times.append(elapsed)
            peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
            cpus.append(usage.ru_utime + usage.ru_stime)
    return Timed(statistics.median(times), max(peaks), out_path.read_text(encoding="utf-8"), 0,
                 statistics.median(cpus))


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


# ---------------------------------------------------------------- the 784-128-10 network


def write_wide_config(folder: Path, seed: int = 7) -> Path:
    """A 784-128-10 sigmoid network and 32 samples of 784 inputs, the data in the YAML itself."""
    import random

    rng = random.Random(seed)
    lines = [
        "name: wide",
        "description: A 784-128-10 sigmoid network, one batch of 32 samples",
        "layers:",
        "  - {name: i, size: 784}",
        "  - {name: h, size: 128, activation: sigmoid, bias: per_neuron}",
        "  - {name: o, size: 10, activation: sigmoid, bias: per_neuron}",
        "init: {method: xavier, seed: 1}",
        "loss: half_sse",
        "learning_rate: 0.5",
        "data:",
    ]
    for s in range(32):
        targets = ["0.0"] * 10
        targets[s % 10] = "1.0"
        lines.append("  - inputs: [" + ", ".join(f"{rng.random():.4f}" for _ in range(784)) + "]")
        lines.append("    targets: [" + ", ".join(targets) + "]")
    path = folder / "wide.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- rows


def row_help(repeats: int, tmp: Path) -> list[Row]:
    helps = run_command(["--help"], repeats, tmp)
    version = run_command(["--version"], repeats, tmp)
    probe = ("import sys, stepnet.cli; heavy = " + repr(HEAVY) + "; "
             "print(','.join(sorted(m for m in sys.modules "
             "if m in heavy or m.startswith(tuple(h + '.' for h in heavy)))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    slowest = max(helps.seconds, version.seconds)
    measured = f"--help {fmt_s(helps.seconds)}, --version {fmt_s(version.seconds)}; "
    measured += f"`import stepnet.cli` loads {loaded}" if loaded else "`import stepnet.cli` loads none of them"
    return [Row("help", "`stepnet --help`, `stepnet --version`", "≤ 0.10 s, no numpy/sympy/rich/renderers imported",
                measured, verdict(slowest <= 0.10 and not loaded))]


def row_run(repeats: int, tmp: Path) -> list[Row]:
    t = run_command(["run"], repeats, tmp)
    lines = t.stdout.count("\n")
    return [Row("run", "`stepnet run` (classic example, 1 iteration, full text output)", "≤ 0.5 s",
                f"{fmt_s(t.seconds)} ({lines} lines)", verdict(t.seconds <= 0.5 and lines > 50))]


def row_explain(repeats: int, tmp: Path) -> list[Row]:
    t = run_command(["explain", "w5"], repeats, tmp)
    checked = "sympy" in t.stdout
    return [Row("explain", "`stepnet explain w5` (with its sympy check)", "≤ 0.5 s",
                fmt_s(t.seconds) + ("" if checked else " (no sympy check in the output!)"),
                verdict(t.seconds <= 0.5 and checked))]


def row_json10k(repeats: int, tmp: Path) -> list[Row]:
    t = run_command(["run", "mazur", "--iterations", "10000", "--format", "json", "-o", "trace.json"], repeats, tmp)
    size = (tmp / "trace.json").stat().st_size
    return [Row("json10k", "`stepnet run mazur --iterations 10000 --format json` (first and last traced)", "≤ 1.0 s",
                f"{fmt_s(t.seconds)} ({size / 1e6:.1f} MB of JSON)", verdict(t.seconds <= 1.0))]


def reference_loop(X, T, W1, b1, W2, b2, lr: float, n: int):
    """The classic example's training written out plainly with numpy: what stepnet must match."""
    import numpy as np

    B = X.shape[0]
    losses = np.empty(n)
    for k in range(n):
        net1 = X @ W1.T + b1
        out1 = 1 / (1 + np.exp(-net1))
        net2 = out1 @ W2.T + b2
        out2 = 1 / (1 + np.exp(-net2))
        losses[k] = (0.5 * (T - out2) ** 2).sum(axis=1).mean()
        delta2 = (out2 - T) * out2 * (1 - out2)
        delta1 = (delta2 @ W2) * out1 * (1 - out1)
        gW2 = delta2.T @ out1 / B
        gW1 = delta1.T @ X / B
        W2 -= lr * gW2  # the classic example does not train its biases
        W1 -= lr * gW1
    return losses


def torch_loop(X, T, W1, b1, W2, b2, lr: float, n: int):
    import torch

    X, T, b1, b2 = (torch.tensor(a, dtype=torch.float64) for a in (X, T, b1, b2))
    W1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(W2, dtype=torch.float64, requires_grad=True)
    losses = torch.empty(n, dtype=torch.float64)
    for k in range(n):
        out1 = torch.sigmoid(X @ W1.T + b1)
        out2 = torch.sigmoid(out1 @ W2.T + b2)
        loss = (0.5 * (T - out2) ** 2).sum(dim=1).mean()
        loss.backward()
        with torch.no_grad():
            losses[k] = loss
            W1 -= lr * W1.grad
            W2 -= lr * W2.grad
            W1.grad.zero_()
            W2.grad.zero_()
    return losses.numpy()


def row_loop(repeats: int, tmp: Path, iterations: int = 10_000) -> list[Row]:
    import numpy as np

    from stepnet.api import load
    from stepnet.engine.training import train

    cfg = load("mazur")
    X = np.array([s.inputs for s in cfg.data], dtype=float)
    T = np.array([s.targets for s in cfg.data], dtype=float)

    def fresh():
        W1, W2 = (np.array(cfg.weights[name], dtype=float) for name in ("h", "o"))
        b1, b2 = (np.array(cfg.biases[name], dtype=float) for name in ("h", "o"))
        return X, T, W1, b1, W2, b2, cfg.learning_rate, iterations

    def stepnet_loop():
        return train(cfg, iterations=iterations, trace="first").losses

    def timed(fn, *args):
        with np.errstate(all="ignore"):
            start = time.perf_counter()
            result = fn(*args)
            return time.perf_counter() - start, result

    timed(stepnet_loop), timed(reference_loop, *fresh())  # warm-up
    ours, plain = [], []
    for _ in range(max(repeats, 5)):  # interleaved, so both see the same load
        t, ref_losses = timed(reference_loop, *fresh())
        plain.append(t)
        t, our_losses = timed(stepnet_loop)
        ours.append(t)
    if not np.allclose(ref_losses, our_losses, rtol=1e-12, atol=1e-15):
        raise SystemExit("the numpy reference loop and stepnet disagree: the benchmark compares different things")
    ratio = statistics.median(ours) / statistics.median(plain)
    rows = [Row("loop", f"untraced update loop, {iterations:,} iterations of the classic example",
                "ratio to plain numpy ≤ 1.0",
                f"stepnet {fmt_s(statistics.median(ours))}, plain numpy {fmt_s(statistics.median(plain))}: "
                f"ratio {ratio:.2f}", verdict(ratio <= 1.0))]
    try:
        import torch  # noqa: F401 - not a dependency; timed only where it is installed
    except ImportError:
        rows.append(Row("torch", f"PyTorch, the same {iterations:,} updates (float64, autograd)", "—",
                        "skipped: torch is not installed", "skipped"))
    else:
        timed(torch_loop, *fresh())
        times = [timed(torch_loop, *fresh())[0] for _ in range(max(3, repeats // 2))]
        t = statistics.median(times)
        rows.append(Row("torch", f"PyTorch, the same {iterations:,} updates (float64, autograd)", "—",
                        f"{fmt_s(t)} ({t / statistics.median(plain):.1f}× plain numpy)", "info"))
    return rows


def row_yaml(repeats: int, tmp: Path) -> list[Row]:
    import yaml

    from stepnet.config.document import _ComposeOnly, read_yaml
    from stepnet.config.load import parse_config_text

    text = write_wide_config(tmp).read_text(encoding="utf-8")

    def median_time(fn) -> float:
        fn()  # warm-up
        times = []
        for _ in range(max(repeats, 5)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    compose = median_time(lambda: yaml.compose(text, Loader=_ComposeOnly))
    read = median_time(lambda: read_yaml(text, "wide.yaml"))
    whole = median_time(lambda: parse_config_text(text, "wide.yaml"))
    composer = "libyaml's (CSafeLoader)" if yaml.__with_libyaml__ else "PyYAML's pure-Python"
    return [Row("yaml", f"reading the 784-128-10 config ({len(text) / 1e3:.0f} kB, 25,408 numbers)", "—",
                f"{composer} composer {fmt_s(compose)}; `read_yaml` (depth check, compose, values with positions) "
                f"{fmt_s(read)}; with validation {fmt_s(whole)}", "info")]


def row_big_json(repeats: int, tmp: Path) -> list[Row]:
    config = write_wide_config(tmp)
    t = run_command(["run", str(config), "--format", "json", "-o", "wide.json"], repeats, tmp)
    size = (tmp / "wide.json").stat().st_size
    ok = t.seconds <= 5.0 and t.peak_mb <= 1024
    return [Row("big-json", "784-128-10 sigmoid, batch of 32, one traced iteration, `--format json -o FILE`",
                "≤ 5 s, peak memory ≤ 1 GB",
                f"{fmt_s(t.seconds)}, peak {t.peak_mb:.0f} MB ({size / 1e6:.0f} MB of JSON)", verdict(ok))]


def row_big_html(repeats: int, tmp: Path) -> list[Row]:
    """The same traced network as big-json, as one self-contained HTML page: the same time class."""
    config = write_wide_config(tmp)
    t = run_command(["run", str(config), "-o", "wide.html"], repeats, tmp)
    size = (tmp / "wide.html").stat().st_size
    ok = t.seconds <= 5.0 and t.peak_mb <= 1024
    return [Row("big-html", "784-128-10 sigmoid, batch of 32, one traced iteration, `-o FILE.html`",
                "≤ 5 s (big-json's class), peak memory ≤ 1 GB",
                f"{fmt_s(t.seconds)}, peak {t.peak_mb:.0f} MB ({size / 1e6:.1f} MB of HTML)", verdict(ok))]


def row_big_text(repeats: int, tmp: Path) -> list[Row]:
    config = write_wide_config(tmp)
    t = run_command(["run", str(config)], repeats, tmp)
    text = t.stdout
    lines = text.count("\n")
    named = all(s in text for s in (
        "more neurons of layer h not shown", "more parameters of layer h not shown",
        "more parameters are updated the same way", "Samples 5 to 32 of the batch"))
    tables = all(f"Layer {name}" in text for name in ("h", "o"))
    ok = t.seconds <= 2.0 and named and tables and lines < 5000
    return [Row("big-text", "the same network, terminal output, default truncation", "≤ 2 s, readable",
                f"{fmt_s(t.seconds)}, peak {t.peak_mb:.0f} MB, {lines:,} lines; a table per layer"
                f"{'' if tables else ' MISSING'}, truncated parts named{'' if named else ' MISSING'}", verdict(ok))]


# `stepnet run mazur -n 2000 --trace all -o FILE` before the report was streamed (every iteration's report built,
# then printed): CPU time (user + system) measured once on the machine of results.md, 2026-12-01; wall time 104 s
# on the loaded machine, peak RSS 684 MB.  CPU time is compared: it depends far less on the machine's load.
TEXT_2000_BEFORE = 84.0
# The same command once streamed, before the † check, the number formatting and the printers were made faster:
# CPU time measured on the same machine, 2026-12-01 (benchmarks/results.md of that day).
TEXT_2000_STREAMED = 23.5


def row_stream_json(repeats: int, tmp: Path) -> list[Row]:
    """20 traced iterations of the wide network as JSON: written as they come, so the peak stays near one's."""
    config = write_wide_config(tmp)
    repeats = min(repeats, 2)  # a minute of work per run
    one = run_command(["run", str(config), "--format", "json", "-o", "wide1.json"], repeats, tmp)
    many = run_command(["run", str(config), "-n", "20", "--trace", "all", "--format", "json", "-o", "wide20.json"],
                       repeats, tmp)
    size = (tmp / "wide20.json").stat().st_size
    ok = many.peak_mb <= 1.5 * one.peak_mb and many.peak_mb <= 1024
    return [Row("stream-json", "20 traced iterations of 784-128-10 as JSON (`-n 20 --trace all -o FILE`)",
                "peak memory ≤ 1.5 × one traced iteration's, ≤ 1 GB",
                f"{fmt_s(many.seconds)}, peak {many.peak_mb:.0f} MB ({size / 1e6:.0f} MB of JSON); one traced "
                f"iteration: peak {one.peak_mb:.0f} MB", verdict(ok))]


def row_stream_text(repeats: int, tmp: Path) -> list[Row]:
    """2,000 traced iterations of the classic example as text, each printed as soon as it is computed."""
    t = run_command(["run", "mazur", "-n", "2000", "--trace", "all", "-o", "mazur2000.txt"], 1, tmp)
    lines = (tmp / "mazur2000.txt").read_text(encoding="utf-8").count("\n")
    ok = t.cpu <= TEXT_2000_BEFORE / 5
    before = (f"before streaming {fmt_s(TEXT_2000_BEFORE)} of CPU, peak 684 MB, streamed but not yet sped up "
              f"{fmt_s(TEXT_2000_STREAMED)}: {TEXT_2000_BEFORE / t.cpu:.1f}× less CPU now")
    return [Row("stream-text", "2,000 traced iterations of mazur as text (`-n 2000 --trace all -o FILE`)",
                f"≥ 5× less CPU time than before (≤ {fmt_s(TEXT_2000_BEFORE / 5)})",
                f"{fmt_s(t.seconds)} ({fmt_s(t.cpu)} of CPU), peak {t.peak_mb:.0f} MB, {lines:,} lines; {before}",
                verdict(ok))]


def _train_peak(iterations: int) -> int:
    from stepnet.api import load
    from stepnet.engine.training import train

    cfg = load("mazur")
    tracemalloc.start()
    try:
        run = train(cfg, iterations=iterations, trace="first,last")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert run.done == iterations and len(run.iterations) == 2
    return peak


def row_memory(repeats: int, tmp: Path) -> list[Row]:
    small, large = 10_000, 100_000
    _train_peak(1000)  # warm-up: imports and numpy's caches
    peak_small, peak_large = _train_peak(small), _train_peak(large)
    per_iteration = (peak_large - peak_small) / (large - small)
    rss_small = run_command(["run", "mazur", "--iterations", str(small)], 1, tmp).peak_mb
    rss_large = run_command(["run", "mazur", "--iterations", str(large)], 1, tmp).peak_mb
    return [Row("memory", f"{large:,} iterations of the classic example, first and last traced",
                "no growth beyond the loss history (8 bytes/iteration)",
                f"`train()` peak {peak_small / 1e6:.2f} MB at {small:,} iterations, {peak_large / 1e6:.2f} MB at "
                f"{large:,}: {per_iteration:.1f} bytes/iteration (tracemalloc); whole `stepnet run`: peak RSS "
                f"{rss_small:.0f} MB and {rss_large:.0f} MB", verdict(per_iteration <= 8.5))]


# ---------------------------------------------------------------- gradient checks at every size


def _layer_name(k: int) -> str:
    """ha, hb, …, hz, hba, …: letters only, as layer names must be."""
    name = ""
    while True:
        name = chr(97 + k % 26) + name
        k //= 26
        if not k:
            return "h" + name


def write_stack_config(folder: Path, key: str, sizes: list[int], activation: str = "tanh", samples: int = 1) -> Path:
    """A seeded network of the given layer sizes (sigmoid outputs) and ``samples`` samples."""
    lines = [f"name: {key}", "layers:", f"  - {{name: i, size: {sizes[0]}}}"]
    for k, size in enumerate(sizes[1:]):
        act = "sigmoid" if k == len(sizes) - 2 else activation
        lines.append(f"  - {{name: {_layer_name(k)}, size: {size}, activation: {act}, bias: per_neuron}}")
    lines += ["init: {method: xavier, seed: 3}", "loss: half_sse", "learning_rate: 0.1", "data:"]
    for s in range(samples):
        lines.append("  - inputs: [" + ", ".join(f"{0.1 * ((j + s) % 7) - 0.3:.2f}" for j in range(sizes[0])) + "]")
        lines.append("    targets: [" + ", ".join("0.5" for _ in range(sizes[-1])) + "]")
    path = folder / f"{key}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


EXPLAIN_NETWORKS = {  # the networks whose symbolic check used to run without end
    "six tanh layers of width 2": [2] + [2] * 6 + [2],
    "2-25-25-25-2": [2, 25, 25, 25, 2],
    "12-layer chain of width 1": [1] * 13,
    "300-layer chain": [1] * 301,
    "1000-layer chain": [1] * 1001,
}


def row_explain_deep(repeats: int, tmp: Path) -> list[Row]:
    rows = []
    configs = [(what, write_stack_config(tmp, f"net{k}", sizes))
               for k, (what, sizes) in enumerate(EXPLAIN_NETWORKS.items())]
    configs.append(("784-128-10, batch of 32", write_wide_config(tmp)))
    for what, config in configs:
        t = run_command(["explain", "w1", "-c", str(config)], max(1, repeats // 3), tmp)
        checked = "skipped" if "sympy check skipped" in t.stdout else "run" if "sympy," in t.stdout else "absent"
        agreed = "✓" in t.stdout.split("Check")[-1]
        rows.append(Row("explain-deep", f"`stepnet explain w1` with its check, {what}", "≤ 5 s, checks agree",
                        f"{fmt_s(t.seconds)} (sympy: {checked})" + ("" if agreed else "; no ✓ in the check!"),
                        verdict(t.seconds <= 5.0 and agreed)))
    return rows


def _issue_config(folder: Path) -> Path:
    """Identity layers and targets of 1000 and 2000: a loss of about 2.5·10⁶."""
    path = folder / "large-loss.yaml"
    path.write_text("name: large loss\nlayers:\n  - {name: i, size: 2}\n  - {name: h, size: 2, activation: identity}\n"
                    "  - {name: o, size: 2, activation: identity}\n"
                    "weights: {h: [[0.15, 0.2], [0.25, 0.3]], o: [[0.4, 0.45], [0.5, 0.55]]}\n"
                    "biases: {h: [0.35, 0.35], o: [0.6, 0.6]}\nloss: half_sse\nlearning_rate: 0.5\n"
                    "data:\n  - {inputs: [0.05, 0.1], targets: [1000, 2000]}\n", encoding="utf-8")
    return path


def row_check_wide(repeats: int, tmp: Path) -> list[Row]:
    rows = []
    large = run_command(["check", str(_issue_config(tmp))], repeats, tmp)
    rows.append(Row("check-loss", "`stepnet check` on identity layers with a loss of 2.5·10⁶", "no DIFFERS, ≤ 1 s",
                    fmt_s(large.seconds) + ("" if "DIFFERS" not in large.stdout else ", DIFFERS shown"),
                    verdict(large.seconds <= 1.0 and "DIFFERS" not in large.stdout)))
    for what, config in (("784-128-10, batch of 32", write_wide_config(tmp)),
                         ("2000-2400-80 (4,994,480 parameters), batch of 2",
                          write_stack_config(tmp, "five-million", [2000, 2400, 80], "sigmoid", samples=2))):
        t = run_command(["check", str(config)], max(1, repeats // 3), tmp)
        rows_shown = sum(line.endswith(" ok") or line.endswith("DIFFERS") for line in t.stdout.splitlines())
        said = "Checking 500 of" in t.stdout
        rows.append(Row("check-wide", f"`stepnet check`, {what}: 500 parameters drawn, rows streamed", "≤ 10 s",
                        f"{fmt_s(t.seconds)}, peak {t.peak_mb:.0f} MB, {rows_shown} rows"
                        + ("" if said else "; the count of parameters is not stated!"),
                        verdict(t.seconds <= 10.0 and said and rows_shown == 500)))
    return rows


ROWS = {
    "help": row_help, "run": row_run, "explain": row_explain, "json10k": row_json10k, "loop": row_loop,
    "yaml": row_yaml, "big-json": row_big_json, "big-html": row_big_html, "big-text": row_big_text,
    "memory": row_memory, "explain-deep": row_explain_deep, "check-wide": row_check_wide,
    "stream-json": row_stream_json, "stream-text": row_stream_text,
}


# ---------------------------------------------------------------- the report


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"{platform.system()} {platform.release()}; load average {load}")


def table(rows: list[Row]) -> str:
    out = ["| row | what | target | measured | result |", "|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.key} | {r.what} | {r.target} | {r.measured} | {r.result} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--only", default=None, help=f"comma-separated rows: {', '.join(ROWS)}")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the Markdown table")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    keys = list(ROWS) if not args.only else [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in ROWS]
    if unknown:
        parser.error(f"unknown row {', '.join(unknown)}; the rows are {', '.join(ROWS)}")
    before = machine()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="stepnet-bench-") as folder:
        for key in keys:
            print(f"… {key}", file=sys.stderr, flush=True)
            rows += ROWS[key](repeats, Path(folder))
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    text = "\n".join([
        table(rows),
        "",
        f"Machine: {before}.",
        f"Taken {stamp} with `python benchmarks/run.py{' --quick' if args.quick else ''}"
        f"{' --only ' + args.only if args.only else ''}`: median of {repeats} runs"
        " (whole processes for the command rows, after one warm-up run).",
        "",
    ])
    print(text)
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output}", file=sys.stderr)
    return 0 if all(r.result != "FAIL" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
