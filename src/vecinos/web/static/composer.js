// The alert composer in the incident detail of the dispatcher console.
//
// It cannot publish the wrong thing:
// - one draft per incident, kept by incident id; a draft is cleared when its incident's state
//   changes or its preview fails, so another incident's text never stays in the boxes;
// - Publish is enabled only after a successful preview of exactly the text in the boxes, and
//   sends the preview's key, which the server checks against the incident and the text;
// - a confirmation step names the incident, the kind and the number of recipients;
// - only the kinds and transitions the incident's state allows are enabled;
// - a responder's "not found" proposes the rumour-control path.
"use strict";

window.vecinos.composer = (function () {
  const root = document.getElementById("composer");
  if (!root) return null;
  const text = root.dataset;
  const api = window.vecinos.api;
  const transitions = JSON.parse(text.transitions);
  const drafts = new Map(); // incident id -> draft
  const LANGUAGES = ["en", "es"];
  let current = null; // the draft on screen
  const board = document.getElementById("console");
  const activities = board ? JSON.parse(board.dataset.activities) : {};

  const $ = (id) => document.getElementById(id);
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  // A message about n recipients, in the form the page's language uses for n.
  const counted = (name, n) =>
    (plurals.select(n) === "one" ? text[name + "One"] : text[name + "Other"]).replace("{n}", n);
  const kindSelect = $("alert-kind");
  const publishButton = $("alert-publish");
  const verdict = $("alert-verdict");
  const confirmBox = $("alert-confirm");

  // aria-busy while the composer waits on the server: the verdict may still change.
  let pending = 0;
  async function busy(work) {
    pending += 1;
    root.setAttribute("aria-busy", "true");
    try {
      return await work();
    } finally {
      pending -= 1;
      if (!pending) root.removeAttribute("aria-busy");
    }
  }

  function field(form, language) {
    return $("alert-" + (form === "full" ? "text" : "short") + "-" + language);
  }

  function describe(incident) {
    return (activities[incident.activity] || incident.activity);
  }

  // ---- the draft on screen ------------------------------------------------------------------

  function newDraft(incident, allowed) {
    return {
      incidentId: incident.id,
      state: incident.state,
      what: describe(incident),
      allowed: allowed,
      kind: allowed[0] || null,
      texts: {}, shorts: {}, cross: null,
      edited: false,
      filled: false, // its kind's template has arrived: from then on it may be typed in
      revision: 0, // counts edits: a preview answered after an edit previewed other words
      preview: null, // the last good preview of exactly this draft
    };
  }

  function readBoxes() {
    if (!current) return;
    LANGUAGES.forEach((language) => {
      current.texts[language] = field("full", language).value;
      current.shorts[language] = field("short", language).value;
    });
    current.kind = kindSelect.value;
    current.cross = $("alert-cross").checked ? $("alert-cross-streets").value : null;
  }

  function showDraft() {
    confirmBox.hidden = true;
    const draft = current;
    $("compose-for").textContent = draft
      ? text.msgFor.replace("{id}", draft.incidentId).replace("{what}", draft.what) : "";
    [...kindSelect.options].forEach((option) => {
      option.disabled = !draft || !draft.allowed.includes(option.value);
    });
    kindSelect.disabled = !draft || !draft.allowed.length;
    if (draft && draft.kind) kindSelect.value = draft.kind;
    // Nothing can be typed into a draft until its template has arrived (nor into one left
    // with no kind): the template would replace what was typed, or land in the middle of it.
    const writable = Boolean(draft && draft.kind && draft.filled);
    LANGUAGES.forEach((language) => {
      field("full", language).value = draft ? draft.texts[language] || "" : "";
      field("short", language).value = draft ? draft.shorts[language] || "" : "";
      field("full", language).readOnly = field("short", language).readOnly = !writable;
    });
    $("alert-cross").checked = Boolean(draft && draft.cross !== null);
    $("alert-cross").disabled = !writable;
    $("alert-cross-streets").disabled = !writable || !$("alert-cross").checked;
    $("alert-cross-streets").value = draft && draft.cross !== null ? draft.cross : "";
    $("alert-preview").disabled = !draft || !(draft.kind || draft.cleared);
    publishButton.disabled = !(draft && draft.preview);
    if (!draft || !draft.preview) $("alert-messages").hidden = true;
  }

  // Nothing of a refused draft stays: empty boxes, no kind, Publish disabled. Opening the
  // incident again starts a new one from the server's state.
  function clear(why) {
    if (!current) return;
    drafts.delete(current.incidentId);
    current = { ...current, texts: {}, shorts: {}, cross: null, preview: null, kind: null, allowed: [], cleared: true };
    showDraft();
    verdict.textContent = text.msgCleared.replace("{why}", why);
  }

  // Any edit makes the last preview stale: Publish waits for a new one.
  function edited() {
    if (!current) return;
    readBoxes();
    current.edited = true;
    current.revision += 1;
    current.preview = null;
    publishButton.disabled = true;
    confirmBox.hidden = true;
    verdict.textContent = text.msgPreviewFirst;
  }

  // ---- preview ------------------------------------------------------------------------------

  function body(draft) {
    const edits = { texts: {}, short_texts: {} };
    LANGUAGES.forEach((language) => {
      if (draft.edited && draft.texts[language]) edits.texts[language] = draft.texts[language].trim();
      if (draft.edited && draft.shorts[language]) edits.short_texts[language] = draft.shorts[language].trim();
    });
    const sent = { kind: draft.kind, texts: edits.texts, short_texts: edits.short_texts };
    if (draft.cross !== null) sent.cross_streets = draft.cross;
    return sent;
  }

  function findingWords(preview) {
    return Object.values(preview.findings).flat()
      .map((f) => (text["found" + f.kind[0].toUpperCase() + f.kind.slice(1)] || f.kind) + " “" + f.text + "”");
  }

  const preview = (draft) => busy(() => previewNow(draft));

  async function previewNow(draft) {
    const sent = body(draft);
    const revision = draft.revision;
    try {
      const seen = await api("POST", "/api/incidents/" + draft.incidentId + "/alerts/preview", sent);
      // The dispatcher moved on, or typed meanwhile: these words are not the ones on screen.
      if (current !== draft || draft.revision !== revision) return;
      if (!draft.edited) {
        LANGUAGES.forEach((language) => {
          draft.texts[language] = seen.texts[language] || "";
          draft.shorts[language] = seen.short_texts[language] || "";
        });
      }
      draft.filled = true;
      draft.preview = seen.publishable
        ? { key: seen.draft_key, body: sent, recipients: seen.recipients, approval: seen.needs_approval } : null;
      showDraft();
      showMessages(seen);
      const notes = [];
      if (seen.needs_approval) notes.push(text.msgNeedsApproval);
      if (seen.deliveries_paused) notes.push(text.msgPaused);
      verdict.textContent = (seen.publishable
        ? counted("msgReady", seen.recipients)
        : text.msgRefused.replace("{what}", findingWords(seen).join(", "))) + (notes.length ? " " + notes.join(" ") : "");
    } catch (error) {
      // Never leave a text the server refused.
      if (current === draft && draft.revision === revision) clear(error.message);
    }
  }

  function showMessages(seen) {
    const items = seen.messages.map((message) => {
      const item = document.createElement("li");
      const details = seen.languages[message.text_language] || {};
      const fellBack = details.fell_back ? " → " + text.msgFallback : "";
      const channel = text["channel" + message.channel[0].toUpperCase() + message.channel.slice(1)] || message.channel;
      const head = document.createElement("p");
      head.className = "message-head";
      head.textContent = counted("msgRow", message.recipients)
        .replace("{language}", message.language + fellBack).replace("{channel}", channel);
      const notes = [];
      if (details.review === "unreviewed") notes.push(text.msgUnreviewed);
      if (message.segments) notes.push(text.msgSegments.replace("{n}", message.segments).replace("{encoding}", message.encoding));
      if (notes.length) head.append(" · " + notes.join(" · "));
      const body = document.createElement("p");
      body.lang = message.text_language;
      if (message.subject) {
        const subject = document.createElement("strong");
        subject.textContent = message.subject;
        body.append(subject, document.createElement("br"));
      }
      body.append(message.text);
      item.append(head, body);
      return item;
    });
    $("alert-messages").querySelector("ol").replaceChildren(...items);
    $("alert-messages").hidden = false;
  }

  // ---- publish, after a confirmation that names what and where ------------------------------

  function askToConfirm() {
    const draft = current;
    if (!draft || !draft.preview) return;
    const kind = kindSelect.options[kindSelect.selectedIndex].textContent;
    $("alert-confirm-text").textContent = counted("msgConfirm", draft.preview.recipients)
      .replace("{kind}", kind).replace("{id}", draft.incidentId).replace("{what}", draft.what) +
      (draft.preview.approval ? " " + text.msgNeedsApproval : "");
    confirmBox.hidden = false;
    $("alert-confirm-yes").focus();
  }

  const publish = () => busy(publishNow);

  async function publishNow() {
    const draft = current;
    confirmBox.hidden = true;
    if (!draft || !draft.preview) return;
    const sent = { ...draft.preview.body, draft_key: draft.preview.key };
    try {
      const alert = await api("POST", "/api/incidents/" + draft.incidentId + "/alerts", sent);
      drafts.delete(draft.incidentId);
      if (window.vecinos.approvals) window.vecinos.approvals.refresh().catch(() => {});
      const published = alert.deadline // 202: a request for a second person, not an alert
        ? text.msgAsked.replace("{until}", new Date(alert.deadline).toLocaleTimeString())
        : counted("msgPublished", alert.recipients);
      // The verdict belongs to this incident: never written over another one opened meanwhile.
      const stillHere = () => current && current.incidentId === draft.incidentId;
      if (!stillHere()) return;
      verdict.textContent = published;
      // What this incident may get next (an update after the alert), from a new draft.
      await open({ id: draft.incidentId, state: draft.state, activity: null, whatText: draft.what }, true);
      if (stillHere()) verdict.textContent = published;
    } catch (error) {
      if (current === draft) clear(error.message);
    }
  }

  // ---- opening an incident ------------------------------------------------------------------

  // The detail's move buttons, enabled only for what the state allows (absent ones skipped).
  function allowMoves(incident) {
    const allowed = transitions[incident.state] || [];
    const moves = {
      ask: !allowed.includes("verifying") && incident.state !== "verifying",
      "mark-unfounded": !allowed.includes("unfounded"),
      "mark-ended": !allowed.includes("ended"),
    };
    Object.entries(moves).forEach(([id, disabled]) => {
      if ($(id)) $(id).disabled = disabled;
    });
  }

  function proposeRumourControl(incident, offers) {
    const nothing = (offers || []).some((offer) => offer.finding === "not_found");
    const confirmed = (offers || []).some((offer) => offer.finding === "confirmed");
    $("compose-proposal").hidden = !(nothing && !confirmed && incident.state === "verifying");
  }

  async function open(incident, fresh) {
    if (current) readBoxes();
    allowMoves(incident);
    const kept = drafts.get(incident.id);
    if (kept && kept.state === incident.state && !fresh) {
      current = kept; // the same incident, unchanged: its own draft, as the dispatcher left it
      showDraft();
      verdict.textContent = kept.preview
        ? counted("msgReady", kept.preview.recipients) : text.msgPreviewFirst;
      return;
    }
    // Nothing of the incident shown before stays on screen while this one loads.
    current = newDraft(incident, []);
    if (incident.whatText) current.what = incident.whatText;
    showDraft();
    const loading = current;
    let kinds;
    try {
      kinds = await busy(() => api("GET", "/api/incidents/" + incident.id + "/alerts/kinds"));
    } catch (error) {
      if (current === loading) clear(error.message);
      return;
    }
    if (current !== loading) return; // another incident was opened meanwhile
    const draft = newDraft({ ...incident, state: kinds.state }, kinds.allowed);
    if (incident.whatText) draft.what = incident.whatText;
    drafts.set(incident.id, draft);
    current = draft;
    showDraft();
    verdict.textContent = draft.kind ? "" : text.msgNoneAllowed;
    if (draft.kind) await preview(draft);
  }

  // ---- wiring -------------------------------------------------------------------------------

  LANGUAGES.forEach((language) => {
    field("full", language).addEventListener("input", edited);
    field("short", language).addEventListener("input", edited);
  });
  $("alert-cross-streets").addEventListener("input", edited);
  $("alert-cross").addEventListener("change", () => {
    $("alert-cross-streets").disabled = !$("alert-cross").checked;
    edited();
  });
  kindSelect.addEventListener("change", () => {
    if (!current) return;
    // Another kind has other words: start from its template, keep nothing of the old one.
    current.kind = kindSelect.value;
    current.edited = false;
    current.filled = false;
    current.revision += 1;
    current.preview = null;
    showDraft();
    preview(current);
  });
  $("alert-preview").addEventListener("click", () => {
    if (!current) return;
    if (current.cleared) { // start again from what the server says now
      open({ id: current.incidentId, state: current.state, whatText: current.what }, true);
      return;
    }
    readBoxes();
    preview(current);
  });
  publishButton.addEventListener("click", askToConfirm);
  $("alert-confirm-yes").addEventListener("click", publish);
  $("alert-confirm-no").addEventListener("click", () => { confirmBox.hidden = true; });
  $("compose-rumour").addEventListener("click", async () => {
    if (!current) return;
    const incidentId = current.incidentId;
    try {
      await api("POST", "/api/incidents/" + incidentId + "/transition", { to: "unfounded" });
      $("compose-proposal").hidden = true;
      const incident = await api("GET", "/api/incidents/" + incidentId);
      allowMoves(incident);
      await open(incident, true);
    } catch (error) {
      verdict.textContent = error.message;
    }
  });

  return {
    // The console calls this whenever it shows an incident, again and again as it changes:
    // the same incident in the same state keeps its draft; anything else opens another.
    show: function (incident, offers) {
      proposeRumourControl(incident, offers);
      allowMoves(incident);
      if (current && current.incidentId === incident.id && current.state === incident.state) return null;
      return open(incident, false);
    },
  };
})();
