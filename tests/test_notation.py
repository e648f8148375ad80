"""Notation presets (mazur, nielsen, indexed) and symbols: names change, numbers never do."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace

import pytest

import rendercheck
import stepnet
from stepnet.api import load
from stepnet.config.load import parse_config_text
from stepnet.config.model import Notation
from stepnet.derive.limits import Limits, pick_params
from stepnet.derive.notation import Letter
from stepnet.derive.quantities import all_quantities
from stepnet.derive.quantity_names import in_tutorial_words, notation_forms_hint, quantity_name
from stepnet.derive.quantity_parser import parse
from stepnet.derive.report import build_report
from stepnet.derive.views import explain_in_view
from stepnet.errors import ConfigError
from stepnet.render.markdown import derivation_markdown, report_markdown
from stepnet.render.text import render_text

OVERRIDES = (("net", "s"), ("out", "y"), ("loss", "L"), ("rate", "alpha"), ("target", "t"), ("input", "x"))
NOTATIONS = {
    "flat": Notation("flat"),
    "mazur": Notation("mazur"),
    "indexed": Notation("indexed"),
    "nielsen": Notation("nielsen"),
    "flat-symbols": Notation("flat", symbols=OVERRIDES),
    "nielsen-symbols": Notation("nielsen", symbols=(("input", "x"), ("loss", "J"), ("weight", "theta"))),
}
MAZUR_TEXT = stepnet.example("mazur").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def run_in(example: str, notation: str, iterations: int = 1):
    return stepnet.run(replace(load(example), notation=NOTATIONS[notation]), iterations=iterations)


def _decimals(text: str) -> list[str]:
    """Every decimal number of a text, in order (names such as w5 or h1 have none)."""
    return re.findall(r"[−-]?\d+\.\d+", text)


def _numbers(obj, path=""):
    """Every number of a JSON object with where it sits, names left out."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key not in ("name", "notation", "layer"):
                yield from _numbers(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for k, value in enumerate(obj):
            yield from _numbers(value, f"{path}[{k}]")
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield path, obj


# ---------------------------------------------------------------- the config


@pytest.mark.parametrize("style", ["flat", "mazur", "indexed", "nielsen"])
def test_every_style_loads(style):
    assert parse_config_text(MAZUR_TEXT.replace("notation: flat ", f"notation: {style} ")).notation == Notation(style)


def test_symbols_mapping_loads_in_file_order():
    symbols = "{style: flat, symbols: {net: s, out: y, loss: L, rate: alpha}}"
    text = MAZUR_TEXT.replace("notation: flat ", f"notation: {symbols} ")
    notation = parse_config_text(text).notation
    assert notation.symbols == (("net", "s"), ("out", "y"), ("loss", "L"), ("rate", "alpha"))
    assert notation.overrides["rate"] == "alpha"


CLASHES = [
    ("{style: flat, symbols: {out: h}}", "notation.symbols.out", "also the name of layer 'h'"),
    ("{style: flat, symbols: {net: s, target: s}}", "notation.symbols.target", "would stand for both"),
    ("{style: flat, symbols: {target: out}}", "notation.symbols.target", "would stand for both"),
    ("{style: flat, symbols: {net: out}}", "notation.symbols.net", "would stand for both"),
    ("{style: flat, symbols: {loss: E, target: e}}", "notation.symbols.target", "is taken"),
    ("{style: nielsen, symbols: {loss: Y}}", "notation.symbols.loss", "would stand for both"),
    ("{style: flat, symbols: {cost: L}}", "notation.symbols.cost", "unknown symbol role 'cost'"),
    ("{style: flat, symbols: {rate: mu}}", "notation.symbols.rate", "is taken: μ is the momentum"),
    ("{style: flat, symbols: {net: 's1'}}", "notation.symbols.net", "expected a symbol of 1 to 8 letters"),
    ("{style: flat, symbols: {loss: L_1_2}}", "notation.symbols.loss", "expected a symbol of letters"),
    ("{style: flat, symbols: [net, s]}", "notation.symbols", "expected a mapping from role to symbol"),
]


@pytest.mark.parametrize("notation, key, message", CLASHES, ids=[c[2][:20] + c[1] for c in CLASHES])
def test_clashes_are_config_errors_at_their_line(notation, key, message):
    text = MAZUR_TEXT.replace("notation: flat ", f"notation: {notation} ")
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, "bad.yaml")
    error = caught.value
    assert error.line == 6 and error.key == key, str(error)
    assert message in str(error)
    assert error.hint or "expected" in message


def test_a_nielsen_symbol_equal_to_a_layer_name_is_an_error_with_its_line():
    text = MAZUR_TEXT.replace("notation: flat ", "notation: nielsen ").replace("{name: h,", "{name: a,")
    text = text.replace("  h: [[", "  a: [[").replace("biases: {h:", "biases: {a:")
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, "bad.yaml")
    assert caught.value.line == 6
    assert "the symbol 'a' (the activation (output) of a neuron) is also the name of layer 'a'" in str(caught.value)
    assert "rename the layer, or write notation.symbols.out" in caught.value.hint
    # the tutorial's notation keeps accepting any layer name it accepted before
    parse_config_text(text.replace("notation: nielsen ", "notation: flat "))


def test_greek_names_are_letters():
    assert (Letter.of("alpha").unicode, Letter.of("alpha").ascii, Letter.of("alpha").latex) == ("α", "alpha", "\\alpha")
    assert (Letter.of("Theta").unicode, Letter.of("Theta").latex) == ("Θ", "\\Theta")
    assert (Letter.of("Eta").unicode, Letter.of("Eta").latex) == ("Η", "H")  # LaTeX has no \Eta
    assert (Letter.of("net").latex, Letter.of("E_total").latex, Letter.of("L_2").latex) == (
        "\\mathrm{net}", "E_{\\mathrm{total}}", "L_{2}")
    assert Letter.of("theta").capital().unicode == "Θ" and Letter.of("w").capital().latex == "W"


# ---------------------------------------------------------------- the numbers


@pytest.mark.parametrize("notation", list(NOTATIONS))
@pytest.mark.parametrize("example", ["mazur", "minibatch", "softmax", "adam", "deep"])
def test_every_preset_has_mazurs_numbers(example, notation):
    base, other = run_in(example, "flat", 2), run_in(example, notation, 2)
    assert _decimals(other.to_text(width=200)) == _decimals(base.to_text(width=200))
    assert list(_numbers(json.loads(other.to_json()))) == list(_numbers(json.loads(base.to_json())))
    for flavor in ("github", "jupyter"):
        assert _decimals(other.to_markdown(flavor)) == _decimals(base.to_markdown(flavor))


def test_mazur_is_flat():
    assert run_in("mazur", "mazur").to_text() == run_in("mazur", "flat").to_text()
    assert run_in("mazur", "mazur").to_markdown() == run_in("mazur", "flat").to_markdown()
    final = [json.loads(run_in("mazur", style).to_json())["final"] for style in ("mazur", "flat")]
    assert final[0] == final[1]


# ---------------------------------------------------------------- the symbols in every output


def test_nielsen_names_and_spellings():
    names = run_in("mazur", "nielsen").names
    w = names.weight(2, 0, 0)
    assert (w.name, w.unicode, w.latex) == ("w^3_11", "w⁽³⁾₁₁", "w^{3}_{11}")
    sb = names.bias(1, None)
    assert (sb.name, sb.unicode, sb.latex) == ("b^2", "b⁽²⁾", "b^{2}")
    spell = lambda s: (s.unicode, s.ascii, s.latex)  # noqa: E731
    assert spell(names.net(1, 0)) == ("z⁽²⁾₁", "z^(2)_1", "z^{2}_{1}")
    assert spell(names.out(1, 0)) == ("a⁽²⁾₁", "a^(2)_1", "a^{2}_{1}")
    assert spell(names.out(0, 1)) == ("a⁽¹⁾₂", "a^(1)_2", "a^{1}_{2}")
    assert spell(names.delta(2, 0)) == ("δ⁽³⁾₁", "delta^(3)_1", "\\delta^{3}_{1}")
    assert spell(names.target(0)) == ("y₁", "y_1", "y_{1}")
    assert spell(names.error()) == ("C", "C", "C")
    assert spell(names.param(w, updated=True)) == ("w⁽³⁾₁₁⁺", "w^(3)_11+", "{w^{3}_{11}}^{+}")
    from stepnet.derive.expr import Partial
    from stepnet.derive.latex import LatexPrinter

    assert LatexPrinter().doprint(Partial(names.error(), names.param(w))) == "\\frac{\\partial C}{\\partial w^{3}_{11}}"
    assert names.param_names(2) == ["w^3_11", "w^3_12", "w^3_21", "w^3_22", "b^3"]


def test_every_renderer_uses_the_symbols():
    run = run_in("softmax", "flat-symbols")
    text, md, js = run.to_text(width=200), run.to_markdown("github"), json.loads(run.to_json())
    for word in (r"E_total", r"net_", r"out_", r"\btarget\b", r"∂E", r"η"):
        assert not re.search(word, text), word
    for tex in ("\\mathrm{net}", "\\mathrm{out}", "E_{\\mathrm{total}}", "\\eta", "\\mathrm{target}"):
        assert tex not in md, tex
    assert "δ_o1 = ∂L⁽¹⁾/∂s_o1" in text and "learning rate α" in text and "α · ∂L/∂w1" in text and "x_i1" in text
    assert "\\frac{\\partial L}{\\partial w_{1}}" in md and "\\alpha" in md
    assert js["network"]["notation"] == "flat" and js["iterations"][0]["parameters"][0]["name"] == "w1"
    theta = json.loads(run_in("mazur", "nielsen-symbols").to_json())
    assert [p["name"] for p in theta["iterations"][0]["parameters"]][:2] == ["theta^2_11", "theta^2_12"]


def test_notes_and_tables_follow_the_notation():
    text = run_in("mazur", "nielsen").to_text(width=200)
    assert "C = Σ ½(y − a)²" in text and "∂C/∂a" in text and "C after the update" in text
    assert "Σ_k δ⁽³⁾ₖ·w⁽³⁾ₖ₁" in text
    fused = run_in("softmax", "nielsen").to_text(width=200)
    assert "∂C/∂z = ∂C/∂a · ∂a/∂z simplifies to a − y" in fused


# ---------------------------------------------------------------- names users type


@pytest.mark.parametrize("notation", list(NOTATIONS))
@pytest.mark.parametrize("example", ["mazur", "deep", "minibatch", "softmax", "chain"])
def test_every_quantity_name_reads_back(example, notation):
    run = run_in(example, notation)
    names, batch = run.names, run.config.effective_batch_size
    for q in all_quantities(names, batch):
        for unicode in (False, True):
            assert parse(quantity_name(q, names, unicode), names) == q, quantity_name(q, names, unicode)


@pytest.mark.parametrize("typed, kind", [
    ("dC/dw^3_11", "grad"), ("∂C/∂w⁽³⁾₁₁", "grad"), ("z^2_1", "net"), ("a^1_2", "out"), ("\\delta^{3}_{1}", "delta"),
    ("δ⁽³⁾₁", "delta"), ("y_2", "target"), ("C_1", "E"), ("C", "E_total"), ("C+", "E_after"), ("w^3_11+", "param+"),
    ("dC_1/da^2_1", "path"), ("dz^3_1/dw^3_11", "dnet_dparam"), ("dE_total/dw5", "grad"), ("net_h1", "net"),
])
def test_nielsen_names_users_type(typed, kind):
    assert parse(typed, run_in("mazur", "nielsen").names).kind == kind


@pytest.mark.parametrize("typed, kind", [("dL/dw5", "grad"), ("s_h1", "net"), ("y_o1", "out"), ("t_o2", "target"),
                                         ("x_i1", "out"), ("L_o1", "E"), ("L", "E_total"), ("dL/ds_o1", "delta")])
def test_symbols_users_type(typed, kind):
    assert parse(typed, run_in("mazur", "flat-symbols").names).kind == kind


def test_lookup_follows_the_notation():
    nielsen = run_in("mazur", "nielsen").names
    w = nielsen.weight(2, 0, 1)
    for typed in ("w^3_12", "w⁽³⁾₁₂", "W^{3}_{12}", "w(3)_12", "w6", "h2->o1"):
        assert nielsen.lookup(typed) == w, typed
    assert nielsen.lookup("b^2") == nielsen.bias(1, None) and nielsen.lookup("b⁽³⁾") == nielsen.bias(2, None)
    theta = run_in("mazur", "nielsen-symbols").names
    assert theta.lookup("theta^3_12") == theta.lookup("θ⁽³⁾₁₂") == theta.lookup("w6") == theta.weight(2, 0, 1)
    assert in_tutorial_words("dJ/dtheta^3_12", theta) == "dE_total/dtheta^3_12"


def test_only_and_params_follow_the_notation():
    names = run_in("mazur", "nielsen").names
    chosen, hidden = pick_params(names, names.layer_params(2), 1, frozenset({"w^3_22"}))
    assert [names.layer_params(2)[i].name for i in chosen] == ["w^3_11", "w^3_22"] and hidden == 3
    report = build_report(run_in("mazur", "nielsen").trace, names, limits=Limits(params=1, only=frozenset({"w^3_22"})))
    shown = [row[0].unicode for row in report.iterations[0].sections[3].tables[0].rows]
    # no layer of mazur is wide, so every parameter's update is shown whatever the limit on parameters
    assert shown == [p.unicode for li in (1, 2) for p in names.layer_params(li)]


def test_hints_and_messages_speak_the_notation():
    names = run_in("mazur", "nielsen").names
    assert "dC/dw^3_11" in notation_forms_hint(names)
    with pytest.raises(ValueError, match="such as z\\^2_1 or a\\^2_1"):
        parse("h1", names)
    with pytest.raises(ValueError, match="did you mean 'dC/dw\\^3_"):
        parse("dC/dw^3_1l", names)


def test_nielsen_example_checks_its_claims_in_its_own_names():
    from click.testing import CliRunner

    from stepnet.cli import main

    result = CliRunner().invoke(main, ["check", "nielsen", "--claims"])
    assert "✓ dC/dw^2_11 = 0.000438568" in result.output and "✓ w^3_11+ = 0.35891648" in result.output
    assert "4 of 15 claims do not agree" in result.output


# ---------------------------------------------------------------- goldens and rendering


def test_nielsen_golden(golden):
    run = run_in("mazur", "nielsen")
    golden("nielsen.txt", run.to_text())
    golden("nielsen.github.md", run.to_markdown("github"))


def test_nielsen_explain_golden(golden):
    run = run_in("mazur", "nielsen")
    derivation = explain_in_view(run.trace.iterations[0], run.names, "w^3_11", run.fmt, check=False)
    golden("explain_nielsen_w311.txt", render_text(lambda r: r.derivation(derivation), run.fmt))


def test_symbols_golden(golden):
    golden("symbols.txt", run_in("mazur", "flat-symbols").to_text())


def test_explain_in_the_tutorials_notation_is_unchanged():
    run = stepnet.run(stepnet.example("mazur"))
    derivation = explain_in_view(run.trace.iterations[0], run.names, "w5", run.fmt)
    assert render_text(lambda r: r.derivation(derivation), run.fmt) == str(run.explain("w5"))


@pytest.mark.node
def test_every_preset_renders_in_katex_and_mathjax():
    docs = []
    for notation in NOTATIONS:
        for example in ("mazur", "softmax", "adam"):
            run = run_in(example, notation)
            docs.append(run.to_markdown("github"))
            rep = build_report(run.trace, run.names, run.fmt, view="matrix")
            docs.append(report_markdown(rep, run.fmt, "github"))
        run = run_in("mazur", notation)
        for name in ("w1", "b2", "h1"):
            for view in ("scalar", "matrix"):
                d = explain_in_view(run.trace.iterations[0], run.names, name, run.fmt, check=False, view=view)
                docs.append(derivation_markdown(d, run.fmt, "github"))
    math = sorted({(tex.strip(), display) for md in docs for tex, display in rendercheck.extract_math(md, "github")})
    answer = rendercheck.run_check(math, [])
    assert [(m[0][:80], e) for m, e in zip(math, answer["math"], strict=True) if e] == []
    assert all(rendercheck.markdown_hazards(md, "github") == [] for md in docs)


def test_ascii_output_is_ascii():
    run = run_in("mazur", "nielsen")
    report = run.report()
    text = render_text(lambda r: r.report(report), run.fmt, ascii_only=True)
    assert text.isascii() and "z^(2)_1 = w^(2)_11*a^(1)_1" in text


# ---------------------------------------------------------------- claims, hand mode and ranges in the notation


def test_likely_causes_name_quantities_in_the_notation():
    from stepnet.config.model import Claim
    from stepnet.verify.claims import judge_claims

    run = run_in("mazur", "nielsen")
    claims = [Claim("z^2_1", "0.593269992", 0.593269992), Claim("dC/da^2_1", "0.036350307", 0.036350307),
              Claim("dC_1/da^2_1", "0.055399425", 0.055399425)]
    other, carried, _ = judge_claims(run.config, claims)
    assert other.name == "z^2_1" and other.cause.endswith("iteration 1: a^2_1 = 0.593269992")
    assert "the text's own dC_1/da^2_1 = 0.055399425 gives 0.036350307" in carried.cause
    theta = run_in("mazur", "nielsen-symbols")
    (result,) = judge_claims(theta.config, [Claim("dJ/dtheta^3_11", "0.0821671041", 0.0821671041)])
    assert result.name == "dJ/dtheta^3_11" and "a digit inserted" in result.cause


def test_an_unknown_claim_is_hinted_in_the_notation():
    from stepnet.config.model import Claim
    from stepnet.verify.claims import resolve_all

    config = run_in("mazur", "nielsen-symbols").config
    with pytest.raises(ConfigError) as caught:
        resolve_all(config, [Claim("J_9", "0.1", 0.1)])
    assert "dJ/dtheta^3_11" in caught.value.hint and "E_total" not in caught.value.hint.split(";")[0]


def test_compare_carry_rows_are_named_in_the_notation():
    from stepnet.verify.handmode import compare_carry, summary, table

    cmp = compare_carry(run_in("mazur", "nielsen").config, 4)
    assert [(r.name, r.ascii) for r in cmp.rows[:2]] == [("z⁽²⁾₁", "z^2_1"), ("a⁽²⁾₁", "a^2_1")]
    assert "first differs from full precision at dC_2/da^2_1" in summary(cmp, ascii_only=True)
    assert "∂C₂/∂a⁽²⁾₁" in summary(cmp)
    assert table(cmp).row_count == len(cmp.rows)


WIDE_THETA = {"name": "wide", "notation": {"style": "flat", "symbols": {"weight": "theta"}},
              "layers": [{"name": "i", "size": 3}, {"name": "h", "size": 12, "activation": "tanh"},
                         {"name": "o", "size": 2, "activation": "sigmoid"}],
              "init": {"method": "xavier", "seed": 1}, "learning_rate": 0.5,
              "data": [{"inputs": [0.1, 0.2, 0.3], "targets": [0.0, 1.0]}]}


def _wide(notation) -> dict:
    return {**WIDE_THETA, "notation": notation}


def test_params_ranges_and_their_hint_use_the_runs_symbols(tmp_path):
    import yaml
    from click.testing import CliRunner

    from stepnet.cli import main

    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(WIDE_THETA), encoding="utf-8")
    out = CliRunner().invoke(main, ["run", str(path), "--width", "160"]).output
    # the first 8 neurons of h are shown with their weights θ1–θ24: the hint names the rest
    assert "parameters of layer h not shown: name them to see them (--params theta25-theta36,b9-b12)" in out
    shown = CliRunner().invoke(main, ["run", str(path), "--width", "160", "--params", "θ17-θ36,b1-b12"]).output
    assert "∂E_total/∂θ17 =" in shown and "∂E_total/∂θ36 =" in shown and "∂E_total/∂b12 =" in shown
    assert "parameters of layer h not shown" not in shown
    checked = CliRunner().invoke(main, ["check", str(path), "--params", "theta1-theta3"]).output
    assert "Checking 3 of" in checked


def test_layered_ranges_are_read_against_the_network():
    from stepnet.cli.run import _expand_range
    from stepnet.derive.limits import params_hint, range_names

    run = stepnet.run(_wide({"style": "nielsen", "symbols": {"weight": "theta"}}))
    names, params = run.names, run.names.layer_params(1)
    chosen, hidden = pick_params(names, params, 16, frozenset())
    assert params_hint(params, chosen) == "--params theta^2_62-theta^2_12,3,b^2_1-b^2_12"
    assert range_names(names, "theta^2_63-theta^2_72") == ["theta^2_63", "theta^2_71", "theta^2_72"]
    assert _expand_range("theta^2_63-theta^2_72", names) == ["theta^2_63", "theta^2_71", "theta^2_72"]
    assert _expand_range("theta^2_63-theta^2_72") == ["theta^2_63-theta^2_72"]  # read later, by the report
    with pytest.raises(Exception, match="runs backwards"):
        _expand_range("theta^2_72-theta^2_63", names)
    wide = pick_params(names, params, 16, frozenset({"theta^2_62-theta^2_12,3"}))
    assert wide == (list(range(36)), 12)  # every weight, none of the biases
    report = run.report(Limits(only=frozenset({"theta^2_12,1-theta^2_12,3"})))
    text = render_text(lambda r: r.report(report), run.fmt, width=200)
    assert "∂C/∂θ⁽²⁾₁₂,₁ =" in text and "∂C/∂θ⁽²⁾₁₂,₃ =" in text and "∂C/∂θ⁽²⁾₁₁,₃ =" not in text
    # h12 is shown for its named weights, so the hint names the neurons still hidden: h9 to h11
    assert "(--params theta^2_91-theta^2_11,3,b^2_9-b^2_11)" in text
