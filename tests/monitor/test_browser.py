"""The monitor page in headless Chromium: sign in with a token, watch a quiz, see a
student's violation change their row and raise a toast.

Debian's ``chromium`` is driven by Python playwright (``executable_path``; playwright never
downloads a browser here). .ci/services.sh installs it.
"""

from __future__ import annotations

import os
import shutil
import warnings

import pytest
import requests

from .base import monitor_settings
from .client import PATHS
from .server_thread import MonitorThread

pytestmark = [pytest.mark.slow, pytest.mark.plugin("quiz_plugins.anticheat")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: The endpoint a student's browser reports violations to (the anti-cheat plugin).
VIOLATION_PATH = "/api/attempts/{attempt_id}/violations"


def browser_or_skip():
    reason = None
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        reason = (f"BROWSER TEST SKIPPED: {CHROMIUM} is missing. Install Debian's chromium "
                  "package (apt-get install chromium; .ci/services.sh does it).")
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError as exc:
        reason = f"BROWSER TEST SKIPPED: python playwright is not importable ({exc})."
    if reason:
        warnings.warn(reason, stacklevel=2)
        pytest.skip(reason)


@pytest.fixture
def monitor(api_server, redis, redis_url):
    thread = MonitorThread(monitor_settings(api_server.application_url, redis_url)).start()
    yield thread
    thread.stop()


def student_post(api_url, token, path, body=None):
    response = requests.post(api_url + path, json=body or {}, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def watch_as_teacher(page, monitor_url, live_exam):
    """Open the monitor page, paste the teacher's token and watch the exam."""
    page.goto(monitor_url + "/")
    page.locator("summary").click()
    page.fill("#token-input", live_exam.tokens["teacher"])
    page.click("#token-form button")
    page.fill("#quiz-id", live_exam.quiz_id)
    page.click("#quiz-form button")


def test_teacher_sees_a_violation_change_the_row_live(api_server, monitor_api_app, live_exam,
                                                     monitor):
    browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    api_url = api_server.application_url.rstrip("/")
    ada_token = live_exam.tokens["ada"]
    attempt_id = student_post(api_url, ada_token,
                              PATHS["start"].format(quiz_id=live_exam.quiz_id))["attempt_id"]
    ada = live_exam.students["ada"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            watch_as_teacher(page, monitor.url, live_exam)

            expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            row = page.locator(f'tr[data-student-id="{ada}"]')
            expect(row.locator("td.name")).to_have_text("Ada Lovelace")
            expect(row.locator(".status")).to_have_attribute("data-status", "in_progress")
            expect(row.locator("td.violations")).to_have_text("0")
            expect(page.locator(f'tr[data-student-id="{live_exam.students["bob"]}"] .status')) \
                .to_have_attribute("data-status", "not_started")

            student_post(api_url, ada_token, VIOLATION_PATH.format(attempt_id=attempt_id),
                         {"violation_type": "tab_switch", "question_index": 0})

            expect(row.locator("td.violations")).to_have_text("1 (tabs 1, full screen 0)")
            expect(row.locator("td.violations")).to_have_attribute("data-level", "warn")
            expect(page.locator("#toasts .toast")).to_contain_text("Ada Lovelace switched tabs")

            student_post(api_url, ada_token, PATHS["submit"].format(attempt_id=attempt_id))
            # Marked at once when a grader is enabled (the exam is all multiple choice).
            graded = "quiz_plugins.grading" in monitor_api_app.registry["quizcore.plugins"]
            expect(row.locator(".status")).to_have_attribute(
                "data-status", "graded" if graded else "submitted")
        finally:
            browser.close()


@pytest.fixture
def cors_api_server(app_settings, engine):
    """The API again, accepting the monitor page's origin (another port here; one origin
    behind the shipped nginx), for the page's own REST calls: the teacher's buttons."""
    from tests.conftest import build_app

    from .conftest import serve

    server = serve(build_app({**app_settings, "quizcore.cors_origins": "*"}, engine))
    yield server
    server.shutdown()


@pytest.fixture
def acting_monitor(api_server, cors_api_server, redis, redis_url):
    settings = monitor_settings(
        api_server.application_url, redis_url,
        **{"quizcore.monitor.public_api_url":
           cors_api_server.application_url.rstrip("/") + "/api"})
    thread = MonitorThread(settings).start()
    yield thread
    thread.stop()


def attempt_status(api_url, token, attempt_id):
    response = requests.get(f"{api_url}/api/attempts/{attempt_id}/status", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()


def test_teacher_extends_force_submits_and_reopens_from_the_monitor_page(
        api_server, live_exam, acting_monitor):
    browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    api_url = api_server.application_url.rstrip("/")
    ada_token, bob_token = live_exam.tokens["ada"], live_exam.tokens["bob"]
    start = PATHS["start"].format(quiz_id=live_exam.quiz_id)
    ada_attempt = student_post(api_url, ada_token, start)["attempt_id"]
    bob_attempt = student_post(api_url, bob_token, start)["attempt_id"]
    ada_deadline = attempt_status(api_url, ada_token, ada_attempt)["deadline_at"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: dialog.accept("Talking during the exam"))
            watch_as_teacher(page, acting_monitor.url, live_exam)
            expect(page.locator("#connection")).to_have_attribute("data-state", "live")

            ada_row = page.locator(f'tr[data-student-id="{live_exam.students["ada"]}"]')
            bob_row = page.locator(f'tr[data-student-id="{live_exam.students["bob"]}"]')
            ada_row.locator("button.extend").click()
            # The live event comes back through the sidecar and raises a toast.
            expect(page.locator("#toasts")).to_contain_text("Ada Lovelace: new deadline")
            extended = attempt_status(api_url, ada_token, ada_attempt)["deadline_at"]
            assert extended > ada_deadline
            expect(page.locator("#action-error")).to_have_text("")

            bob_row.locator("button.force-submit").click()
            expect(bob_row.locator(".status")).to_have_attribute("data-status", "force_submitted")
            assert attempt_status(api_url, bob_token, bob_attempt)["status"] == "force_submitted"

            bob_row.locator("button.reopen").click()
            expect(page.locator("#toasts")).to_contain_text("Bob Byte may start attempt 2 of 2")
            again = student_post(api_url, bob_token, start)
            assert again["attempt_id"] != bob_attempt and again["attempt_number"] == 2

            page.fill("#extend-all-minutes", "7")
            page.click("#extend-all-form button")
            expect(page.locator("#toasts")).to_contain_text("2 attempt(s) extended by 7 min")
        finally:
            browser.close()


def test_teacher_releases_a_waiting_room_from_the_monitor_page(api_server, live_exam,
                                                               acting_monitor):
    browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    api_url = api_server.application_url.rstrip("/")
    teacher = {"Authorization": f"Bearer {live_exam.tokens['teacher']}"}
    requests.put(f"{api_url}/api/quizzes/{live_exam.quiz_id}", timeout=10, headers=teacher,
                 json={"start_mode": "teacher_release"}).raise_for_status()
    start = api_url + PATHS["start"].format(quiz_id=live_exam.quiz_id)
    ada = {"Authorization": f"Bearer {live_exam.tokens['ada']}"}
    waiting = requests.post(start, json={}, timeout=10, headers=ada)
    assert waiting.status_code == 409 and waiting.json()["reason"] == "waiting_for_release"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            watch_as_teacher(page, acting_monitor.url, live_exam)
            expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            ada_row = page.locator(f'tr[data-student-id="{live_exam.students["ada"]}"]')
            expect(ada_row.locator(".status")).to_have_attribute("data-status", "waiting")
            expect(page.locator("#count-held")).to_have_text("1")

            page.click("#release")
            expect(page.locator("#toasts")).to_contain_text("Quiz released at")
            expect(page.locator("#release-box")).to_be_hidden()
            expect(ada_row.locator(".status")).to_have_attribute("data-status", "not_started")
            expect(page.locator("#action-error")).to_have_text("")

            started = requests.post(start, json={}, timeout=10, headers=ada)
            assert started.status_code == 201, started.text
            expect(ada_row.locator(".status")).to_have_attribute("data-status", "in_progress")
        finally:
            browser.close()
