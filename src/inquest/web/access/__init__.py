"""Confidentiality levels, the role matrix (a data file) and access-filtered querysets."""
