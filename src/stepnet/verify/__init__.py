"""The verification stage: independent gradient oracles, claims, hand mode against full precision."""
