"""The registry: sources, their records (versioned, never edited in place), persons whose
values are statements with provenance, places and events."""
