// Dispatcher console: the board follows the incident stream (Server-Sent Events) and redraws
// from the API, so what a dispatcher sees is always what the server holds.
"use strict";

(function () {
  const root = document.getElementById("console");
  if (!root) return;
  const text = root.dataset;
  const activities = JSON.parse(text.activities);
  const organizations = JSON.parse(text.organizations);
  const detail = document.getElementById("detail");
  const message = document.getElementById("detail-message");
  let selected = null;
  let drafted = null; // incident and state of the draft in the form: keep edits on refresh
  let map = null;
  let layer = null;

  const api = window.vecinos.api;

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // Leaflet takes a string tooltip as HTML; an element built with textContent shows the words.
  function words(content) {
    return element("span", "", content);
  }

  function badge(incident) {
    const kind = incident.label; // "unverified" until a responder confirms it
    const words = { unverified: text.msgUnverified, confirmed: text.msgConfirmed, unfounded: text.msgUnfounded };
    return element("span", "badge " + kind, words[kind] || kind);
  }

  function place(incident) {
    return incident.cross_streets || incident.public_lat.toFixed(3) + ", " + incident.public_lon.toFixed(3);
  }

  function minutesAgo(iso) {
    return Math.max(0, Math.round((window.vecinos.serverNow() - Date.parse(iso)) / 60000));
  }

  function card(incident) {
    const item = element("li");
    const button = element("button", "card");
    button.type = "button";
    button.dataset.incident = incident.id;
    button.setAttribute("aria-pressed", String(incident.id === selected));
    const title = element("strong", "", (activities[incident.activity] || incident.activity) + " · " + place(incident));
    const meta = element("span", "meta",
      text.msgReports.replace("{n}", incident.report_count).replace("{s}", incident.source_count) +
      " · " + text.msgAge.replace("{m}", minutesAgo(incident.opened_at)));
    button.append(badge(incident), title, meta);
    button.addEventListener("click", () => select(incident.id));
    item.append(button);
    return item;
  }

  async function loadBoard() {
    const incidents = await api("GET", "/api/incidents?limit=200");
    document.querySelectorAll(".cards").forEach((list) => {
      const here = incidents.filter((i) => i.state === list.dataset.state);
      list.replaceChildren(...here.map(card));
    });
    drawMap(incidents);
  }

  async function drawMap(incidents) {
    if (!map) return;
    layer.clearLayers();
    const colours = { reported: "#7a4d00", verifying: "#0b5394", confirmed: "#b3261e", unfounded: "#4a4a4a", ended: "#1e6b32" };
    incidents.forEach((incident) => {
      window.L.circleMarker([incident.lat, incident.lon], { radius: 9, color: colours[incident.state] || "#000" })
        .bindTooltip(words(activities[incident.activity] || incident.activity))
        .on("click", () => select(incident.id))
        .addTo(layer);
    });
    for (const organization of organizations) {
      const shifts = await api("GET", "/api/organizations/" + organization + "/shifts").catch(() => []);
      shifts.filter((s) => s.lat !== null).forEach((shift) => {
        window.L.circleMarker([shift.lat, shift.lon], { radius: 5, color: "#1e6b32", fillOpacity: 0.9 })
          .bindTooltip(words(shift.display_name)).addTo(layer);
      });
    }
  }

  function listItems(target, items, describe) {
    document.getElementById(target).replaceChildren(...items.map((item) => element("li", "", describe(item))));
  }

  async function select(id) {
    selected = id;
    document.querySelectorAll(".card").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.incident) === id)));
    const incident = await api("GET", "/api/incidents/" + id);
    detail.hidden = false;
    document.getElementById("detail-title").textContent = (activities[incident.activity] || incident.activity) + " · " + place(incident);
    document.getElementById("detail-label").replaceChildren(badge(incident));
    listItems("detail-reports", incident.reports, (r) =>
      [r.source, r.agency, r.agents !== null ? r.agents + " ×" : "", r.cross_streets || "", r.description || "",
       r.low_trust ? "⚠ " + text.msgLowTrust : "", r.callback_contact ? text.msgContact + ": " + r.callback_contact : ""]
        .filter(Boolean).join(" · "));
    listItems("detail-timeline", incident.timeline, (e) => new Date(e.at).toLocaleTimeString() + " " + e.kind);
    let offers = [];
    try {
      offers = (await api("GET", "/api/incidents/" + id + "/dispatch")).offers;
    } catch (error) {
      if (error.status !== 404) throw error;
    }
    if (drafted !== id + ":" + incident.state) {
      drafted = id + ":" + incident.state; // a new state deserves a new draft
      fillDraft(incident);
    }
    listItems("detail-offers", offers, (o) => (o.display_name || "#" + o.rank) + " · " + o.state + (o.finding ? " · " + o.finding : ""));
    detail.focus();
  }

  async function run(action) {
    message.textContent = "";
    try {
      await action();
      await select(selected);
      await loadBoard();
    } catch (error) {
      message.textContent = error.message;
    }
  }

  document.getElementById("ask").addEventListener("click", () => run(async () => {
    const answer = await api("POST", "/api/incidents/" + selected + "/dispatch", {
      legal_observer: document.getElementById("need-legal").checked,
      car: document.getElementById("need-car").checked,
    });
    const asked = answer.offers.length;
    message.textContent = asked ? text.msgAsked.replace("{n}", asked) : text.msgNobody;
  }));
  document.getElementById("mark-unfounded").addEventListener("click", () =>
    run(() => api("POST", "/api/incidents/" + selected + "/transition", { to: "unfounded" })));
  document.getElementById("mark-ended").addEventListener("click", () =>
    run(() => api("POST", "/api/incidents/" + selected + "/transition", { to: "ended" })));

  const kindFor = { confirmed: "confirmed", unfounded: "rumour_control", ended: "all_clear" };

  function alertBody() {
    const texts = {};
    ["en", "es"].forEach((code) => {
      const value = document.getElementById("alert-text-" + code).value.trim();
      if (value) texts[code] = value;
    });
    return { kind: document.getElementById("alert-kind").value, texts: texts };
  }

  function describePreview(preview) {
    const parts = [text.msgRecipients.replace("{n}", preview.recipients)];
    Object.entries(preview.by_channel).forEach(([k, v]) => parts.push(k + ": " + v));
    Object.entries(preview.by_language).forEach(([k, v]) => parts.push(k + ": " + v));
    if (!preview.publishable) {
      const found = Object.values(preview.findings).flat().map((f) => f.kind + " “" + f.text + "”");
      parts.push(text.msgRefused.replace("{what}", found.join(", ")));
    }
    return parts.join(" · ");
  }

  async function fillDraft(incident) {
    const kind = kindFor[incident.state] || "unconfirmed";
    document.getElementById("alert-kind").value = kind;
    try {
      const preview = await api("POST", "/api/incidents/" + incident.id + "/alerts/preview", { kind: kind, texts: {} });
      document.getElementById("alert-text-en").value = preview.texts.en || "";
      document.getElementById("alert-text-es").value = preview.texts.es || "";
      document.getElementById("alert-verdict").textContent = describePreview(preview);
    } catch (error) {
      document.getElementById("alert-verdict").textContent = error.message;
    }
  }

  document.getElementById("alert-preview").addEventListener("click", async () => {
    const verdict = document.getElementById("alert-verdict");
    try {
      verdict.textContent = describePreview(await api("POST", "/api/incidents/" + selected + "/alerts/preview", alertBody()));
    } catch (error) {
      verdict.textContent = error.message;
    }
  });
  document.getElementById("alert-publish").addEventListener("click", async () => {
    const verdict = document.getElementById("alert-verdict");
    try {
      const alert = await api("POST", "/api/incidents/" + selected + "/alerts", alertBody());
      verdict.textContent = text.msgPublished.replace("{n}", alert.recipients);
    } catch (error) {
      verdict.textContent = error.message;
    }
  });

  function startMap() {
    if (!window.L) return;
    window.L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
    map = window.L.map("map").setView(text.center.split(",").map(Number), 10);
    if (text.tileUrl) window.L.tileLayer(text.tileUrl, { attribution: text.attribution }).addTo(map);
    layer = window.L.layerGroup().addTo(map);
    loadBoard();
  }

  const stream = new EventSource("/api/incidents/stream");
  // Sent once the server listens, on every (re)connection: what changed before is in the list.
  stream.addEventListener("ready", () => loadBoard());
  stream.addEventListener("incident", (event) => {
    const change = JSON.parse(event.data);
    loadBoard();
    if (selected !== null && change.incident_id === selected) select(selected);
  });

  loadBoard();
  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
