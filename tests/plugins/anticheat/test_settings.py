"""The anti-cheat settings: documented in development.ini, checked at start-up."""

import pathlib

import pytest

from quiz_plugins.anticheat import SETTINGS
from quizcore.models import Severity, ViolationType
from quizcore.settings import SettingsError
from tests.conftest import build_app

pytestmark = pytest.mark.plugin("quiz_plugins.anticheat")


def test_every_setting_is_shown_commented_out_with_its_default():
    text = (pathlib.Path(__file__).parents[3] / "development.ini").read_text()
    for spec in SETTINGS:
        default = spec.default if not isinstance(spec.default, float) else f"{spec.default:g}"
        assert f"# {spec.key} = {default}\n" in text, spec.key


@pytest.mark.parametrize(("key", "value"), [
    ("threshold", "0"), ("threshold", "many"), ("debounce_seconds", "-1"),
    ("debounce_seconds", "1e300"), ("severity.tab_switch", "extreme"),
    ("max_metadata_bytes", "-5"),
])
def test_bad_values_stop_start_up(app_settings, engine, key, value):
    with pytest.raises(SettingsError, match=f"quizcore.anticheat.{key}"):
        build_app({**app_settings, f"quizcore.anticheat.{key}": value}, engine)


def test_environment_overrides(app_settings, engine, monkeypatch):
    monkeypatch.setenv("QUIZCORE_ANTICHEAT_THRESHOLD", "7")
    monkeypatch.setenv("QUIZCORE_ANTICHEAT_SEVERITY_FOCUS_LOST", "HIGH")
    policy = build_app(app_settings, engine).registry["quizcore.anticheat.policy"]
    assert policy.threshold == 7
    assert policy.severities[ViolationType.FOCUS_LOST] == Severity.HIGH
