"""Running the workbench: settings from the environment (``config``), response hardening
middleware (``hardening``) and encrypted backups and restores (``backup``).

No models and no pages: what an operator needs to start, harden and back up the workbench,
kept apart from the apps that hold its records.
"""
