"""A tamper-evident audit log: every service write appends a hash-chained entry."""
