// Coordinator admin: stop every outgoing alert at once, and resume.
"use strict";

(function () {
  const section = document.getElementById("deliveries-section");
  if (!section) return;
  const text = section.dataset;
  const api = window.vecinos.api;
  const status = document.getElementById("deliveries-status");
  const message = document.getElementById("deliveries-message");
  const halt = document.getElementById("halt");
  const resume = document.getElementById("resume");

  async function show() {
    const hold = await api("GET", "/api/alerts/hold");
    halt.hidden = hold.halted;
    resume.hidden = !hold.halted;
    section.classList.toggle("stopped", hold.halted);
    if (!hold.halted) {
      status.textContent = text.msgSending;
      return;
    }
    const why = (hold.reason === "alarm" ? text.msgAlarm : text.msgHalt) + (hold.note ? ": " + hold.note : "");
    status.textContent = text.msgStopped.replace("{when}", new Date(hold.since).toLocaleString()).replace("{why}", why);
  }

  async function act(method, path, body) {
    message.textContent = "";
    try {
      await api(method, path, body);
    } catch (error) {
      message.textContent = error.message;
    }
    await show();
  }

  halt.addEventListener("click", () => act("POST", "/api/alerts/halt", { note: document.getElementById("halt-note").value || null }));
  resume.addEventListener("click", () => act("POST", "/api/alerts/resume"));
  show().catch(() => {});
})();
