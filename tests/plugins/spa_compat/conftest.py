"""Fixtures of the SPA compat tests."""

import pytest

pytest.importorskip("quiz_plugins.spa_compat", reason="the spa_compat plugin is not installed")
