"""dtrack: follow up the tasks that government directives assign."""

__version__ = "0.1.0"
