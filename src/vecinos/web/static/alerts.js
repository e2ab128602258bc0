// Active alerts, live: new ones arrive over Server-Sent Events without reloading the page.
// Each incident shows once: its newest alert, with the earlier ones folded under it, marked as
// replaced (an update) or withdrawn (rumour control, all clear).
"use strict";

(function () {
  const list = document.getElementById("alerts");
  if (!list) return;
  const live = document.getElementById("live");
  const labels = JSON.parse(live.dataset.labels);
  const statuses = JSON.parse(live.dataset.statuses);
  const mapBox = document.getElementById("map");
  const language = document.documentElement.lang;
  const LINK = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g;
  const CLOSING = ["rumour_control", "all_clear"];
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

  // The text with its web addresses as links; everything else stays plain text.
  function linked(text) {
    const paragraph = document.createElement("p");
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      paragraph.append(text.slice(last, match.index));
      const anchor = document.createElement("a");
      anchor.href = match[0];
      anchor.rel = "noopener noreferrer";
      anchor.textContent = match[0];
      paragraph.append(anchor);
      last = match.index + match[0].length;
    }
    paragraph.append(text.slice(last));
    return paragraph;
  }

  function body(alert) {
    const label = document.createElement("strong");
    label.className = "alert-label";
    label.textContent = labels[alert.kind] || alert.label;
    const paragraph = linked(alert.text);
    paragraph.lang = alert.language;
    const time = document.createElement("time");
    time.dateTime = alert.published_at;
    time.textContent = new Date(alert.published_at).toLocaleString(language);
    return [label, paragraph, time];
  }

  function history(entry) {
    let details = entry.querySelector("details.history");
    if (!details) {
      details = document.createElement("details");
      details.className = "history";
      details.append(document.createElement("summary"), document.createElement("ol"));
      entry.append(details);
    }
    return details;
  }

  // The thread's current alert goes under "earlier", marked by what replaced it.
  function fold(entry, replacedBy) {
    const status = CLOSING.includes(replacedBy) ? "cancelled" : "superseded";
    const earlier = document.createElement("li");
    earlier.className = "earlier " + entry.dataset.kind + " " + status;
    earlier.dataset.alert = entry.dataset.alert;
    const mark = document.createElement("span");
    mark.className = "status";
    mark.textContent = statuses[status];
    earlier.append(mark, ...[...entry.children].filter((c) => !c.matches("details.history")));
    const details = history(entry);
    details.querySelector("ol").prepend(earlier);
    details.querySelector("summary").textContent =
      live.dataset.msgEarlier.replace("{n}", details.querySelectorAll("ol > li").length);
  }

  function addEarlier(entry, alert) {
    const earlier = document.createElement("li");
    earlier.className = "earlier " + alert.kind + " " + alert.status;
    earlier.dataset.alert = alert.id;
    const mark = document.createElement("span");
    mark.className = "status";
    mark.textContent = statuses[alert.status];
    earlier.append(mark, ...body(alert));
    const details = history(entry);
    details.querySelector("ol").append(earlier);
    details.querySelector("summary").textContent =
      live.dataset.msgEarlier.replace("{n}", details.querySelectorAll("ol > li").length);
  }

  function show(alert) {
    if (list.querySelector('[data-alert="' + alert.id + '"]')) return;
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    let entry = list.querySelector(':scope > [data-thread="' + alert.thread + '"]');
    if (entry && alert.status && alert.status !== "current") {
      addEarlier(entry, alert); // an older message the page missed: under the current one
      return;
    }
    if (entry) {
      fold(entry, alert.kind);
    } else {
      entry = document.createElement("li");
      entry.dataset.thread = alert.thread;
    }
    entry.className = "alert fresh " + alert.kind;
    entry.dataset.alert = alert.id;
    entry.dataset.kind = alert.kind;
    entry.prepend(...body(alert));
    list.prepend(entry); // the newest news on top
    plot(alert.kind, alert.location.lat, alert.location.lon);
    if (view) fit();
    live.textContent = live.dataset.msgNew + ": " + (labels[alert.kind] || alert.label);
  }

  function startMap() {
    view = window.vecinos.makeMap(mapBox);
    if (!view) return;
    layer = window.L.featureGroup().addTo(view.map);
    list.querySelectorAll(":scope > .alert").forEach((entry) => {
      plot([...entry.classList].find((c) => colours[c]), Number(entry.dataset.lat), Number(entry.dataset.lon));
    });
    view.ready.then(fit);
  }

  list.querySelectorAll(":scope > .alert").forEach((entry) => {
    entry.dataset.kind = [...entry.classList].find((c) => colours[c]) || "";
  });
  list.querySelectorAll("time").forEach((time) => { time.textContent = new Date(time.dateTime).toLocaleString(language); });

  // Alerts published while the stream was not listening yet (or was cut): the feed has them,
  // newest first; shown oldest first, each thread ends with its current alert on top.
  async function catchUp() {
    const answer = await fetch("/api/alerts/feed.json?lang=" + encodeURIComponent(language), { cache: "no-cache" });
    if (!answer.ok) return;
    const feed = await answer.json();
    feed.alerts.slice().reverse().forEach(show);
  }

  const stream = new EventSource("/api/alerts/stream?lang=" + encodeURIComponent(language));
  stream.addEventListener("ready", () => {
    live.dataset.stream = "open"; // listening: what is published from now on arrives here
    catchUp().catch(() => {});
  });
  stream.addEventListener("error", () => { live.dataset.stream = "reconnecting"; });
  stream.addEventListener("alert", (event) => show(JSON.parse(event.data)));

  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
