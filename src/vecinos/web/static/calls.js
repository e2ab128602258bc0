// The console's hotline panel: this operator's number and duty, and the calls of the last two
// hours (ringing, taken, messages with a player), and the board's voicemail lane; read again
// whenever the hotline's live stream says a call changed (and on every (re)connection).
"use strict";

(function () {
  const panel = document.getElementById("hotline-panel");
  if (!panel || !window.vecinos) return;
  const api = window.vecinos.api;
  const msg = panel.dataset;
  const phoneForm = document.getElementById("hotline-phone-form");
  const onOff = document.getElementById("hotline-on-off");
  const toggle = document.getElementById("hotline-duty-toggle");
  const state = document.getElementById("hotline-duty-state");
  const message = document.getElementById("hotline-message");
  const list = document.getElementById("hotline-calls");
  const yours = document.getElementById("hotline-yours");
  const yoursLink = document.getElementById("hotline-yours-link");
  const voicemailSlot = document.getElementById("voicemail-slot");
  const me = Number(panel.dataset.member);
  const languageNames = new Intl.DisplayNames([document.documentElement.lang || "es"], { type: "language" });
  let onDuty = false;
  let ticking = [];

  function fill(template, values) {
    return Object.keys(values).reduce((text, key) => text.replace("{" + key + "}", values[key]), template);
  }

  function showDuty(operator) {
    phoneForm.hidden = operator.has_phone;
    onOff.hidden = !operator.has_phone;
    onDuty = operator.on_duty;
    toggle.textContent = onDuty ? toggle.dataset.off : toggle.dataset.on;
    // Only today's check-in on a hotline shift makes the phone ring, whatever this switch says.
    if (!onDuty) state.textContent = toggle.dataset.stateOff;
    else state.textContent = operator.on_shift ? toggle.dataset.stateOn : toggle.dataset.stateNoShift;
  }

  async function act(work) {
    message.textContent = "";
    try {
      await work();
    } catch (error) {
      message.textContent = error.message;
    }
  }

  phoneForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act(async () => {
      const phone = document.getElementById("hotline-phone");
      showDuty(await api("PUT", "/api/hotline/operator", { phone: phone.value }));
      phone.value = "";
    });
  });

  toggle.addEventListener("click", () => act(async () => {
    showDuty(await api("POST", "/api/hotline/operator/duty", { on_duty: !onDuty }));
  }));

  function describe(call) {
    const seconds = String(call.waited_seconds || 0);
    if (call.status === "ringing") return fill(msg.msgRinging, { s: seconds });
    if (call.answered_by) return fill(msg.msgTaken, { name: call.answered_by, s: seconds });
    if (call.recording_seconds && !call.message_stored) return msg.msgMessageWaiting;
    if (call.recording_seconds) return fill(msg.msgMessage, { s: String(call.recording_seconds) });
    if (call.waited_seconds !== null) return fill(msg.msgAbandoned, { s: seconds });
    if (call.choice === "rights") return msg.msgRights;
    return msg.msgMenu;
  }

  function item(call) {
    const li = document.createElement("li");
    li.className = "hotline-call status-" + call.status;
    const head = document.createElement("p");
    const when = new Date(call.started_at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", timeZone: panel.dataset.timezone });
    const language = call.language ? languageNames.of(call.language) : msg.msgUnknownLanguage;
    head.textContent = when + " · " + language + " · " + describe(call);
    li.appendChild(head);
    if (call.status === "ringing") {
      // Waiting time counts up here between events (the stream says only what changed).
      const shownAt = Date.now();
      ticking.push(() => {
        const waited = (call.waited_seconds || 0) + Math.floor((Date.now() - shownAt) / 1000);
        head.textContent = when + " · " + language + " · " + describe(Object.assign({}, call, { waited_seconds: waited }));
      });
    }
    if (call.withheld || call.banned) {
      const note = document.createElement("p");
      note.className = "hint";
      note.textContent = call.withheld ? msg.msgWithheld : msg.msgBanned;
      li.appendChild(note);
    }
    if (call.message_stored) {
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = "/api/hotline/messages/" + call.id + "/audio";
      li.appendChild(audio);
    }
    if (call.report_id) {
      const written = document.createElement("p");
      written.className = "hint";
      written.textContent = fill(msg.msgWritten, { id: String(call.report_id) });
      li.appendChild(written);
    } else if (call.message_stored || call.answered_by_id === me) {
      const report = document.createElement("a");
      report.href = "/dispatch/hotline/calls/" + call.id;
      report.textContent = msg.msgReport;
      li.appendChild(report);
    }
    if (!call.withheld && !call.banned) {
      const ban = document.createElement("button");
      ban.type = "button";
      ban.className = "secondary small";
      ban.textContent = msg.msgBan;
      ban.addEventListener("click", () => act(async () => {
        await api("POST", "/api/hotline/calls/" + call.id + "/ban");
        message.textContent = msg.msgBannedDone;
        refresh();
      }));
      li.appendChild(ban);
    }
    return li;
  }

  // The call this operator took and has not written up yet: its prefilled report, one click away.
  function showYours(calls) {
    const mine = calls.find((call) => call.answered_by_id === me && !call.report_id);
    yours.hidden = !mine;
    if (!mine) return;
    const language = mine.language ? languageNames.of(mine.language) : msg.msgUnknownLanguage;
    yoursLink.href = "/dispatch/hotline/calls/" + mine.id;
    yoursLink.textContent = fill(msg.msgYours, { ref: "L-" + mine.id, language: language });
  }

  async function refreshVoicemail() {
    if (!voicemailSlot) return;
    const playing = Array.from(voicemailSlot.querySelectorAll("audio")).some((audio) => !audio.paused);
    if (playing) return; // a dispatcher listening is not interrupted: the next event brings it in line
    const answer = await fetch("/dispatch/voicemail", { headers: { Accept: "text/html" } }).catch(() => null);
    if (answer && answer.ok) voicemailSlot.innerHTML = await answer.text();
  }

  async function refresh() {
    refreshVoicemail();
    if (list.contains(document.activeElement) && document.activeElement.tagName === "AUDIO") return;
    const calls = await api("GET", "/api/hotline/calls?minutes=120").catch(() => null);
    if (!calls) return;
    showYours(calls);
    ticking = [];
    list.replaceChildren(...(calls.length ? calls.map(item) : [Object.assign(document.createElement("li"), { className: "hint", textContent: msg.msgNone })]));
    panel.dataset.loaded = String(Date.now());
  }

  api("GET", "/api/hotline/operator").then(showDuty).catch((error) => { message.textContent = error.message; });
  const stream = new EventSource("/api/hotline/stream");
  stream.addEventListener("ready", refresh); // on every (re)connection: what changed meanwhile
  stream.addEventListener("call", refresh);
  setInterval(() => ticking.forEach((tick) => tick()), 1000);
})();
