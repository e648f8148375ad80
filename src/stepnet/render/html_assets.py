"""The style sheet and the script an HTML page carries inline, so it opens anywhere, offline.

The page works without the script: sections fold with ``<details>``, links jump to
derivations, every iteration is on the page and listed in the contents.  The script
adds a bar to step through the iterations one at a time, makes whole table rows
clickable, opens a folded section when a link jumps into it, and puts everything back
on the page before printing.  The print style sheet drops the interactive parts, starts
each iteration on a new page, keeps tables and figures whole and fits them to the page.
"""

STYLE = """
:root { --ink: #1c2230; --muted: #5a6374; --rule: #dfe3ea; --soft: #f4f6f9; --accent: #1f5fae;
  --pos: #b8322a; --neg: #2360c4; --bias: #b48a16; --mark: #fff3bf; }
* { box-sizing: border-box; }
html { scroll-padding-top: 4.5rem; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
math { font-family: "Latin Modern Math", "STIX Two Math", "Cambria Math", "Libertinus Math", math; }
.page { display: grid; grid-template-columns: 14rem minmax(0, 1fr); gap: 2.5rem; max-width: 80rem;
  margin: 0 auto; padding: 2rem 1.5rem 4rem; }
.page.single { grid-template-columns: minmax(0, 1fr); max-width: 64rem; }
nav.toc { position: sticky; top: 1rem; align-self: start; max-height: calc(100vh - 2rem); overflow: auto;
  font-size: .88rem; line-height: 1.4; padding-right: .5rem; }
nav.toc p { margin: 0 0 .5rem; font-weight: 600; color: var(--muted); text-transform: uppercase;
  letter-spacing: .06em; font-size: .75rem; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc ol ol { padding-left: .9rem; margin: .15rem 0 .5rem; }
nav.toc li { margin: .2rem 0; }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover, nav.toc a:focus-visible { color: var(--accent); text-decoration: underline; }
main { min-width: 0; }
header h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .5rem; }
header .description { color: var(--muted); font-size: 1.08rem; margin: .3rem 0; }
h2 { font-size: 1.45rem; margin: 2.4rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.15rem; margin: 0; display: inline; }
h4 { font-size: 1rem; margin: 1.3rem 0 .4rem; }
a { color: var(--accent); }
.notes p, p.note { color: var(--muted); font-style: italic; }
details.section { margin: 1.2rem 0; border-left: 3px solid var(--rule); padding-left: 1rem; }
details.section > summary { cursor: pointer; list-style: none; padding: .2rem 0; }
details.section > summary::-webkit-details-marker { display: none; }
details.section > summary::before { content: "\\25B8"; display: inline-block; width: 1.1rem; color: var(--muted);
  transition: transform .15s; }
details.section[open] > summary::before { transform: rotate(90deg); }
details.section > summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.eq { margin: .45rem 0; padding: .15rem .3rem; overflow-x: auto; overflow-y: hidden; border-radius: 4px; }
.eq math[display="block"] { margin: .25rem 0; text-align: left; }
.eq math { font-size: 1.1em; }
.eq .value { color: #0d3f86; }
mtable.chain mtd.l { text-align: right; }
mtable.chain mtd.r { text-align: left; }
mtable.chain mtd { padding: .18em 0; }
.eq-note { margin: -.15rem 0 .55rem 2rem; color: var(--muted); font-size: .9rem; }
.eq-note.rounded { font-style: normal; color: #7a5200; }
.omitted { color: var(--muted); font-style: italic; }
.block-text { margin: .3rem 0 .6rem; }
.table-wrap { overflow-x: auto; }
table.data { border-collapse: collapse; margin: .7rem 0 1.3rem; font-size: .93rem;
  font-variant-numeric: tabular-nums; }
table.data caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .3rem; }
table.data th { text-align: left; font-weight: 600; padding: .3rem .8rem; border-bottom: 1.5px solid var(--ink);
  border-top: 1.5px solid var(--ink); }
table.data td { padding: .22rem .8rem; border-bottom: 1px solid var(--rule); vertical-align: baseline; }
table.data tbody tr:last-child td { border-bottom: 1.5px solid var(--ink); }
table.data .num { text-align: right; white-space: nowrap; }
table.data td a { text-decoration: none; }
table.data tr[data-href] { cursor: pointer; }
table.data tr[data-href]:hover td { background: var(--soft); }
table.setup th { border: 0; padding: .22rem 1.2rem .22rem 0; color: var(--muted); font-weight: 500; }
table.setup td { border: 0; padding: .22rem 0; }
table.setup tbody tr:last-child td { border: 0; }
:target { background: var(--mark); box-shadow: 0 0 0 3px var(--mark); }
figure { margin: 1rem 0 1.4rem; }
figure .scroll { overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figure svg.network { min-width: min(var(--natural), 100vw - 3rem); }
table.data math { font-size: 1.12em; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .4rem; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; text-anchor: middle;
  fill: var(--ink); font-variant-numeric: tabular-nums; }
svg .node rect { fill: #fff; stroke: var(--ink); stroke-width: 1.4; }
svg .node.input rect { fill: #eaf1fb; }
svg .node.more rect { fill: var(--soft); stroke: #8b93a3; stroke-dasharray: 3 3; }
svg .node text { font-size: 12px; font-weight: 600; }
svg .node.more text { font-weight: 400; fill: var(--muted); }
svg .caption { font-size: 12px; font-weight: 600; }
svg .caption.small { font-size: 11px; font-weight: 400; fill: var(--muted); }
svg line.edge.w { stroke: #7d879a; stroke-width: 1.2; }
svg line.edge.g { stroke-linecap: round; }
svg line.edge.pos { stroke: var(--pos); }
svg line.edge.neg { stroke: var(--neg); }
svg line.edge.zero { stroke: #9aa1ad; stroke-dasharray: 2 3; }
svg line.more { stroke: #b3bac6; stroke-dasharray: 3 4; }
svg line.bias { stroke: var(--bias); stroke-dasharray: 4 3; stroke-width: 1.1; }
svg .bias-node rect { fill: #fff7dc; stroke: var(--bias); }
svg .lbl rect { fill: #fff; fill-opacity: .9; stroke: none; }
svg .lbl.pos text { fill: #8f2019; }
svg .lbl.neg text { fill: #17479b; }
svg a.param { cursor: pointer; }
svg a.param:hover .lbl rect, svg a.param:focus .lbl rect,
svg a.param:hover .bias-node rect, svg a.param:focus .bias-node rect { stroke: var(--accent); stroke-width: 1.6; }
svg a.param:focus { outline: none; }
svg a.param:hover line.edge, svg a.param:focus line.edge { stroke: var(--accent); }
svg.chart .grid { stroke: var(--rule); }
svg.chart .axis, svg.chart .tickmark { stroke: var(--ink); fill: none; }
svg.chart .loss { stroke: var(--accent); stroke-width: 2; fill: none; stroke-linejoin: round; }
svg.chart .point { fill: var(--accent); }
svg.chart .tick.y { text-anchor: end; }
svg.chart .axis-label { fill: var(--muted); font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; list-style: none; padding: 0; margin: .4rem 0 0;
  font-size: .88rem; color: var(--muted); }
.legend .swatch { display: inline-block; width: 1.8rem; height: 0; vertical-align: middle; margin-right: .4rem;
  border-top: 3px solid; }
.legend .pos { border-color: var(--pos); }
.legend .neg { border-color: var(--neg); }
.legend .thin { border-top-width: 1px; border-color: var(--muted); }
.legend .thick { border-top-width: 7px; border-color: var(--muted); }
.final-loss { font-weight: 600; font-size: 1.05rem; }
.stopped { border: 2px solid var(--pos); color: var(--pos); padding: .6rem .9rem; border-radius: 6px;
  font-weight: 600; }
.toolbar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center;
  gap: .5rem; padding: .5rem .7rem; margin: 0 0 1rem; background: rgba(255, 255, 255, .95);
  border: 1px solid var(--rule); border-radius: 8px; font-size: .9rem; }
.toolbar[hidden] { display: none; }
.toolbar .spacer { flex: 1; }
.toolbar button, .toolbar select { font: inherit; padding: .2rem .6rem; border: 1px solid #b9c0cc;
  border-radius: 5px; background: #fff; color: var(--ink); }
.toolbar button:hover:not(:disabled) { background: var(--soft); }
.toolbar button:disabled { opacity: .45; }
.toolbar :focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid var(--rule); color: var(--muted);
  font-size: .85rem; }
@media (max-width: 62rem) {
  .page { grid-template-columns: minmax(0, 1fr); gap: 1rem; }
  nav.toc { position: static; max-height: none; }
}
@media print {
  @page { size: A4; margin: 15mm 13mm 16mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  html { scroll-padding-top: 0; }
  body { font-size: 10pt; }
  .page { display: block; max-width: none; padding: 0; }
  nav.toc, .toolbar, .screen-only { display: none !important; }
  section.iteration { display: block !important; break-before: page; }
  section.whole-run { break-before: page; }
  details.section { border-left: 0; padding-left: 0; }
  details.section > summary::before { content: none; }
  h2, h3, h4, summary { break-after: avoid; }
  table.data, figure, .eq, .eq-note, .legend { break-inside: avoid; }
  .eq { overflow: visible; }
  figure .scroll, .table-wrap { overflow: visible; }
  figure svg { width: 100%; max-height: 235mm; }
  figure svg.network { min-width: 0; }
  figure.wide, section.wide { page: wide; }
  @page wide { size: A4 landscape; margin: 12mm; }
  a { color: inherit; text-decoration: none; }
  :target { background: none; box-shadow: none; }
  table.data tr[data-href]:hover td { background: none; }
  svg .lbl rect { fill-opacity: 1; }
  footer { break-inside: avoid; }
}
"""

# added to STYLE on a page with matrices: the numbers of a matrix in right-aligned columns (Chromium aligns
# the math in a cell by its -webkit- value only), the marks of a cut centred
MATRIX_STYLE = """mtable.grid mtd { text-align: right; text-align: -webkit-right; padding: .06em .45em; }
mtable.grid mtd.mark { text-align: center; text-align: -webkit-center; }
.eq.matrix { padding: .3rem .3rem; }
"""

SCRIPT = """
(function () {
  "use strict";
  var doc = document;
  var iterations = Array.prototype.slice.call(doc.querySelectorAll("section.iteration"));
  var bar = doc.getElementById("toolbar");
  var pick = doc.getElementById("iteration-pick");
  var back = doc.getElementById("iteration-back");
  var next = doc.getElementById("iteration-next");
  var current = 0;
  var stepping = iterations.length > 1;
  if (bar) { bar.hidden = false; }
  if (!stepping) {
    Array.prototype.forEach.call(doc.querySelectorAll(".stepper"), function (el) { el.hidden = true; });
  }

  function retarget() {
    var prefix = iterations.length ? iterations[current].getAttribute("data-prefix") : "";
    Array.prototype.forEach.call(doc.querySelectorAll("[data-anchor]"), function (el) {
      if (el.closest("section.iteration")) { return; }
      var id = prefix + el.getAttribute("data-anchor");
      if (!doc.getElementById(id)) { return; }
      if (el.tagName.toLowerCase() === "tr") {
        el.setAttribute("data-href", "#" + id);
        Array.prototype.forEach.call(el.querySelectorAll("a[href]"), function (a) {
          a.setAttribute("href", "#" + id);
        });
      } else { el.setAttribute("href", "#" + id); }
    });
  }

  function show(k) {
    if (!stepping || k < 0 || k >= iterations.length) { return; }
    current = k;
    iterations.forEach(function (s, i) { s.hidden = i !== k; });
    pick.value = String(k);
    back.disabled = k === 0;
    next.disabled = k === iterations.length - 1;
    retarget();
  }

  function reveal(el) {
    for (var n = el; n && n !== doc.body; n = n.parentElement) {
      if (n.tagName.toLowerCase() === "details") { n.open = true; }
      if (n.classList.contains("iteration")) { show(iterations.indexOf(n)); }
    }
  }

  function jump(hash) {
    var el = hash.length > 1 ? doc.getElementById(decodeURIComponent(hash.slice(1))) : null;
    if (el) { reveal(el); el.scrollIntoView({ block: "center" }); }
  }

  doc.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (link) {
      var el = doc.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (el) { reveal(el); }
      return;
    }
    var row = event.target.closest("tr[data-href]");
    if (row) { location.hash = row.getAttribute("data-href"); jump(row.getAttribute("data-href")); }
  });
  window.addEventListener("hashchange", function () { jump(location.hash); });

  if (stepping) {
    pick.addEventListener("change", function () { show(Number(pick.value)); });
    back.addEventListener("click", function () { show(current - 1); });
    next.addEventListener("click", function () { show(current + 1); });
    doc.addEventListener("keydown", function (event) {
      var t = event.target.tagName.toLowerCase();
      if (t === "input" || t === "select" || t === "textarea" || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === "[") { show(current - 1); }
      if (event.key === "]") { show(current + 1); }
    });
  }

  function foldAll(open) {
    Array.prototype.forEach.call(doc.querySelectorAll("details.section"), function (d) { d.open = open; });
  }
  function on(id, action) {
    var el = doc.getElementById(id);
    if (el) { el.addEventListener("click", action); }
  }
  on("fold-all", function () { foldAll(false); });
  on("unfold-all", function () { foldAll(true); });
  on("print-page", function () { window.print(); });

  var saved = null;
  window.addEventListener("beforeprint", function () {
    saved = {
      hidden: iterations.map(function (s) { return s.hidden; }),
      folded: Array.prototype.filter.call(doc.querySelectorAll("details.section"), function (d) { return !d.open; })
    };
    iterations.forEach(function (s) { s.hidden = false; });
    foldAll(true);
  });
  window.addEventListener("afterprint", function () {
    if (!saved) { return; }
    iterations.forEach(function (s, i) { s.hidden = saved.hidden[i]; });
    saved.folded.forEach(function (d) { d.open = false; });
    saved = null;
  });

  show(0);
  if (location.hash) { jump(location.hash); }
})();
"""
