"""The derivation stage: expressions, names and symbols, quantities, worked lines and the report."""
