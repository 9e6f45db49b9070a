"""Markdown for docs/PERFORMANCE.md from the JSON files ``bench/exam_storm.py --json`` writes.

    .venv/bin/python bench/storm_report.py docs/storm/storm.json docs/storm/fault-*.json

prints the summary table (one row per run) and then one section per run: endpoint latencies,
CPU seconds, client retries, monitor figures, sizes and the fault's timeline.
"""

from __future__ import annotations

import json
import sys

ENDPOINTS = ("login", "open", "start", "answer", "violation", "submit")


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _statuses(statuses: dict) -> str:
    return ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))


def run_name(result: dict) -> str:
    args = result["args"]
    if args["fault"] == "none":
        return "storm"
    return args["fault"] + (" (start burst)" if args["fault_at"] < 30 else "")


def summary_row(result: dict) -> str:
    requests, monitor, check = result["requests"], result["monitor"], result["integrity"]
    rates, answer = requests["rates"], requests["answer"]
    load = (result.get("load_average_before") or [None])[0]
    return " | ".join([
        "", run_name(result), str(result["args"]["students"]),
        "-" if load is None else f"{load:.2f}",
        f"{rates['logins_per_s']:.1f}",
        f"{rates['starts_per_s']:.1f} ({rates['start_spread_s']:.1f} s)",
        f"{rates['autosave_mean_per_s']:.1f} / {rates['autosave_peak_per_s']}",
        f"{_ms(answer['p50_ms'])} / {_ms(answer['p95_ms'])} / {_ms(answer['p99_ms'])}",
        f"{_ms(monitor['p50_ms'])} / {_ms(monitor['p99_ms'])}",
        f"{monitor['submitted_events_seen_min']} of {check['attempts']}",
        str(requests["server_errors"]),
        f"{check['acknowledged_saves_lost']} of {check['acknowledged_pairs_checked']}",
        f"{check['submitted_exactly_once']} / {check['graded_exactly_once']} of "
        f"{check['attempts']}",
        check["monitors_resynced"], "PASS" if result["passed"] else "FAIL", ""]).strip()


SUMMARY_HEADER = (
    "| run | students | load before | logins/s | starts/s (spread) | autosave req/s mean / "
    "peak | autosave p50 / p95 / p99 ms | monitor p50 / p99 ms | submissions seen live per "
    "page (min) | 5xx | lost acks | submitted / graded exactly once | monitors resynced | "
    "verdict |\n" + "|---" * 14 + "|")


def section(result: dict) -> str:
    requests, monitor = result["requests"], result["monitor"]
    lines = [f"#### {run_name(result)}: `{result['command']}`", "",
             "| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms | statuses |",
             "|---|---|---|---|---|---|---|"]
    for name in ENDPOINTS:
        row = requests[name]
        lines.append(f"| {name} | {row['requests']} | {_ms(row['p50_ms'])} | "
                     f"{_ms(row['p95_ms'])} | {_ms(row['p99_ms'])} | {_ms(row['max_ms'])} | "
                     f"{_statuses(row['statuses'])} |")
    cpu = ", ".join(f"{name} {seconds}" for name, seconds in result["cpu_seconds"].items())
    lines += ["", f"CPU seconds: {cpu}.  ",
              f"Client retries: {result['client_retries'] or 'none'}; nginx upstream errors: "
              f"{result['nginx_upstream_errors'] or 'none'}.  ",
              f"Monitor: {monitor['live_events']} live events over {monitor['watchers']} "
              f"sockets, max {_ms(monitor['max_ms'])} ms; reconnects {monitor['reconnects']}, "
              f"replayed {monitor['replayed_after_reconnect']}.  ",
              f"Sizes: {result['sizes']}."]
    faults = [f"+{at:.1f}s {text}" for at, text in result["timeline"]
              if text.startswith("FAULT") or "restarted" in text or "is back" in text
              or "stopped" in text]
    if faults:
        lines[-1] += "  "
        lines.append("Timeline: " + "; ".join(faults))
    return "\n".join(lines)


def main(paths: list[str]) -> int:
    results = [json.load(open(path, encoding="utf-8")) for path in paths]
    print(SUMMARY_HEADER)
    for result in results:
        print(summary_row(result))
    for result in results:
        print()
        print(section(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
