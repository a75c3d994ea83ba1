"""The spec: the validated model of a company quarter, its CSV histories and cross-field checks."""
