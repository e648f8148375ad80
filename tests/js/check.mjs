// Render check for the Markdown that stepnet exports.
//
// Reads one JSON document from stdin:
//   {"math": [{"tex": "...", "display": true|false}, ...],
//    "mermaid": ["flowchart LR ...", ...]}
// and writes one JSON document to stdout, in the same order:
//   {"math": [null | "error message", ...], "mermaid": [null | "error message", ...]}
//
// With --serve it answers many such requests in one process instead: one
// request per line of stdin, one answer per line of stdout, in order, until
// stdin closes. A request that cannot be handled gets {"error": "..."} and
// the process carries on. The libraries load once, so every request after
// the first costs no start-up at all.
//
// Every TeX string is parsed by KaTeX *and* by MathJax 3's TeX input, with
// errors made fatal in both (no red error text, no silently undefined
// macros); MathJax is also held to showing no stray backslashes in \text{}.
// Every Mermaid diagram goes through mermaid.parse(). All items are
// checked in this one process, so a check costs one Node start-up.
//
// Anything the libraries print goes to stderr; stdout carries only the result.

import katex from 'katex';
import { mathjax } from 'mathjax-full/js/mathjax.js';
import { TeX } from 'mathjax-full/js/input/tex.js';
import { STATE } from 'mathjax-full/js/core/MathItem.js';
import { liteAdaptor } from 'mathjax-full/js/adaptors/liteAdaptor.js';
import { RegisterHTMLHandler } from 'mathjax-full/js/handlers/html.js';
import 'mathjax-full/js/input/tex/AllPackages.js';

// The TeX packages of a default MathJax 3 page (the `tex-chtml` component):
// the preloaded ones plus everything its `autoload` can pull in. A renderer
// configured with more packages accepts a superset, so passing here is the
// conservative answer. Deliberately absent: `noerrors` and `noundefined`, which
// would turn errors into rendered red text; `physics`, `textmacros`,
// `tagformat`, `textcomp` and `setoptions`, which a default page lacks;
// `bussproofs`, which needs an output jax to measure boxes.
const MATHJAX_PACKAGES = [
  'base', 'ams', 'newcommand', 'configmacros',
  'action', 'amscd', 'bbox', 'boldsymbol', 'braket', 'cancel',
  'cases', 'centernot', 'color', 'colortbl', 'empheq', 'enclose', 'extpfeil',
  'gensymb', 'html', 'mathtools', 'mhchem', 'upgreek', 'unicode', 'verb',
];

/** Keep stdout for the JSON result: route library logging to stderr. */
function silenceConsole() {
  for (const name of ['log', 'info', 'debug', 'warn', 'trace']) {
    console[name] = (...args) => console.error(...args);
  }
}

/** Read all of stdin as a string. */
async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Return KaTeX's complaint about `tex`, or null when it renders. */
function katexError(tex, display) {
  try {
    katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'error' });
    return null;
  } catch (err) {
    // KaTeX underlines the offending characters with U+0332; drop that.
    return String(err.message).replace(/^KaTeX parse error: /, '').replace(/\u0332/g, '');
  }
}

/** Build a function that returns MathJax's complaint about a TeX string. */
function makeMathjaxChecker() {
  RegisterHTMLHandler(liteAdaptor());
  const rethrow = (_jax, err) => { throw err; };
  const tex = new TeX({ packages: MATHJAX_PACKAGES, formatError: rethrow });
  const doc = mathjax.document('', { InputJax: tex });
  return (src, display) => {
    tex.reset(); // forget \label/\tag numbering from earlier items
    try {
      return literalBackslash(doc.convert(src, { display, end: STATE.CONVERT }));
    } catch (err) {
      return String(err.message);
    }
  };
}

/**
 * MathJax's \text{} does not expand macros (that needs the non-default
 * `textmacros` package), so `\text{hidden\_1}` shows "hidden\_1" with its
 * backslash. No error is raised; report such text. \verb output (monospace)
 * is exempt, as its backslashes are meant.
 */
function literalBackslash(root) {
  let shown = null;
  root.walkTree((node) => {
    if (shown === null && node.isKind('mtext') && node.attributes.get('mathvariant') !== 'monospace') {
      const text = node.getText();
      if (text.includes('\\')) shown = text;
    }
  });
  return shown === null ? null : `text "${shown}" is shown with its backslashes: \\text{} does not expand macros`;
}

/** Check one math item with both engines; null when both accept it. */
function mathError(item, mathjaxError) {
  const display = Boolean(item.display);
  const problems = [];
  const fromKatex = katexError(item.tex, display);
  if (fromKatex !== null) problems.push(`KaTeX: ${fromKatex}`);
  const fromMathjax = mathjaxError(item.tex, display);
  if (fromMathjax !== null) problems.push(`MathJax: ${fromMathjax}`);
  return problems.length ? problems.join('; ') : null;
}

/**
 * Load Mermaid. It sanitises labels with DOMPurify, which only works when a
 * DOM `window` exists at the moment DOMPurify is first imported; Node has
 * none, so a jsdom window is installed before Mermaid is imported. Both
 * are imported only when there are diagrams to check.
 */
async function loadMermaid() {
  const { JSDOM } = await import('jsdom');
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = window;
  globalThis.document = window.document;
  const { default: mermaid } = await import('mermaid');
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', logLevel: 'fatal' });
  return mermaid;
}

/** Parse one diagram; null when Mermaid accepts it. */
async function mermaidError(mermaid, text) {
  try {
    await mermaid.parse(text);
    return null;
  } catch (err) {
    return String(err?.message ?? err);
  }
}

/** Load the checkers on first use and keep them for every later request. */
function makeChecker() {
  let mathjaxError = null;
  let mermaid = null;
  return async (request) => {
    const mathItems = request.math ?? [];
    const diagrams = request.mermaid ?? [];
    mathjaxError ??= makeMathjaxChecker();
    const math = mathItems.map((item) => mathError(item, mathjaxError));
    const mermaidResults = [];
    if (diagrams.length) {
      mermaid ??= await loadMermaid();
      for (const text of diagrams) mermaidResults.push(await mermaidError(mermaid, text));
    }
    return { math, mermaid: mermaidResults };
  };
}

function write(text) {
  return new Promise((resolve) => process.stdout.write(text, resolve));
}

/** One request per input line, one answer per output line, until stdin ends. */
async function serve(check) {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      answer = await check(JSON.parse(line));
    } catch (err) {
      answer = { error: String(err?.stack ?? err) };
    }
    await write(JSON.stringify(answer) + '\n');
  }
}

async function main() {
  silenceConsole();
  const check = makeChecker();
  if (process.argv.includes('--serve')) {
    await serve(check);
    return;
  }
  const answer = await check(JSON.parse(await readStdin()));
  await write(JSON.stringify(answer) + '\n');
}

main().then(
  () => process.exit(0), // jsdom timers must not keep the process alive
  (err) => {
    console.error(err?.stack ?? String(err));
    process.exit(2);
  },
);
