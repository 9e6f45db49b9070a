"""What notifications say, and how their e-mails are rendered from the template files."""

from __future__ import annotations

import datetime as dt

import pytest
from pyramid.exceptions import ConfigurationError

from quiz_plugins.notifications import messages
from quiz_plugins.notifications.mail import render_mail, template_environment
from tests.conftest import build_app

pytestmark = pytest.mark.plugin("quiz_plugins.notifications")


@pytest.fixture(scope="module")
def templates():
    return template_environment()


def test_quiz_published_message_gives_the_window_and_time_limit():
    notice = messages.quiz_published(
        quiz_id="q1", title="Algebra", subject="Mathematics",
        start_date=dt.datetime(2026, 3, 2, 8, 0), end_date=dt.datetime(2026, 3, 9, 17, 30),
        time_limit_minutes=45)
    assert notice.title == "New quiz: Algebra"
    assert notice.message == ('The quiz "Algebra" (Mathematics) has been published for your '
                              "class. It is open from 2026-03-02 08:00 UTC until 2026-03-09 "
                              "17:30 UTC. Time limit: 45 minutes.")
    assert notice.link == "/quizzes/q1"


def test_attempt_graded_message_without_percentage_or_pass_mark():
    notice = messages.attempt_graded(attempt_id="a1", quiz_title="Q", score=3.0,
                                     total_marks=4, percentage=None, passed=None)
    assert notice.message == 'Your attempt at "Q" has been graded. You scored 3 out of 4.'


def test_long_titles_fit_the_column():
    notice = messages.grading_pending(attempt_id="a1", quiz_title="x" * 300, student_name="Ada")
    assert len(notice.title) == messages.MAX_TITLE and notice.title.endswith("…")


@pytest.mark.parametrize("notice", [
    messages.quiz_published(quiz_id="q", title="T", subject=None, start_date=None,
                            end_date=None, time_limit_minutes=None),
    messages.attempt_graded(attempt_id="a", quiz_title="T", score=None, total_marks=None,
                            percentage=None, passed=None, regraded=True),
    messages.grading_pending(attempt_id="a", quiz_title="T", student_name="S"),
    messages.attempt_auto_submitted(attempt_id="a", quiz_title="T", student_name="S",
                                    total_violations=None),
], ids=lambda notice: notice.type)
def test_every_template_renders_with_optional_values_missing(templates, notice):
    mail = render_mail(templates, notice, name="Ada")
    assert mail.text.startswith("Hello Ada,")
    assert "Sign in to quizcore to see it." in mail.text  # no app_url: no link
    assert "Hello Ada," in mail.html and "href=" not in mail.html


def test_html_escapes_values_and_text_keeps_them(templates):
    notice = messages.grading_pending(attempt_id="a1", quiz_title='<b>"Chem" & co</b>',
                                      student_name="<script>alert(1)</script>")
    mail = render_mail(templates, notice, name="O'Brien <teacher>", app_url="https://q.example")
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "&lt;b&gt;&#34;Chem&#34; &amp; co&lt;/b&gt;" in mail.html
    assert "O&#39;Brien &lt;teacher&gt;" in mail.html
    assert '<script>alert(1)</script> submitted "<b>"Chem" & co</b>"' in mail.text
    assert "https://q.example/grading/attempts/a1" in mail.text


def test_a_title_with_line_breaks_makes_a_one_line_subject(templates):
    notice = messages.grading_pending(attempt_id="a1", quiz_title="Unit 3\r\nTest",
                                      student_name="Ada")
    assert render_mail(templates, notice, name="B").subject == "Answers to grade: Unit 3 Test"


def test_unknown_email_event_type_stops_start_up(app_settings, engine):
    with pytest.raises(ConfigurationError, match="unknown type.*quiz_publised"):
        build_app({**app_settings, "quizcore.plugins": "quiz_plugins.notifications",
                   "quizcore.notifications.email_events": "quiz_publised"}, engine)


def test_settings_have_defaults_and_environment_overrides(app_settings, engine, monkeypatch):
    monkeypatch.setenv("QUIZCORE_NOTIFICATIONS_EMAIL_EVENTS", "grading_pending")
    monkeypatch.setenv("QUIZCORE_NOTIFICATIONS_APP_URL", "https://quiz.school.example")
    settings = build_app({**app_settings, "quizcore.plugins": "quiz_plugins.notifications"},
                         engine).registry.settings
    assert settings["quizcore.notifications.email_events"] == ("grading_pending",)
    assert settings["quizcore.notifications.app_url"] == "https://quiz.school.example"
    monkeypatch.delenv("QUIZCORE_NOTIFICATIONS_EMAIL_EVENTS")
    monkeypatch.delenv("QUIZCORE_NOTIFICATIONS_APP_URL")
    defaults = build_app({**app_settings, "quizcore.plugins": "quiz_plugins.notifications"},
                         engine).registry.settings
    assert defaults["quizcore.notifications.email_events"] == messages.TYPES
    assert defaults["quizcore.notifications.app_url"] == ""


def test_every_plugin_setting_is_documented_in_development_ini():
    import pathlib

    from quiz_plugins.notifications import SETTINGS

    text = (pathlib.Path(__file__).parents[3] / "development.ini").read_text()
    assert [spec.key for spec in SETTINGS if f"# {spec.key} =" not in text] == []
