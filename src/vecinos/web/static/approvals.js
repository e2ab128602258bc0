// Dispatcher console: alerts waiting for a second person, and the banner while deliveries are
// stopped. The one who asked sees the request but can only withdraw it.
"use strict";

window.vecinos.approvals = (function () {
  const section = document.getElementById("approvals");
  const banner = document.getElementById("paused-banner");
  if (!section) return null;
  const text = section.dataset;
  const api = window.vecinos.api;
  const me = Number(text.member);
  const message = document.getElementById("approval-message");

  function line(approval) {
    const who = approval.requested_by === me ? text.msgYou : approval.requested_by_name;
    const until = new Date(approval.deadline).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const kind = text["kind" + approval.kind[0].toUpperCase() + approval.kind.slice(1)] || approval.kind;
    return text.msgItem.replace("{id}", approval.incident_id).replace("{kind}", kind)
      .replace("{n}", approval.recipients).replace("{who}", who).replace("{until}", until);
  }

  function item(approval) {
    const entry = document.createElement("li");
    entry.dataset.approval = approval.id;
    const head = document.createElement("p");
    head.className = "approval-head";
    head.textContent = line(approval);
    entry.append(head);
    Object.entries(approval.shown).forEach(([language, words]) => {
      const quoted = document.createElement("blockquote");
      quoted.lang = language;
      quoted.textContent = words;
      entry.append(quoted);
    });
    const buttons = document.getElementById("approval-buttons").content.cloneNode(true);
    const mine = approval.requested_by === me;
    buttons.querySelector(".approve").hidden = mine;
    buttons.querySelector(".refuse").hidden = mine;
    buttons.querySelector(".withdraw").hidden = !mine;
    buttons.querySelector(".approve").addEventListener("click", () => decide(approval, "approve", text.msgApproved));
    buttons.querySelector(".refuse").addEventListener("click", () => decide(approval, "refuse", text.msgRefused));
    buttons.querySelector(".withdraw").addEventListener("click", () => decide(approval, "refuse", text.msgRefused));
    entry.append(buttons);
    return entry;
  }

  async function decide(approval, how, done) {
    try {
      await api("POST", "/api/alerts/approvals/" + approval.id + "/" + how);
      message.textContent = done;
    } catch (error) {
      message.textContent = error.message;
    }
    await refresh();
  }

  async function showHold() {
    if (!banner) return;
    const hold = await api("GET", "/api/alerts/hold");
    banner.hidden = !hold.halted;
    if (hold.halted) {
      const why = hold.reason === "alarm" ? banner.dataset.msgAlarm : banner.dataset.msgHalt;
      banner.textContent = banner.dataset.msgPaused.replace("{why}", why + (hold.note ? ": " + hold.note : ""))
        .replace("{when}", new Date(hold.since).toLocaleTimeString());
    }
  }

  async function refresh() {
    const waiting = await api("GET", "/api/alerts/approvals");
    document.getElementById("approval-list").replaceChildren(...waiting.map(item));
    section.hidden = !waiting.length && !message.textContent;
    await showHold();
  }

  refresh().catch(() => {});
  window.setInterval(() => refresh().catch(() => {}), 15000);
  return { refresh: refresh };
})();
