"""Render ``deploy/nginx/quizcore.conf`` for a private, unprivileged nginx on loopback.

The exam storm (``bench/exam_storm.py``) and ``tests/deploy`` both serve the shipped site
file through :func:`render_site`, which changes only what differs on a test machine: listen
addresses, the API and monitor upstream addresses, the certificate, log and web-root paths.
Every replacement must match the shipped file exactly as often as expected, so a change to
the file that the storm would silently stop exercising fails here instead.

:func:`main_conf` wraps the site in a complete ``nginx.conf`` with its own pid file, error
log and temp directories, so nginx runs without root and without touching ``/etc/nginx``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "quizcore.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass
class Layout:
    """Where the rendered site listens and what it proxies to."""

    directory: Path
    https_port: int
    http_port: int
    internal_port: int
    api_ports: list[int] = field(default_factory=lambda: [6543, 6544])
    monitor_port: int = 8765
    cert: Path | None = None
    key: Path | None = None


def _replace(text: str, pattern: str, replacement: str, count: int) -> str:
    new, found = re.subn(pattern, lambda _: replacement, text, flags=re.MULTILINE)
    if found != count:
        raise ValueError(f"deploy/nginx/quizcore.conf: expected {count} match(es) of "
                         f"{pattern!r}, found {found}; update bench/storm_nginx.py")
    return new


def render_site(layout: Layout, source: Path = SITE) -> str:
    text = source.read_text()
    d = layout.directory
    upstreams = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n"
                        for port in layout.api_ports)
    text = _replace(text, r"^    server 127\.0\.0\.1:654[34] max_fails=1 fail_timeout=5s;\n",
                    "", 2)
    text = _replace(text, r"^    # Idle connections kept open to the API processes",
                    upstreams + "    # Idle connections kept open to the API processes", 1)
    text = _replace(text, r"^    server 127\.0\.0\.1:8765;$",
                    f"    server 127.0.0.1:{layout.monitor_port};", 1)
    text = _replace(text, r"^    listen 80;\n    listen \[::\]:80;$",
                    f"    listen 127.0.0.1:{layout.http_port};", 1)
    text = _replace(text, r"^    listen 443 ssl http2;\n    listen \[::\]:443 ssl http2;$",
                    f"    listen 127.0.0.1:{layout.https_port} ssl http2;", 1)
    text = _replace(text, r"^    listen 127\.0\.0\.1:8081;$",
                    f"    listen 127.0.0.1:{layout.internal_port};", 1)
    text = _replace(text, r"/etc/ssl/quizcore/fullchain\.pem", str(layout.cert), 1)
    text = _replace(text, r"/etc/ssl/quizcore/privkey\.pem", str(layout.key), 1)
    text = _replace(text, r"/var/log/nginx/", f"{d}/logs/", 2)
    text = _replace(text, r"/var/www/quizcore;", f"{d}/www;", 1)
    text = _replace(text, r"/var/www/letsencrypt;", f"{d}/www;", 1)
    return text


def main_conf(layout: Layout, site_path: Path, workers: str = "auto") -> str:
    d = layout.directory
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes {workers};
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{
    worker_connections 8192;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {d}/logs/access.log;
    client_body_temp_path {d}/tmp/client_body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {site_path};
}}
"""


def make_test_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost (openssl command line)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def prepare(layout: Layout, workers: str = "auto") -> Path:
    """Write the certificate (unless given), the rendered site and nginx.conf; return the
    path of nginx.conf. ``workers``: as Debian's /etc/nginx/nginx.conf, one per core."""
    d = layout.directory
    for sub in ("logs", "tmp", "www"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    if layout.cert is None:
        layout.cert, layout.key = make_test_certificate(d)
    (d / "www" / "index.html").write_text("<!doctype html><title>quizcore</title>\n")
    site = d / "quizcore.conf"
    site.write_text(render_site(layout))
    conf = d / "nginx.conf"
    conf.write_text(main_conf(layout, site, workers))
    if os.geteuid() == 0:
        # Workers run as nobody: they write request bodies and proxy buffers under tmp/ and
        # must be able to pass through the (private, mkdtemp 0700) directory to get there.
        shutil.chown(d / "tmp", "nobody", "nogroup")
        os.chmod(d, 0o711)  # noqa: S103 - traverse only; nothing here is listable
    return conf


def command(conf: Path, *extra: str) -> list[str]:
    return [NGINX, "-p", str(conf.parent), "-c", str(conf), "-e",
            str(conf.parent / "logs" / "error.log"), *extra]


def check(conf: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` of the rendered configuration."""
    return subprocess.run(command(conf, "-t"), capture_output=True, text=True)


def start(conf: Path) -> subprocess.Popen:
    """nginx in the foreground (``daemon off``), as a child process of the caller."""
    return subprocess.Popen(command(conf, "-g", "daemon off;"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
