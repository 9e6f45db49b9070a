// quizcore live exam monitor: plain JavaScript, no build step.
// Talks to the REST API (sign in, list quizzes) and to the monitor's websocket.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    apiUrl: null,
    wsPath: "/ws/quiz-monitor/",
    token: sessionStorage.getItem("quizcore.monitor.token"),
    quizId: null,
    socket: null,
    lastEventId: null,   // sent back on reconnect to resume without a gap
    maxSeenId: null,     // events may be replayed after a snapshot: toast each one once
    retries: 0,
    retryTimer: null,
    students: new Map(), // student id -> row data
    receivedAt: 0,       // when the last snapshot arrived (for the ticking time column)
    startMode: "window", // teacher_release: students wait until the teacher releases
    releasedAt: null,
  };
  const VIOLATION_LABELS = {
    tab_switch: "switched tabs", fullscreen_exit: "left full screen", copy_attempt: "tried to copy",
    paste_attempt: "tried to paste", right_click: "right-clicked", focus_lost: "left the window",
    multiple_windows: "opened another window",
  };

  // -- stream ids ("<ms>-<seq>") compare numerically --------------------------------------
  function idAfter(a, b) {
    if (!b) return true;
    if (!a) return false;
    const [am, as] = a.split("-").map(BigInt);
    const [bm, bs] = b.split("-").map(BigInt);
    return am > bm || (am === bm && as > bs);
  }

  // -- connection indicator ---------------------------------------------------------------
  function setConnection(kind, text) {
    const pill = $("connection");
    pill.dataset.state = kind;
    pill.textContent = text;
  }

  // -- sign in ----------------------------------------------------------------------------
  function showSignedIn() {
    $("sign-in").hidden = true;
    $("pick").hidden = false;
    $("sign-out").hidden = false;
    loadQuizzes();
  }

  async function login(event) {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    try {
      const response = await fetch(state.apiUrl + "/auth/login", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({email_or_reg_no: $("login-email").value,
                              password: $("login-password").value}),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.error || body.message || response.statusText);
      useToken(body.access_token);
    } catch (error) {
      $("sign-in-error").textContent = "Sign-in failed: " + error.message;
    }
  }

  function useToken(token) {
    state.token = token.trim();
    sessionStorage.setItem("quizcore.monitor.token", state.token);
    showSignedIn();
  }

  function signOut() {
    sessionStorage.removeItem("quizcore.monitor.token");
    state.token = null;
    disconnect();
    location.hash = "";
    location.reload();
  }

  // -- quiz picker ------------------------------------------------------------------------
  async function loadQuizzes() {
    const select = $("quiz-select");
    try {
      const response = await fetch(state.apiUrl + "/quizzes?limit=100",
                                    {headers: {Authorization: "Bearer " + state.token}});
      if (!response.ok) throw new Error(response.status);
      const body = await response.json();
      select.replaceChildren(new Option("(choose a quiz)", ""));
      for (const quiz of body.items || []) select.add(new Option(quiz.title, quiz.id));
    } catch (error) {
      // The list is a convenience: a typed quiz id always works.
      select.replaceChildren(new Option("(list unavailable: type the quiz id)", ""));
    }
  }

  function pickQuiz(event) {
    event.preventDefault();
    const quizId = ($("quiz-id").value || $("quiz-select").value).trim();
    if (!quizId) { $("pick-error").textContent = "Choose a quiz or type its id."; return; }
    $("pick-error").textContent = "";
    location.hash = "quiz=" + encodeURIComponent(quizId);
    watch(quizId);
  }

  // -- the websocket ----------------------------------------------------------------------
  function watch(quizId) {
    disconnect();
    state.quizId = quizId;
    state.lastEventId = null;
    state.maxSeenId = null;
    state.students.clear();
    $("live").hidden = false;
    connect();
  }

  function disconnect() {
    clearTimeout(state.retryTimer);
    if (state.socket) { state.socket.onclose = null; state.socket.close(1000); }
    state.socket = null;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + state.wsPath +
                                 encodeURIComponent(state.quizId));
    state.socket = socket;
    setConnection(state.retries ? "reconnecting" : "connecting",
                  state.retries ? "Reconnecting…" : "Connecting…");
    socket.onopen = () => {
      // The token goes in the first message, not the URL, so no log line ever holds it.
      const auth = {type: "auth", token: state.token};
      if (state.lastEventId) auth.last_event_id = state.lastEventId;
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (event) => {
      state.retries = 0;
      setConnection("live", "Live");
      handle(JSON.parse(event.data));
    };
    socket.onclose = (event) => {
      state.socket = null;
      if (event.code === 1008) {
        setConnection("closed", "Not allowed: " + (event.reason || "sign in again"));
        return;
      }
      // Anything else (server restart 1001, too slow 1013, network): resume shortly.
      state.retries += 1;
      const delay = Math.min(10, 2 ** Math.min(state.retries - 1, 4)) * (0.5 + Math.random() / 2);
      setConnection("reconnecting", `Reconnecting in ${Math.ceil(delay)} s…`);
      state.retryTimer = setTimeout(connect, delay * 1000);
    };
  }

  // -- teacher actions (the REST API, with the teacher's own token) -----------------------
  const EXTEND_MINUTES = 5;

  async function api(method, path, body) {
    const response = await fetch(state.apiUrl + path, {
      method, headers: {"Content-Type": "application/json",
                        Authorization: "Bearer " + state.token},
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || answer.message || response.statusText);
    return answer;
  }

  async function act(label, method, path, body, onDone) {
    $("action-error").textContent = "";
    try {
      const answer = await api(method, path, body);
      if (onDone) onDone(answer);
    } catch (error) {
      $("action-error").textContent = `${label} failed: ${error.message}`;
    }
  }

  function extendAttempt(row) {
    act("Extend", "POST", `/attempts/${encodeURIComponent(row.attempt_id)}/extend`,
        {minutes: EXTEND_MINUTES}, (answer) => {
          row.deadline_at = answer.deadline_at;
          render(row.id);
        });
  }

  function forceSubmit(row) {
    const reason = window.prompt(`Why end ${row.name}'s attempt now?`, "");
    if (!reason || !reason.trim()) return;
    act("Force submit", "POST", `/attempts/${encodeURIComponent(row.attempt_id)}/force-submit`,
        {reason: reason.trim()});
  }

  function reopen(row) {
    act("Reopen", "POST", `/attempts/${encodeURIComponent(row.attempt_id)}/reopen`, {},
        (answer) => toast(`${row.name} may start attempt ${answer.attempts_used + 1} ` +
                          `of ${answer.attempts_allowed}`, "info"));
  }

  function extendAll(event) {
    event.preventDefault();
    const minutes = parseInt($("extend-all-minutes").value, 10);
    act("Extend all", "POST", `/quizzes/${encodeURIComponent(state.quizId)}/extend`,
        {minutes}, (answer) => toast(`${answer.extended} attempt(s) extended by ${minutes} min`,
                                     "info"));
  }

  function release() {
    act("Release", "POST", `/quizzes/${encodeURIComponent(state.quizId)}/release`, {},
        (answer) => released(answer.released_at));
  }

  function released(releasedAt) {
    if (state.releasedAt) return;
    state.releasedAt = releasedAt;
    for (const row of state.students.values()) {
      if (row.status === "waiting") row.status = "not_started";
    }
    toast("Quiz released at " + new Date(releasedAt).toLocaleTimeString(), "info");
    render();
  }

  function button(text, className, onClick) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = className;
    node.textContent = text;
    node.addEventListener("click", onClick);
    return node;
  }

  // -- messages ---------------------------------------------------------------------------
  function handle(message) {
    const data = message.data || {};
    if (message.type === "quiz_status") {
      applySnapshot(data);
      if (message.id) state.lastEventId = message.id;
      return;
    }
    const fresh = idAfter(message.id, state.maxSeenId);
    if (message.id) {
      state.lastEventId = message.id;
      if (fresh) state.maxSeenId = message.id;
    }
    if (message.type === "quiz_released") {
      released(data.released_at);
      return;
    }
    const row = state.students.get(data.student_id) || newRow(data);
    switch (message.type) {
      case "student_waiting":
        if (row.status === "not_started" || row.status === "in_progress" && !row.attempt_id) {
          Object.assign(row, {status: "waiting", waiting_since: data.timestamp});
        }
        break;
      case "attempt_started":
        Object.assign(row, {status: "in_progress", attempt_id: data.attempt_id,
                            answered_questions: 0,
                            total_questions: data.total_questions, progress: 0,
                            current_question_number: 1, started_at: data.timestamp,
                            time_spent_seconds: 0, last_activity_at: data.timestamp,
                            violations: 0, tab_switches: 0, fullscreen_exits: 0});
        break;
      case "answer_saved":
        Object.assign(row, {answered_questions: data.answered_questions,
                            total_questions: data.total_questions,
                            progress: data.total_questions ?
                              Math.round(1000 * data.answered_questions / data.total_questions) / 10 : 0,
                            last_activity_at: data.timestamp});
        if (Number.isInteger(data.current_question)) {
          row.current_question_number = data.current_question + 1;
        }
        break;
      case "violation":
        row.violations = data.total_violations;
        if (fresh && data.counted !== false) {
          if (data.violation_type === "tab_switch") row.tab_switches = (row.tab_switches || 0) + 1;
          if (data.violation_type === "fullscreen_exit") {
            row.fullscreen_exits = (row.fullscreen_exits || 0) + 1;
          }
        }
        row.last_activity_at = data.timestamp;
        if (data.auto_submitted) row.status = "auto_submitted";
        if (fresh) toast(`${data.student_name} ${VIOLATION_LABELS[data.violation_type] ||
                          data.violation_type} (${data.total_violations} so far)`);
        break;
      case "attempt_submitted":
        Object.assign(row, {status: data.status, submitted_at: data.submitted_at,
                            last_activity_at: data.submitted_at});
        break;
      case "attempt_graded":
        Object.assign(row, {status: data.status, score: data.score});
        break;
      case "attempt_extended":
        Object.assign(row, {attempt_id: data.attempt_id, deadline_at: data.deadline_at});
        if (fresh) toast(`${row.name}: new deadline ` +
                         new Date(data.deadline_at).toLocaleTimeString(), "info");
        break;
      default:
        return;
    }
    state.students.set(row.id, row);
    render(row.id);
  }

  function newRow(data) {
    return {id: data.student_id, name: data.student_name || "Student", status: "in_progress",
            answered_questions: 0, total_questions: data.total_questions || 0, progress: 0,
            violations: 0, tab_switches: 0, fullscreen_exits: 0, time_spent_seconds: 0};
  }

  function applySnapshot(data) {
    $("quiz-title").textContent = data.title || "Quiz";
    state.receivedAt = Date.now();
    state.students = new Map((data.students || []).map((s) => [s.id, s]));
    state.startMode = data.start_mode || "window";
    state.releasedAt = data.released_at || null;
    render();
  }

  // -- rendering (textContent only: names come from users) --------------------------------
  function minutes(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  function spentSeconds(row) {
    if (row.status !== "in_progress") {
      if (row.started_at && row.submitted_at) {
        return (Date.parse(row.submitted_at) - Date.parse(row.started_at)) / 1000;
      }
      return row.time_spent_seconds || 0;
    }
    if (row.started_at) return (Date.now() - Date.parse(row.started_at)) / 1000;
    return (row.time_spent_seconds || 0) + (Date.now() - state.receivedAt) / 1000;
  }

  function cell(tr, className) {
    let td = tr.querySelector("td." + className);
    if (!td) { td = document.createElement("td"); td.className = className; tr.append(td); }
    return td;
  }

  function renderRow(row, tr) {
    const name = cell(tr, "name");
    name.textContent = row.name;
    const status = cell(tr, "status-cell");
    let badge = status.firstChild;
    if (!badge) { badge = document.createElement("span"); badge.className = "status"; status.append(badge); }
    badge.dataset.status = row.status;
    badge.textContent = row.status.replace(/_/g, " ");
    const progress = cell(tr, "progress");
    progress.replaceChildren();
    const bar = document.createElement("span");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = Math.min(100, row.progress || 0) + "%";
    bar.append(fill);
    progress.append(bar, `${row.answered_questions || 0}/${row.total_questions || 0}`);
    const idle = row.status === "not_started" || row.status === "waiting";
    cell(tr, "question").textContent = idle ? "–" :
      `${row.current_question_number || 1} of ${row.total_questions || 0}`;
    const violations = cell(tr, "violations");
    violations.textContent = `${row.violations || 0}` +
      ((row.tab_switches || row.fullscreen_exits) ?
        ` (tabs ${row.tab_switches || 0}, full screen ${row.fullscreen_exits || 0})` : "");
    violations.dataset.level = row.violations >= 3 ? "high" : row.violations > 0 ? "warn" : "none";
    cell(tr, "time").textContent = idle ? "–" : minutes(spentSeconds(row));
    cell(tr, "activity").textContent = row.last_activity_at ?
      new Date(row.last_activity_at).toLocaleTimeString() : "–";
    cell(tr, "deadline").textContent = row.deadline_at && row.status === "in_progress" ?
      new Date(row.deadline_at).toLocaleTimeString() : "–";
    const actions = cell(tr, "actions");
    actions.replaceChildren();
    if (row.attempt_id && row.status === "in_progress") {
      actions.append(button(`+${EXTEND_MINUTES} min`, "extend", () => extendAttempt(row)),
                     button("Force submit", "force-submit", () => forceSubmit(row)));
    } else if (row.attempt_id && !idle) {
      actions.append(button("Reopen", "reopen", () => reopen(row)));
    }
  }

  function renderCounts() {
    const count = (...statuses) =>
      [...state.students.values()].filter((row) => statuses.includes(row.status)).length;
    $("count-active").textContent = count("in_progress");
    $("count-completed").textContent = count("submitted", "graded", "auto_submitted",
                                             "force_submitted");
    $("count-waiting").textContent = count("not_started");
    $("count-held").textContent = count("waiting");
    $("release-box").hidden = state.startMode !== "teacher_release" || Boolean(state.releasedAt);
  }

  function render(onlyId) {
    renderCounts();
    const tbody = document.querySelector("#students tbody");
    if (onlyId) {
      let tr = tbody.querySelector(`tr[data-student-id="${CSS.escape(onlyId)}"]`);
      if (!tr) { tr = document.createElement("tr"); tr.dataset.studentId = onlyId; tbody.append(tr); }
      renderRow(state.students.get(onlyId), tr);
      tr.classList.remove("flash");
      void tr.offsetWidth;  // restart the highlight animation
      tr.classList.add("flash");
      return;
    }
    const rows = [...state.students.values()].sort((a, b) => a.name.localeCompare(b.name));
    tbody.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.studentId = row.id;
      renderRow(row, tr);
      return tr;
    }));
  }

  function toast(text, kind) {
    const node = document.createElement("div");
    node.className = kind ? "toast " + kind : "toast";
    node.textContent = text;
    $("toasts").append(node);
    setTimeout(() => node.remove(), 6000);
  }

  // -- start ------------------------------------------------------------------------------
  async function start() {
    const config = await (await fetch("config.json")).json();
    state.apiUrl = config.api_url;
    state.wsPath = config.websocket_path || state.wsPath;
    $("login-form").addEventListener("submit", login);
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      useToken($("token-input").value);
    });
    $("quiz-form").addEventListener("submit", pickQuiz);
    $("extend-all-form").addEventListener("submit", extendAll);
    $("release").addEventListener("click", release);
    $("sign-out").addEventListener("click", signOut);
    setInterval(() => {  // the time column ticks for students still writing
      for (const tr of document.querySelectorAll("#students tbody tr")) {
        const row = state.students.get(tr.dataset.studentId);
        if (row && row.status === "in_progress") cell(tr, "time").textContent = minutes(spentSeconds(row));
      }
    }, 1000);
    if (state.token) {
      showSignedIn();
      const match = /quiz=([^&]+)/.exec(location.hash);
      if (match) watch(decodeURIComponent(match[1]));
    }
  }

  start();
})();
