"""One renderer per output format; each reads the same report and derivations."""
