"""Use cases: the only callers of storage; plain values in, plain results out."""
