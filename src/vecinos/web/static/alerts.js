// Active alerts, live: new ones arrive over Server-Sent Events without reloading the page.
"use strict";

(function () {
  const list = document.getElementById("alerts");
  if (!list) return;
  const live = document.getElementById("live");
  const labels = JSON.parse(live.dataset.labels);
  const mapBox = document.getElementById("map");
  const language = document.documentElement.lang;
  let view = null;
  let layer = null;
  const colours = { confirmed: "#b3261e", update: "#b3261e", unconfirmed: "#7a4d00", rumour_control: "#4a4a4a", all_clear: "#1e6b32" };

  function plot(kind, lat, lon) {
    if (!layer) return;
    window.L.circle([lat, lon], { radius: 600, color: colours[kind] || "#000", dashArray: kind === "unconfirmed" ? "6" : null }).addTo(layer);
  }

  // Every alert's whole circle in view; with none, the coalition's zones.
  function fit() {
    const points = [];
    layer.eachLayer((circle) => {
      const bounds = circle.getBounds();
      [bounds.getSouthWest(), bounds.getNorthEast()].forEach((p) => points.push([p.lat, p.lng]));
    });
    view.fit(points);
  }

  function item(alert) {
    const entry = document.createElement("li");
    entry.className = "alert fresh " + alert.kind;
    entry.dataset.alert = alert.id;
    const label = document.createElement("strong");
    label.className = "alert-label";
    label.textContent = labels[alert.kind] || alert.label;
    const body = document.createElement("p");
    body.lang = alert.language;
    body.textContent = alert.text;
    const time = document.createElement("time");
    time.dateTime = alert.published_at;
    time.textContent = new Date(alert.published_at).toLocaleString(language);
    entry.append(label, body, time);
    return entry;
  }

  function startMap() {
    view = window.vecinos.makeMap(mapBox);
    if (!view) return;
    layer = window.L.featureGroup().addTo(view.map);
    list.querySelectorAll(".alert").forEach((entry) => {
      plot([...entry.classList].find((c) => colours[c]), Number(entry.dataset.lat), Number(entry.dataset.lon));
    });
    view.ready.then(fit);
  }

  list.querySelectorAll("time").forEach((time) => { time.textContent = new Date(time.dateTime).toLocaleString(language); });

  function show(alert) {
    if (list.querySelector('[data-alert="' + alert.id + '"]')) return;
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.prepend(item(alert));
    plot(alert.kind, alert.location.lat, alert.location.lon);
    if (view) fit();
    live.textContent = live.dataset.msgNew + ": " + (labels[alert.kind] || alert.label);
  }

  // Alerts published while the stream was not listening yet (or was cut): the feed has them.
  async function catchUp() {
    const answer = await fetch("/api/alerts/feed.json?lang=" + encodeURIComponent(language), { cache: "no-store" });
    if (!answer.ok) return;
    const feed = await answer.json();
    feed.alerts.slice().reverse().forEach(show);  // newest first in the feed, and on top here
  }

  const stream = new EventSource("/api/alerts/stream?lang=" + encodeURIComponent(language));
  stream.addEventListener("ready", () => catchUp().catch(() => {}));
  stream.addEventListener("alert", (event) => show(JSON.parse(event.data)));

  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
