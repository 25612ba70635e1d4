"""Staff views (being built: issue 5)."""

from .blueprint import bp  # noqa: F401
