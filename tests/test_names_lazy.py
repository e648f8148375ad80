"""Names parses lookups instead of tabulating every alias: it must answer exactly as the table did.

The oracle below is the former eager implementation: every parameter with every alias, in
a dict where a later entry replaces an earlier one and neuron names come last.
"""

from __future__ import annotations

import itertools
import random

import pytest

from stepnet.config.model import Layer, NetworkConfig, Notation, Sample
from stepnet.derive.index import Neuron, ParamIndex
from stepnet.derive.names import Names
from stepnet.derive.parser import NameParser
from stepnet.derive.symbols import Symbols
from stepnet.errors import UsageError


def _config(layers, style="flat", numbering="by_target", order="to_from") -> NetworkConfig:
    return NetworkConfig(
        name="t", layers=tuple(layers), data=(Sample((0.0,) * layers[0].size, (0.0,) * layers[-1].size),),
        learning_rate=0.1, notation=Notation(style, numbering, order),
    )


def _eager_params(names: Names) -> list:
    params, wcount, bcount = [], 0, 0
    for li in range(1, len(names.layers)):
        layer, below = names.layers[li], names.layers[li - 1]
        if names.numbering == "by_source":
            pairs = [(j, i) for i in range(below.size) for j in range(layer.size)]
        else:
            pairs = [(j, i) for j in range(layer.size) for i in range(below.size)]
        for j, i in pairs:
            wcount += 1
            params.append(names._weight(li, j, i, wcount))
        if layer.bias == "shared":
            bcount += 1
            params.append(names._bias(li, None, bcount))
        elif layer.bias == "per_neuron":
            for j in range(layer.size):
                bcount += 1
                params.append(names._bias(li, j, bcount))
    return params


def _eager_aliases(names: Names, p) -> list[str]:
    letter = "w" if p.kind == "weight" else "b"
    out = [p.name.lower(), f"{letter}{p.flat}"]
    if p.kind == "weight":
        a, b = names._indices(p.layer, p.to, p.source)
        for sub in {f"{a}{b}", f"{a},{b}", f"{{{a}{b}}}", f"{{{a},{b}}}"}:
            for lay in (f"({p.layer})", f"^({p.layer})", f"^{{({p.layer})}}", f"^{p.layer}", f"^{{{p.layer}}}"):
                out.append(f"w{lay}_{sub}")
        out.append(f"{names.neuron_name(p.layer - 1, p.source)}->{names.neuron_name(p.layer, p.to)}".lower())
    elif p.to is None:
        out += [f"b({p.layer})", f"b^({p.layer})", f"b^{{({p.layer})}}"]
    else:
        for lay in (f"({p.layer})", f"^({p.layer})", f"^{{({p.layer})}}"):
            out += [f"b{lay}_{p.to + 1}", f"b{lay}_{{{p.to + 1}}}"]
    return out


def _eager_table(names: Names) -> dict:
    table = {}
    for p in _eager_params(names):
        for alias in _eager_aliases(names, p):
            table[alias] = p
    for li, layer in enumerate(names.layers):
        for j in range(layer.size):
            n = Neuron(li, j, f"{layer.name}{j + 1}")
            table[n.name.lower()] = n
    return table


BIASES = ("per_neuron", "shared", "none")
NOTATIONS = [(s, n, o) for s in ("flat", "indexed") for n in ("by_target", "by_source") for o in ("to_from", "from_to")]
SHAPES = [
    [("i", 2), ("h", 2), ("o", 2)],
    [("i", 12), ("h", 11), ("o", 3)],  # two-digit indices: w(1)_111 is both 1,11 and 11,1
    [("x", 1), ("h", 13), ("H", 10), ("o", 1)],  # layer names equal but for case
    [("i", 3), ("W", 12), ("B", 2)],  # neuron names that look like flat parameter names
    [("in", 10), ("hid", 10), ("hid", 10), ("out", 2)],
]


def _networks():
    rng = random.Random(3)
    for shape, (style, numbering, order) in itertools.product(SHAPES, NOTATIONS):
        layers = [Layer(shape[0][0], shape[0][1])]
        layers += [Layer(n, s, "sigmoid", rng.choice(BIASES)) for n, s in shape[1:]]
        yield _config(layers, style, numbering, order)


def _mutations(key: str, rng: random.Random) -> list[str]:
    out = [key + "0", "0" + key, key[:-1], key.replace("1", "01"), key.upper(), key + "1", key.replace("(", "{")]
    k = list(key)
    if len(k) > 2:
        i = rng.randrange(len(k))
        out.append("".join(k[:i] + k[i + 1:]))
        out.append("".join(k[:i] + [rng.choice("0123456789(){}^_,wbhio->")] + k[i:]))
    return out


@pytest.mark.parametrize("config", list(_networks()),
                         ids=lambda c: f"{'-'.join(layer.name + str(layer.size) for layer in c.layers)}-"
                                       f"{c.notation.style}-{c.notation.numbering}-{c.notation.index_order}")
def test_lookup_answers_as_the_eager_table(config):
    names = Names(config)
    table = _eager_table(names)
    params = _eager_params(names)
    assert list(names.params) == params
    assert len(names.params) == len(params)
    assert [names.params[k] for k in range(-len(params), len(params))] == params + params
    assert names.params[3:9] == params[3:9]
    for li in range(len(config.layers) + 1):
        assert list(names.layer_params(li)) == [p for p in params if p.layer == li]
    for p in params:
        assert p in names.params and names.params.index(p) == params.index(p)
        if p.kind == "weight":
            assert names.weight(p.layer, p.to, p.source) == p
        assert names.canonical(p.name.upper()) == p
    rng = random.Random(5)
    keys = set(table)
    for key in list(table):
        keys.update(_mutations(key, rng))
    keys.update(["w0", "b0", "w", "b", "w()_11", "w(0)_11", "w(1)_", "w(1)_1,", "w(1)_{1,1", "h0", "i1->o1", "x1->h1",
                 "w٥"])
    for key in sorted(keys):
        assert names._find(key) == table.get(key), key
    assert names.valid_names() == [p.name for p in params] + [
        f"{layer.name}{j + 1}" for layer in config.layers for j in range(layer.size)]


def test_bias_and_weight_edges():
    names = Names(_config([Layer("i", 2), Layer("h", 3, "sigmoid", "per_neuron"), Layer("o", 1, "sigmoid", "shared")]))
    assert names.bias(1, 5) is None and names.bias(1, None) is None and names.bias(1, 2).name == "b3"
    assert names.bias(2, 7).name == "b4"  # a shared bias whatever the neuron
    with pytest.raises(KeyError):
        names.weight(1, 3, 0)
    with pytest.raises(KeyError):
        names.weight(0, 0, 0)


def test_unknown_name_message_unchanged():
    names = Names(_config([Layer("i", 2), Layer("h", 2, "sigmoid", "shared"), Layer("o", 2, "sigmoid", "shared")]))
    every = "w1, w2, w3, w4, b1, w5, w6, w7, w8, b2, i1, i2, h1, h2, o1, o2"
    with pytest.raises(UsageError) as err:
        names.lookup("w55")
    assert err.value.format() == ("no parameter or neuron named 'w55' in this network\n"
                                  f"  hint: did you mean 'w5'? valid names: {every}")
    with pytest.raises(UsageError) as err:
        names.lookup("H 11")
    assert err.value.format() == f"no parameter or neuron named 'H 11' in this network\n  hint: valid names: {every}"
    assert names.lookup(" H 1 → O 2 ") == names.weight(2, 1, 0)


def test_wide_network_costs_little():
    """100,000 parameters: names are made when asked for, not up front."""
    import tracemalloc

    config = _config([Layer("i", 784), Layer("h", 128, "sigmoid", "per_neuron"),
                      Layer("o", 10, "sigmoid", "per_neuron")])
    tracemalloc.start()
    names = Names(config)
    assert names.lookup("w100000").name == "w100000"
    assert names.lookup("i784->h128") == names.weight(1, 127, 783)
    assert names.summary_of_names() == ", ".join(f"w{n}" for n in range(1, 25)) + ", … (102668 more)"
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(names.params) == 784 * 128 + 128 + 128 * 10 + 10
    assert peak < 1_000_000


def test_five_million_parameters_cost_little():
    """Reading, finding and counting the parameters of a huge layer makes only those asked for."""
    import tracemalloc

    config = _config([Layer("i", 2500), Layer("h", 2000, "sigmoid", "per_neuron"),
                      Layer("o", 1, "sigmoid", "shared")], "indexed")
    tracemalloc.start()
    names = Names(config)
    last = names.weight(1, 1999, 2499)
    assert names.lookup("i2500->h2000") == last == names.params[4_999_999] == names.layer_params(1)[4_999_999]
    assert names.lookup("w(1)_2000,2500") == last and names.params.index(last) == 4_999_999
    assert names.lookup("b(2)") == names.params[-1] and names.lookup("w5002000").name == "w(2)_1,2000"
    assert names.summary_of_names().endswith(", … (5008478 more)")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(names.params) == 2500 * 2000 + 2000 + 2000 + 1
    assert peak < 1_000_000


def test_each_part_works_alone():
    config = _config([Layer("i", 2), Layer("h", 2, "sigmoid", "per_neuron"),
                      Layer("o", 2, "sigmoid", "shared")], "indexed")
    names = Names(config)
    assert ParamIndex(config).params == names.params and ParamIndex(config).weight(2, 1, 0) == names.weight(2, 1, 0)
    assert NameParser(config).lookup("h1->o2") == names.weight(2, 1, 0) == names.lookup("w^{(2)}_{21}")
    symbols = Symbols(config)
    assert (symbols.delta(1, 1).unicode, symbols.out(0, 1).latex,
            symbols.param(names.bias(2, None), updated=True).latex) == ("δ_h2", "i_{2}", "b^{(2)+}")
