"""The report's data: layers carried by its tables and blocks, one heading, short reprs."""

from __future__ import annotations

import functools

import stepnet
from stepnet.derive.report_model import Table
from stepnet.render.markdown import MarkdownRenderer


@functools.lru_cache(maxsize=None)
def minibatch():
    return stepnet.run(stepnet.example("minibatch"), 2)


def test_every_layer_table_has_blocks_of_the_same_layer():
    report = minibatch().report()
    layers = {layer.name for layer in minibatch().config.layers}
    for section in report.iterations[0].sections:
        block_layers = {b.layer for b in section.blocks}
        for table in section.tables:
            assert table.layer is None or table.layer in layers & block_layers, (section.title, table.title)


def test_the_layer_of_a_table_is_data_not_its_title():
    report = minibatch().report()
    forward, _, backward, updates = report.iterations[0].sections
    assert [t.layer for t in forward.tables] == ["h", "o"]
    assert [t.layer for t in backward.tables] == ["o", "h"]
    assert [t.layer for t in updates.tables] == [None]
    assert [b.layer for b in backward.blocks][-1] == "h"


def test_the_heading_is_built_once_and_its_number_left_to_the_renderer():
    run = minibatch()
    first = run.report().iterations[0]
    text, loss = first.heading
    assert text.startswith("Iteration 1 (samples data[")
    assert loss == first.loss
    assert f"{text}{run.fmt(loss)}" in run.to_text(200)
    assert "## " + MarkdownRenderer().escape(f"{text}{run.fmt(loss)}") in run.to_markdown()


def test_reprs_are_short_and_say_what_they_are():
    run = minibatch()
    report = run.report()
    trace = run.trace
    objects = [trace, trace.iterations[0], trace.iterations[0].layers[0], report, report.iterations[0],
               report.iterations[0].sections[0], report.iterations[0].sections[0].blocks[0], report.setup,
               report.diagram]
    for obj in objects:
        text = repr(obj)
        assert text.startswith(type(obj).__name__ + "("), text
        assert len(text) < 120 and "array" not in text and "\n" not in text, text
    assert repr(Table("Layer h", ["net"], [[1.0]], layer="h")) == "Table('Layer h', layer='h', rows=1, columns=1)"
