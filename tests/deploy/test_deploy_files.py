"""deploy/: the nginx site is valid nginx, and the units and the site agree with the code.

The site is rendered with :mod:`storm_nginx` (bench/), the same function the exam storm uses
to put nginx in front of its API processes, so the file checked here is the file load-tested.
"""

from __future__ import annotations

import configparser
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
from plaster import get_settings

from quizcore.settings import CORE_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
SITE = DEPLOY / "nginx" / "quizcore.conf"
sys.path.insert(0, str(ROOT / "bench"))

import storm_nginx  # noqa: E402 - lives in bench/, shared with bench/exam_storm.py

DEFAULTS = {setting.key: setting.default for setting in CORE_SETTINGS}
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(SYSTEMD / name)
    return parser


def nginx_directive(name: str) -> list[str]:
    return re.findall(rf'^\s*{name}\s+((?:"[^"]*"|[^;"])+);', SITE.read_text(), flags=re.MULTILINE)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    if shutil.which("nginx") is None and not Path(storm_nginx.NGINX).exists():
        pytest.skip("nginx is not installed: run `bash .ci/services.sh all` (Debian's nginx)")
    # nginx -t only parses: the ports need not be free.
    layout = storm_nginx.Layout(tmp_path_factory.mktemp("nginx"), https_port=18443,
                                http_port=18080, internal_port=18081,
                                api_ports=[16543, 16544, 16545], monitor_port=18765)
    return layout, storm_nginx.prepare(layout)


def test_rendered_site_passes_nginx_t(rendered):
    _, conf = rendered
    result = storm_nginx.check(conf)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_rendering_changes_only_addresses_and_paths(rendered):
    layout, conf = rendered
    site = (conf.parent / "quizcore.conf").read_text()
    for port in layout.api_ports:
        assert f"server 127.0.0.1:{port} max_fails=1" in site
    assert "server 127.0.0.1:18765;" in site
    assert "listen 127.0.0.1:18443 ssl" in site
    assert str(layout.cert) in site and "/etc/ssl" not in site
    # Everything else is the shipped file: headers, limits, proxy settings.
    for line in SITE.read_text().splitlines():
        if re.match(r"\s*(add_header|client_max_body_size|proxy_\w+|location)\b", line):
            assert line in site


def test_rendering_fails_loudly_when_the_file_drifts(tmp_path):
    changed = tmp_path / "quizcore.conf"
    changed.write_text(SITE.read_text().replace("listen 443 ssl http2;", "listen 8443 ssl;"))
    layout = storm_nginx.Layout(tmp_path, 1, 2, 3)
    with pytest.raises(ValueError, match="listen 443"):
        storm_nginx.render_site(layout, source=changed)


def test_body_limit_equals_the_apps_upload_limit():
    (value,) = nginx_directive("client_max_body_size")
    number, unit_letter = re.fullmatch(r"(\d+)([kmg]?)", value.strip().lower()).groups()
    limit = int(number) * SIZE_UNITS[unit_letter]
    assert limit == DEFAULTS["quizcore.max_body_bytes"]
    for ini in ("production.ini", "development.ini"):
        configured = get_settings(str(ROOT / ini), "app:main").get("quizcore.max_body_bytes")
        assert configured is None or int(configured) == limit, ini


def test_security_headers_are_always_sent():
    headers = {value.split()[0]: value for value in nginx_directive("add_header")}
    assert set(headers) >= {"Strict-Transport-Security", "X-Content-Type-Options",
                            "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"}
    assert all(value.endswith("always") for value in headers.values())
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_websocket_location_upgrades_to_the_monitor_port():
    text = SITE.read_text()
    ws = re.search(r"location /ws/ \{(.*?)\n    \}", text, flags=re.DOTALL).group(1)
    assert "proxy_pass http://quizcore_monitor;" in ws
    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    assert re.search(r"proxy_read_timeout (\d+)s;", ws).group(1) >= "3600"
    monitor = re.search(r"upstream quizcore_monitor \{\s*server 127\.0\.0\.1:(\d+);", text)
    assert int(monitor.group(1)) == DEFAULTS["quizcore.monitor.port"]


def test_api_upstream_ports_are_the_units_started_by_the_target():
    text = SITE.read_text()
    pool = re.search(r"upstream quizcore_api \{(.*?)\}", text, flags=re.DOTALL).group(1)
    ports = set(re.findall(r"server 127\.0\.0\.1:(\d+)", pool))
    wanted = unit("quizcore.target")["Unit"]["Wants"].split()
    assert ports == {re.fullmatch(r"quizcore-api@(\d+)\.service", name).group(1)
                     for name in wanted if name.startswith("quizcore-api@")}
    assert {"quiz-monitor.service", "quizcore-sweep.timer"} <= set(wanted)


def test_units_run_programs_and_files_that_exist():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    programs = set(scripts) | {"pserve"}  # pserve comes with pyramid
    for name in ("quizcore-api@.service", "quiz-monitor.service", "quizcore-sweep.service"):
        service = unit(name)["Service"]
        command = service["ExecStart"].split()
        assert command[0].startswith("/opt/quizcore/.venv/bin/"), name
        assert Path(command[0]).name in programs, name
        ini = next(arg for arg in command if arg.endswith(".ini"))
        assert (ROOT / Path(ini).name).exists(), f"{name} names {ini}"
        assert service["EnvironmentFile"] == "/etc/quizcore/quizcore.env"
        assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
        assert service["PrivateTmp"] == "yes"
    assert (SYSTEMD / "quizcore.env.example").exists()
    assert "sweep" in unit("quizcore-sweep.service")["Service"]["ExecStart"].split()[-1:]
    assert unit("quizcore-sweep.timer")["Timer"]["Unit"] == "quizcore-sweep.service"


def test_api_instance_name_is_the_waitress_port():
    exec_start = unit("quizcore-api@.service")["Service"]["ExecStart"]
    assert exec_start.endswith("http_port=%i")
    # pserve passes http_port=... into the ini's interpolation.
    server = get_settings(str(ROOT / "production.ini"), "server:main",
                          defaults={"http_port": "6544"})
    assert server["listen"] == "127.0.0.1:6544"
    assert server["trusted_proxy"] == "127.0.0.1"
    assert set(server["trusted_proxy_headers"].split()) >= {"x-forwarded-for"}
    assert server["clear_untrusted_proxy_headers"] == "true"


def test_nginx_answers_json_when_no_api_process_is_up(tmp_path):
    """The rendered site served for real, with nothing behind it: clients get the API's JSON
    error shape (and the security headers), not nginx's HTML error page."""
    import http.client
    import ssl

    if shutil.which("nginx") is None and not Path(storm_nginx.NGINX).exists():
        pytest.skip("nginx is not installed: run `bash .ci/services.sh all` (Debian's nginx)")
    import storm_services

    ports = [storm_services.free_port() for _ in range(5)]
    layout = storm_nginx.Layout(tmp_path / "nginx", https_port=ports[0], http_port=ports[1],
                                internal_port=ports[2], api_ports=[ports[3]],
                                monitor_port=ports[4])
    layout.directory.mkdir()
    conf = storm_nginx.prepare(layout)
    nginx = storm_nginx.start(conf)
    try:
        storm_services.wait_until(lambda: storm_services.port_open(ports[0]), 20, "nginx",
                                  nginx)
        context = ssl.create_default_context(cafile=str(layout.cert))
        connection = http.client.HTTPSConnection("127.0.0.1", ports[0], context=context,
                                                 timeout=10)
        connection.request("GET", "/api/health")
        response = connection.getresponse()
        body = response.read()
        assert response.status == 503
        assert response.getheader("Content-Type") == "application/json"
        error = __import__("json").loads(body)
        assert error["error"] == "Service unavailable" and error["code"] == 503
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Strict-Transport-Security").startswith("max-age=")
        plain = http.client.HTTPConnection("127.0.0.1", ports[1], timeout=10)
        plain.request("GET", "/api/health", headers={"Host": "quiz.school.example"})
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.getheader("Location") == "https://quiz.school.example/api/health"
    finally:
        nginx.terminate()
        nginx.wait(20)
