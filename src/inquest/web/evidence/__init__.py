"""Evidence in the workbench: items over the engine's store (``inquest.evidence``)."""
