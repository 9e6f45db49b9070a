"""The plugin's settings: defaults, documented in development.ini, environment overrides."""

from __future__ import annotations

import pathlib

import pytest

from quiz_plugins.csv_import.settings import SETTINGS
from quizcore.settings import SettingsError
from tests.conftest import build_app

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

ROOT = pathlib.Path(__file__).parents[3]


def test_every_setting_is_documented_with_its_default_in_development_ini():
    text = (ROOT / "development.ini").read_text()
    for spec in SETTINGS:
        assert f"# {spec.key} = {spec.default}" in text, spec.key


def test_the_plugin_is_listed_in_both_ini_files():
    for name in ("development.ini", "production.ini"):
        assert "    quiz_plugins.csv_import\n" in (ROOT / name).read_text(), name


def test_defaults_and_environment_overrides(app, app_settings, engine, monkeypatch):
    settings = app.registry.settings
    assert settings["quizcore.csv_import.max_upload_bytes"] == 16 * 1024 * 1024
    assert settings["quizcore.csv_import.max_rows"] == 10_000
    monkeypatch.setenv("QUIZCORE_CSV_IMPORT_MAX_ROWS", "250")
    built = build_app({**app_settings, "quizcore.plugins": "quiz_plugins.csv_import"}, engine)
    assert built.registry.settings["quizcore.csv_import.max_rows"] == 250


def test_a_bad_value_stops_start_up_naming_the_key(app_settings, engine):
    with pytest.raises(SettingsError, match="quizcore.csv_import.max_rows"):
        build_app({**app_settings, "quizcore.plugins": "quiz_plugins.csv_import",
                   "quizcore.csv_import.max_rows": "0"}, engine)
