// Active alerts, live: new ones arrive over Server-Sent Events without reloading the page.
"use strict";

(function () {
  const list = document.getElementById("alerts");
  if (!list) return;
  const live = document.getElementById("live");
  const labels = JSON.parse(live.dataset.labels);
  const mapBox = document.getElementById("map");
  const language = document.documentElement.lang;
  let map = null;
  let layer = null;
  const colours = { confirmed: "#b3261e", update: "#b3261e", unconfirmed: "#7a4d00", rumour_control: "#4a4a4a", all_clear: "#1e6b32" };

  function plot(kind, lat, lon) {
    if (!layer) return;
    window.L.circle([lat, lon], { radius: 600, color: colours[kind] || "#000", dashArray: kind === "unconfirmed" ? "6" : null }).addTo(layer);
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
    time.textContent = new Date(alert.published_at).toLocaleString();
    entry.append(label, body, time);
    return entry;
  }

  function startMap() {
    if (!window.L) return;
    map = window.L.map("map").setView(mapBox.dataset.center.split(",").map(Number), 10);
    if (mapBox.dataset.tileUrl) window.L.tileLayer(mapBox.dataset.tileUrl, { attribution: mapBox.dataset.attribution }).addTo(map);
    layer = window.L.layerGroup().addTo(map);
    list.querySelectorAll(".alert").forEach((entry) => {
      plot([...entry.classList].find((c) => colours[c]), Number(entry.dataset.lat), Number(entry.dataset.lon));
    });
  }

  list.querySelectorAll("time").forEach((time) => { time.textContent = new Date(time.dateTime).toLocaleString(); });

  function show(alert) {
    if (list.querySelector('[data-alert="' + alert.id + '"]')) return;
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    list.prepend(item(alert));
    plot(alert.kind, alert.location.lat, alert.location.lon);
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
