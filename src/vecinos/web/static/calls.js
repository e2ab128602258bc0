// The console's hotline panel: this operator's number and duty, and the calls of the last two
// hours (ringing, taken, messages with a player) refreshed every few seconds.
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
  const languageNames = new Intl.DisplayNames([document.documentElement.lang || "es"], { type: "language" });
  let onDuty = false;

  function fill(template, values) {
    return Object.keys(values).reduce((text, key) => text.replace("{" + key + "}", values[key]), template);
  }

  function showDuty(operator) {
    phoneForm.hidden = operator.has_phone;
    onOff.hidden = !operator.has_phone;
    onDuty = operator.on_duty;
    toggle.textContent = onDuty ? toggle.dataset.off : toggle.dataset.on;
    state.textContent = onDuty ? toggle.dataset.stateOn : toggle.dataset.stateOff;
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
    const when = new Date(call.started_at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
    const language = call.language ? languageNames.of(call.language) : msg.msgUnknownLanguage;
    head.textContent = when + " · " + language + " · " + describe(call);
    li.appendChild(head);
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
      const report = document.createElement("a");
      report.href = "/dispatch/hotline";
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

  async function refresh() {
    if (list.contains(document.activeElement) && document.activeElement.tagName === "AUDIO") return;
    const calls = await api("GET", "/api/hotline/calls?minutes=120").catch(() => null);
    if (!calls) return;
    list.replaceChildren(...(calls.length ? calls.map(item) : [Object.assign(document.createElement("li"), { className: "hint", textContent: msg.msgNone })]));
  }

  api("GET", "/api/hotline/operator").then(showDuty).catch((error) => { message.textContent = error.message; });
  refresh();
  setInterval(refresh, 4000);
})();
