"""The Python API: run a config, query any traced value by name, explain, export.

>>> import stepnet
>>> run = stepnet.run(stepnet.example("mazur"), iterations=3)
>>> round(run.iterations[0].parameter("w5").gradient, 9)
0.082167041
>>> print(run.explain("w5"))                         # doctest: +ELLIPSIS
∂E_total/∂w5 at iteration 1
...
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from . import arguments
from .config.load import load_config
from .config.model import NetworkConfig
from .derive.derivation import Derivation, Formatter
from .derive.index import Neuron
from .derive.names import Names
from .engine.trace import IterationTrace, RunTrace
from .engine.training import train
from .errors import ConfigError, DivergenceError, UsageError

ConfigSource = str | os.PathLike | Mapping[str, Any] | NetworkConfig


def examples_dir() -> Path:
    return Path(str(resources.files("stepnet") / "examples"))


def example_names() -> list[str]:
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example(name: str) -> Path:
    """The path of a bundled example config, by name (``stepnet examples`` lists them)."""
    path = examples_dir() / f"{name}.yaml"
    if not path.is_file():
        import difflib

        close = difflib.get_close_matches(name, example_names(), n=1)
        raise UsageError(f"no bundled example named '{name}'",
                         hint=(f"did you mean '{close[0]}'? " if close else "") + "see `stepnet examples`")
    return path


def load(source: ConfigSource) -> NetworkConfig:
    """A config from a path, ``-`` (standard input), a bundled example's name, a dict, or a NetworkConfig."""
    if isinstance(source, NetworkConfig):
        return source
    if isinstance(source, Mapping):
        return load_config(source)
    if not isinstance(source, (str, os.PathLike)):
        raise UsageError(f"a config is a path, a bundled example's name, a mapping or a NetworkConfig, "
                         f"not {type(source).__name__}", hint="stepnet.run('mazur'), stepnet.run('my.yaml')")
    text = os.fspath(source)
    if text == "-":
        return load_config(text, name="<stdin>")
    if not os.path.exists(text) and os.sep not in text and not text.endswith((".yaml", ".yml")):
        if text in example_names():
            return load_config(example(text))
        import difflib

        close = difflib.get_close_matches(text, example_names(), n=1)
        raise ConfigError("no such file, and no bundled example of that name", file=text,
                          hint=(f"did you mean '{close[0]}'? " if close else "")
                          + "`stepnet examples` lists the bundled examples")
    return load_config(text)


@dataclass(frozen=True)
class ParameterValues:
    name: str
    kind: str
    value: float
    gradient: float
    updated: float


@dataclass(frozen=True)
class NeuronValues:
    name: str
    net: list[float]  # one per sample of the batch
    out: list[float]
    delta: list[float]


class Iteration:
    """One traced iteration, with every value reachable by name."""

    def __init__(self, trace: IterationTrace, names: Names) -> None:
        self.trace = trace
        self.names = names
        self.number = trace.iteration
        self.loss = trace.loss
        self.loss_after = trace.loss_after

    def parameter(self, name: str) -> ParameterValues:
        p = self.names.lookup(arguments.name(name))
        if isinstance(p, Neuron):
            raise UsageError(f"'{name}' is a neuron, not a parameter: use .neuron('{name}')")
        lt = self.trace.layer(p.layer)
        return ParameterValues(p.name, p.kind, p.of(lt), p.of(lt, "gradient"), p.of(lt, "updated"))

    def neuron(self, name: str) -> NeuronValues:
        n = self.names.lookup(arguments.name(name, "a neuron", "h1"))
        if not isinstance(n, Neuron):
            raise UsageError(f"'{name}' is a parameter, not a neuron: use .parameter('{name}')")
        if n.layer == 0:
            col = self.trace.X[:, n.index].tolist()
            return NeuronValues(n.name, col, col, [0.0] * len(col))
        lt = self.trace.layer(n.layer)
        return NeuronValues(n.name, lt.net[:, n.index].tolist(), lt.out[:, n.index].tolist(),
                            lt.delta[:, n.index].tolist())

    def value(self, name: str) -> float:
        """Any number of this iteration by the name ``check --claims`` reads, at full precision.

        Per-sample quantities are the batch's first sample's unless the name ends in ``@N``;
        parameters are named in any notation stepnet reads, ``d`` or ``∂`` alike.  A name
        that is no quantity of this network is a :class:`~stepnet.errors.UsageError`
        naming the closest one.

        >>> import stepnet
        >>> it = stepnet.run(stepnet.example("mazur")).iterations[0]
        >>> round(it.value("out_o1"), 9), round(it.value("dE_total/dw5"), 9), round(it.value("w5+"), 9)
        (0.75136507, 0.082167041, 0.35891648)
        >>> round(it.value("∂E_total/∂out_h1"), 9) == round(it.value("dE_o1/dout_h1") + it.value("dE_o2/dout_h1"), 9)
        True
        >>> it.value("delta_o3")
        Traceback (most recent call last):
        ...
        stepnet.errors.UsageError: unknown quantity 'delta_o3' (did you mean 'delta_o2' or 'delta_o1' or 'delta_h2'?)
        """
        from .derive.quantities import value

        return value(arguments.quantity(self.names, name, self.trace.batch_size), self.trace)

    def __repr__(self) -> str:
        return f"<Iteration {self.number}: loss {self.loss!r}>"


class Explanation:
    """A derivation: ``str()`` gives text, Jupyter shows Markdown with math."""

    def __init__(self, derivation: Derivation, fmt: Formatter) -> None:
        self.derivation = derivation
        self.fmt = fmt

    def __str__(self) -> str:
        from .render.text import render_text

        return render_text(lambda r: r.derivation(self.derivation), self.fmt)

    def to_markdown(self, flavor: str = "github") -> str:
        from .render.markdown import derivation_markdown

        return derivation_markdown(self.derivation, self.fmt, arguments.flavor(flavor))

    def to_dict(self) -> dict:
        """The whole derivation as plain data: what ``stepnet explain --format json`` writes under "derivation"."""
        from .render.explain_json import derivation_object

        return derivation_object(self.derivation, self.fmt)

    def _repr_markdown_(self) -> str:
        return self.to_markdown("jupyter")


class Run:
    """The result of :func:`run`: traced iterations, every loss, and the final network."""

    def __init__(self, trace: RunTrace, fmt: Formatter | None = None) -> None:
        self.trace = trace
        self.config: NetworkConfig = trace.config
        self.names = Names(trace.config)
        self.fmt = fmt or Formatter()
        self.iterations = [Iteration(it, self.names) for it in trace.iterations]
        self.final_loss = trace.final_loss

    @cached_property
    def losses(self) -> list[float]:
        """Every iteration's loss, before its update (a list made when first read)."""
        return self.trace.losses.tolist()

    def iteration(self, number: int | None = None) -> Iteration:
        """Traced iteration ``number`` (default: the first traced), as ``iterations[i]`` gives it."""
        return Iteration(self.traced(number), self.names)

    def traced(self, number: int | None = None) -> IterationTrace:
        """The engine's record of traced iteration ``number``; a UsageError when it was not traced."""
        if not self.trace.iterations:
            raise UsageError("no iteration was traced")
        if arguments.iteration(number) is None:
            return self.trace.iterations[0]
        it = self.trace.traced(number)
        if it is None:
            traced = ", ".join(str(i.iteration) for i in self.trace.iterations)
            if not 1 <= number <= self.trace.done:
                raise UsageError(f"iteration {number} is outside this run (1 to {self.trace.done})",
                                 hint="raise --iterations, or pick one of the traced iterations: " + traced)
            raise UsageError(f"iteration {number} was run but not traced (traced: {traced})",
                             hint=f"add --trace {number}")
        return it

    def explain(self, name: str, iteration: int | None = None, check: bool = True,
                view: str = "scalar") -> Explanation:
        """One parameter's, neuron's or quantity's derivation (any name ``check --claims`` reads);
        ``view="matrix"`` adds a parameter's layer's general formula."""
        from .derive.views import explain_in_view

        it = self.traced(iteration)
        derivation = explain_in_view(it, self.names, arguments.name(name), self.fmt, check, arguments.view(view))
        return Explanation(derivation, self.fmt)

    def report(self, limits=None, view: str = "scalar"):
        """The worked run: a line per neuron and parameter, or (``view="matrix"``) a matrix equation per layer."""
        from .derive.report import build_report

        return build_report(self.trace, self.names, self.fmt, arguments.limits(limits, self.names),
                            view=arguments.view(view))

    def to_json(self) -> str:
        from .render.json import dumps, run_object

        return dumps(run_object(self.trace, self.names))

    def to_markdown(self, flavor: str = "github", limits=None, view: str = "scalar") -> str:
        from .render.markdown import report_markdown

        return report_markdown(self.report(limits, view), self.fmt, arguments.flavor(flavor))

    def to_text(self, width: int = 100, limits=None, view: str = "scalar") -> str:
        from .render.text import render_text

        width = arguments.width(width)
        report = self.report(limits, view)
        return render_text(lambda r: r.report(report), self.fmt, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown("jupyter")

    def __repr__(self) -> str:
        return f"<stepnet.Run {self.config.name!r}: {self.trace.done} iterations, final loss {self.final_loss!r}>"


def _checked(config: ConfigSource, iterations, epochs, trace, carry, precision, sig) -> NetworkConfig:
    """The config of a run, its arguments checked first and its planned length after it is read."""
    arguments.run_arguments(iterations, epochs, trace, carry, precision, sig)
    cfg = load(config)
    arguments.planned_epochs(epochs, cfg)
    return cfg


def run(
    config: ConfigSource,
    iterations: int | None = None,
    *,
    epochs: int | None = None,
    trace: str | None = None,
    carry: int | None = None,
    precision: int = 9,
    sig: int | None = None,
    progress=None,
    raise_on_divergence: bool = False,
    carry_sig: int | None = None,
) -> Run:
    """Train ``config`` for ``iterations`` updates (or ``epochs`` passes) and keep the worked trace.

    ``trace`` picks the iterations recorded in full ('all', 'first,last', '1,5,10');
    ``carry`` rounds every intermediate to that many decimals (hand mode), ``carry_sig``
    to that many significant digits instead.
    """
    cfg = _checked(config, iterations, epochs, trace, carry, precision, sig)
    result = Run(train(cfg, iterations=iterations, epochs=epochs, trace=trace, carry=carry, progress=progress,
                       carry_sig=carry_sig), Formatter(precision, sig))
    if raise_on_divergence and result.trace.divergence is not None:
        from .derive.run_summary import stop_reason

        raise DivergenceError(stop_reason(result.trace, result.names), run=result)
    return result


def stream(
    config: ConfigSource,
    iterations: int | None = None,
    *,
    on_iteration,
    on_start=None,
    epochs: int | None = None,
    trace: str | None = None,
    carry: int | None = None,
    precision: int = 9,
    sig: int | None = None,
    progress=None,
    carry_sig: int | None = None,
) -> Run:
    """Train as :func:`run` does, but hand each traced iteration to ``on_iteration`` as soon as it is
    complete instead of keeping it: memory stays at one traced iteration (and one float per iteration
    for the losses) however many are traced.  ``on_start``, if given, receives the initial
    (weights, biases) before the first update.

    The Run returned has every loss and the final network; its ``iterations`` is empty, and
    ``run.trace.streamed`` counts the iterations handed on.

    >>> import stepnet.api
    >>> seen = []
    >>> result = stepnet.api.stream(stepnet.example("mazur"), 3, trace="all",
    ...                             on_iteration=lambda it: seen.append(round(it.parameter("w5").updated, 9)))
    >>> seen[0], len(seen), result.trace.streamed, result.iterations
    (0.35891648, 3, 3, [])
    """
    cfg = _checked(config, iterations, epochs, trace, carry, precision, sig)
    names = Names(cfg)
    trace_run = train(cfg, iterations=iterations, epochs=epochs, trace=trace, carry=carry, progress=progress,
                      on_traced=lambda it: on_iteration(Iteration(it, names)), on_start=on_start, carry_sig=carry_sig)
    return Run(trace_run, Formatter(precision, sig))
