"""The spec: the validated model of one company quarter, its CSV histories and cross-field checks."""
