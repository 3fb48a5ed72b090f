"""The national view: municipalities side by side, from the national store (trappen.national)."""
