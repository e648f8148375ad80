"""The output formats stepnet writes, and the Markdown flavours it can write math for.

Plain tuples, free of imports, so that the command line can offer them as choices
without loading a renderer.
"""

FORMATS = ("text", "markdown", "json")  # the terminal's text, Markdown with LaTeX math, JSON for programs
MARKDOWN_FLAVORS = ("github", "jekyll", "jupyter")  # who reads the Markdown: each wants its own math delimiters
