"""Thin views of the registry's pages: sources and records, persons, search, imports and
downloads."""
