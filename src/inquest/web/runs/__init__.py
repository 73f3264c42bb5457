"""Linkage and estimate runs: parameters, input hash, code version, results and artefacts,
so every number on screen can be traced to the run that made it."""
