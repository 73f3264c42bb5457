"""A read-only JSON API over what the user may see (Django REST framework)."""
