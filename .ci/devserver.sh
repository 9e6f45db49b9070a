#!/usr/bin/env bash
# `make run`: serve the API (waitress, :6543) and the live monitor (:8765) until Ctrl-C.
# Uses the Redis at QUIZCORE_REDIS_URL (default 127.0.0.1:6379); when none answers and
# redis-server is installed, starts a private one under var/ for this session.
set -euo pipefail
INI="${1:-development.ini}"
BIN="${BIN:-.venv/bin}"
mkdir -p var

redis_url="${QUIZCORE_REDIS_URL:-redis://127.0.0.1:6379/0}"
if ! "$BIN/python" -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=1).ping()" "$redis_url" 2>/dev/null; then
  if command -v redis-server >/dev/null 2>&1; then
    sock="$PWD/var/redis.sock"
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save "" --appendonly no \
      --daemonize yes --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log"
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    export QUIZCORE_REDIS_URL="unix://$sock?db=0"
    trap 'kill "$(cat var/redis.pid)" 2>/dev/null || true' EXIT
    echo "No Redis at $redis_url: started a private redis-server on $sock"
  else
    echo "WARNING: no Redis reachable at $redis_url and redis-server is not installed."
    echo "         The API still runs; live monitoring and rate limits are off until Redis is up"
    echo "         (install it with: apt-get install redis-server)."
  fi
fi

"$BIN/quiz-monitor" -c "$INI" &
monitor=$!
trap 'kill $monitor 2>/dev/null || true; [ -f var/redis.pid ] && kill "$(cat var/redis.pid)" 2>/dev/null || true' EXIT INT TERM
echo "API:      http://127.0.0.1:6543/api/health   (docs: http://127.0.0.1:6543/api/docs)"
echo "Monitor:  http://127.0.0.1:8765/"
"$BIN/pserve" "$INI"
