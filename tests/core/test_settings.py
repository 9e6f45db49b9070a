import pytest

from quizcore import settings as s


def test_defaults_apply_when_nothing_is_configured():
    parsed = s.parse_settings({}, environ={})
    assert parsed["quizcore.access_token_lifetime_seconds"] == 3600
    assert parsed["quizcore.answer_grace_seconds"] == 30
    assert parsed["quizcore.plugins"] == ()


def test_ini_values_are_parsed_to_their_types():
    parsed = s.parse_settings({"quizcore.bcrypt_rounds": "10", "quizcore.ratelimit_enabled": "off",
                               "quizcore.plugins": "quiz_plugins.a\nquiz_plugins.b"}, environ={})
    assert parsed["quizcore.bcrypt_rounds"] == 10
    assert parsed["quizcore.ratelimit_enabled"] is False
    assert parsed["quizcore.plugins"] == ("quiz_plugins.a", "quiz_plugins.b")


def test_environment_overrides_the_ini_file():
    parsed = s.parse_settings({"quizcore.monitor.port": "9000"},
                              environ={"QUIZCORE_MONITOR_PORT": "9100",
                                       "QUIZCORE_REDIS_URL": "redis://cache:6379/2"})
    assert parsed["quizcore.monitor.port"] == 9100
    assert parsed["quizcore.redis_url"] == "redis://cache:6379/2"


def test_database_url_comes_from_quizcore_database_url():
    loaded = s.load({"sqlalchemy.url": "sqlite://"},
                    environ={"QUIZCORE_DATABASE_URL": "mysql+mysqldb://u:p@db/quiz"})
    assert loaded["sqlalchemy.url"] == "mysql+mysqldb://u:p@db/quiz"


@pytest.mark.parametrize("key, value", [
    ("quizcore.bcrypt_rounds", "3"),
    ("quizcore.bcrypt_rounds", "lots"),
    ("quizcore.ratelimit_enabled", "maybe"),
    ("quizcore.env", "staging"),
    ("quizcore.ratelimit_login_per_ip", "ten per minute"),
])
def test_bad_values_stop_start_up_naming_the_key(key, value):
    with pytest.raises(s.SettingsError, match=key):
        s.parse_settings({key: value}, environ={})


def test_bad_environment_value_names_the_variable():
    with pytest.raises(s.SettingsError, match="QUIZCORE_ANSWER_GRACE_SECONDS"):
        s.parse_settings({}, environ={"QUIZCORE_ANSWER_GRACE_SECONDS": "-1"})


def test_production_refuses_the_development_secret():
    with pytest.raises(s.SettingsError, match="QUIZCORE_JWT_SECRET"):
        s.load({"sqlalchemy.url": "sqlite://", "quizcore.env": "production"}, environ={})


def test_production_refuses_a_short_secret():
    with pytest.raises(s.SettingsError, match="too short"):
        s.load({"sqlalchemy.url": "sqlite://", "quizcore.env": "production"},
               environ={"QUIZCORE_JWT_SECRET": "hunter2"})


def test_production_accepts_a_real_secret_from_the_environment():
    loaded = s.load({"sqlalchemy.url": "sqlite://", "quizcore.env": "production"},
                    environ={"QUIZCORE_JWT_SECRET": "x" * 48})
    assert loaded["quizcore.jwt_secret"] == "x" * 48


def test_missing_database_url_is_a_clear_error():
    with pytest.raises(s.SettingsError, match="QUIZCORE_DATABASE_URL"):
        s.load({}, environ={})


def test_every_core_setting_is_documented_in_development_ini():
    import pathlib

    text = (pathlib.Path(__file__).parents[2] / "development.ini").read_text()
    missing = [spec.key for spec in s.CORE_SETTINGS if spec.key not in text]
    assert missing == []


@pytest.mark.parametrize("text", ["1", "0", "true", "False", " YES ", "no", "on", "Off", "y",
                                  "n", "t", "f"])
def test_booleans_read_as_pyramid_reads_them(text):
    from pyramid.settings import asbool

    assert s.as_bool(text) is asbool(text.strip().lower())


@pytest.mark.parametrize("text", ["", "a", "a b", "a\nb\n\n  c  d", " a,b , c\n", "a\tb"])
def test_lists_read_as_pyramid_reads_them_commas_too(text):
    from pyramid.settings import aslist

    assert s.as_list(text) == tuple(aslist(text.replace(",", " ")))
