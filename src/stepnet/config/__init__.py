"""The config stage: YAML text to a frozen, validated NetworkConfig."""
