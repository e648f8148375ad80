"""``python -m stepnet.cli``: the command line."""

from .group import main

if __name__ == "__main__":
    main(prog_name="stepnet")
