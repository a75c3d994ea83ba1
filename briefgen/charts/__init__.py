"""Charts: one function per chart kind, one house style from the brand, deterministic SVG."""
