#!/usr/bin/env bash
# Prepare this machine for quizcore: system packages, MariaDB and Redis running, the `quiz`
# database user and its databases. Safe to run again; it only does what is missing.
#
#   .ci/services.sh deps      build dependencies only (what `make run` needs)
#   .ci/services.sh all       deps + MariaDB + Redis + database user (what `make test` needs)
#   .ci/services.sh storm     deps + the server programs `make storm` and `make bench-cost`
#                             start privately (mariadbd, redis-server, nginx, openssl) and
#                             wrk, the load generator of `make bench-cost`; no shared services
#
# Environment: QUIZCORE_DB_USER / QUIZCORE_DB_PASSWORD (default quiz / quiz),
#              EXTRA_APT_PACKAGES (more Debian packages to make sure of).
set -euo pipefail

mode="${1:-all}"
DB_USER="${QUIZCORE_DB_USER:-quiz}"
DB_PASSWORD="${QUIZCORE_DB_PASSWORD:-quiz}"

say() { printf '\033[1m[services]\033[0m %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    say "not root and no sudo: system packages and services must already be in place"; fi
fi

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "missing ${missing[*]} and no apt-get: install them with your package manager"; exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# mysqlclient compiles against libmariadb; reportlab's PDFs use DejaVu for non-Latin names.
build_deps=(build-essential pkg-config libmariadb-dev fonts-dejavu-core)
server_deps=(mariadb-server mariadb-client redis-server redis-tools)
# The live monitor page is tested in Debian's headless Chromium (driven by playwright, which
# never downloads a browser of its own here).
browser_deps=(chromium)
# deploy/nginx/quizcore.conf is checked with `nginx -t` by the tests and fronts the exam
# storm (bench/exam_storm.py); openssl makes the storm's self-signed certificate.
proxy_deps=(nginx openssl)
# bench/request_cost.py (make bench-cost) loads one endpoint at a time with wrk.
load_deps=(wrk)

wait_for() {  # wait_for <seconds> <command...>
  local limit=$1; shift
  for _ in $(seq "$((limit * 5))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

start_mariadb() {
  if mariadb-admin --silent ping >/dev/null 2>&1; then return 0; fi
  say "starting MariaDB"
  $SUDO mkdir -p /run/mysqld && $SUDO chown mysql:mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    $SUDO mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  # Without --user=mysql the server refuses to run as root and exits silently.
  $SUDO start-stop-daemon --start --oknodo --background --pidfile /run/mysqld/mysqld.pid \
    --exec /usr/sbin/mariadbd -- --user=mysql
  wait_for 30 mariadb-admin --silent ping || { say "MariaDB did not start"; exit 1; }
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return 0; fi
  say "starting Redis on 127.0.0.1:6379"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/quizcore.log
  wait_for 15 redis-cli -h 127.0.0.1 -p 6379 ping || { say "Redis did not start"; exit 1; }
}

create_database_user() {
  # root may log in only through the unix socket; the application uses TCP as $DB_USER and
  # owns every database whose name starts with "quizcore" (the app's and the tests').
  $SUDO mariadb --protocol=socket -u root <<SQL
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1' IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`quizcore%\`.* TO '${DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`quizcore%\`.* TO '${DB_USER}'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS quizcore CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS quizcore_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
FLUSH PRIVILEGES;
SQL
}

apt_install "${build_deps[@]}" ${EXTRA_APT_PACKAGES:-}
if [ "$mode" = "storm" ]; then
  apt_install "${server_deps[@]}" "${proxy_deps[@]}" "${load_deps[@]}"
  say "server programs for the exam storm are installed (it starts its own private instances)"
fi
if [ "$mode" = "all" ]; then
  apt_install "${server_deps[@]}" "${proxy_deps[@]}"
  ( apt_install "${browser_deps[@]}" ) || say "chromium could not be installed: the browser test will skip, loudly"
  start_mariadb
  start_redis
  create_database_user
  say "MariaDB and Redis are up; database user '${DB_USER}' is ready"
fi
