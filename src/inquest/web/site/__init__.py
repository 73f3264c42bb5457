"""The workbench's pages: base layout (English/Persian), home, source list, display settings."""
