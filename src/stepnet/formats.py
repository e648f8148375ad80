"""The output formats stepnet writes, and the Markdown flavours it can write math for.

Plain tuples, free of imports, so that the command line can offer them as choices
without loading a renderer.
"""

# the terminal's text, Markdown with LaTeX math, a self-contained HTML page, a LaTeX document, JSON for
# programs, and the run as a numpy or PyTorch program
FORMATS = ("text", "markdown", "html", "latex", "json", "python", "pytorch")
MARKDOWN_FLAVORS = ("github", "jekyll", "jupyter")  # who reads the Markdown: each wants its own math delimiters
VIEWS = ("scalar", "matrix")  # a line per neuron and parameter, or a matrix equation per layer

# what `-o FILE` writes when --format is not given, by the file's extension
BY_EXTENSION = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".json": "json", ".py": "python",
                ".html": "html", ".htm": "html", ".tex": "latex"}


def format_for(path: str) -> str | None:
    """The format a file name asks for by its extension (``run.md`` → markdown), if any."""
    dot = path.rfind(".")
    return BY_EXTENSION.get(path[dot:].lower()) if dot > path.rfind("/") else None
