"""Located YAML: every key and value keeps its file, line and column (the first stage)."""
