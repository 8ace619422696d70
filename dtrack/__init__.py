"""dtrack: follow up the tasks that government directives assign."""

# The version's one place: pyproject.toml reads it (dynamic version), CHANGELOG.md's newest release and
# the release tag must agree with it (tests/test_packaging.py).
__version__ = "0.2.0"
