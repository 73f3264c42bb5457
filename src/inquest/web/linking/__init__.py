"""Linking the registry with the engine, and clerical review of uncertain pairs."""
