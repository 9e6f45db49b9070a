"""SPA compat routes: see the package docstring."""


def includeme(config):
    """Register this module's compat services."""
