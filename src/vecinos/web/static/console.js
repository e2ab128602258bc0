// Dispatcher console. The board arrives whole from the server; the incident stream (Server-Sent
// Events) then names what changed and only those cards are fetched again, as server-rendered
// fragments, and updated in place: the focused card keeps its focus while reports pour in.
// The whole board is fetched again only when the stream (re)connects, when the board starts or
// stops folding one-source incidents into its "possible flood" group, and once a minute so
// ages stay true.
//
// Each card goes in the list the server names (data-lane: its state's, or the possible flood)
// and, within it, where the server ranks it (ranking.js): most sources first, then newest. Answers may
// arrive out of order (a whole board asked for on reconnecting can come after the cards of
// later events), so each card keeps the version it shows (data-version, its timeline's last
// event) and the number of the answer that brought it (data-asked): older data never
// replaces newer.
"use strict";

(function () {
  const root = document.getElementById("console");
  if (!root) return;
  const text = root.dataset;
  const organizations = JSON.parse(text.organizations);
  const detail = document.getElementById("detail");
  const message = document.getElementById("detail-message");
  const live = document.getElementById("live");
  const sound = document.getElementById("sound");
  const api = window.vecinos.api;
  const { arrange, insert, fresher, focusedIn } = window.vecinos.ranking;
  const colours = { reported: "#7a4d00", verifying: "#0b5394", confirmed: "#b3261e", unfounded: "#4a4a4a", ended: "#1e6b32", expired: "#4a4a4a" };
  const SOUND_KEY = "vecinos.console.sound";
  const pageTitle = document.title;
  const unseen = new Set(); // new incidents nobody has opened yet: the title counts them
  // Incidents this page has shown in an open lane: one is announced once, when its card first
  // lands there, whichever answer brings it. Cards folded away (closed, or a possible flood)
  // make no sound; one that leaves the flood because others saw it too does.
  const known = new Set([...root.querySelectorAll(".cards > li[data-incident]")]
    .filter((c) => !c.closest("details")).map((c) => Number(c.dataset.incident)));
  const markers = new Map();
  let selected = null;
  let asked = 0; // answers are numbered in the order they were asked for
  const dropped = new Map(); // incident -> the answer that took its card away
  let folding = document.getElementById("board-lanes").dataset.folding === "true";
  let foldingAsked = 0; // the answer `folding` comes from
  let view = null;
  let incidentLayer = null;
  let shiftLayer = null;

  function plural(n, one, other) {
    return (n === 1 ? one : other).replace("{n}", n);
  }

  // ---- fragments ------------------------------------------------------------------------

  // A server-rendered fragment (our own markup, its text escaped by the server's templates).
  async function fragment(path) {
    const answer = await fetch(path, { headers: { Accept: "text/html" }, cache: "no-store" });
    if (!answer.ok) throw new Error(String(answer.status));
    const holder = document.createElement("template");
    holder.innerHTML = await answer.text();
    return holder.content;
  }

  function cardOf(id) {
    return document.getElementById("incident-" + id);
  }

  // The list a card's lane names: a state's, or the folded "possible-flood".
  function listFor(lane) {
    return root.querySelector('.cards[data-state="' + lane + '"]');
  }

  function drop(card, answer) {
    const focused = focusedIn(card);
    const marker = markers.get(card.dataset.incident);
    if (marker) marker.remove();
    markers.delete(card.dataset.incident);
    dropped.set(card.dataset.incident, answer);
    card.remove();
    if (focused) document.getElementById("board-title").focus();
  }

  // Puts a card from answer number `answer` where it belongs, unless the page already shows
  // something newer. An existing card keeps its <button> (and with it the focus and any key
  // press on its way): only the button's content and the card's data change.
  function place(item, answer) {
    const id = item.dataset.incident;
    const current = cardOf(id);
    if (current ? !fresher(item, answer, current) : (dropped.get(id) || 0) > answer) return;
    const list = item.dataset.gone ? null : listFor(item.dataset.lane);
    if (!list) {
      if (current) drop(current, answer);
      return;
    }
    item.dataset.asked = String(answer);
    if (!current) {
      insert(list, item);
      drawMarker(item);
      if (!list.closest("details")) announce(Number(id));
      return;
    }
    const button = current.querySelector(".card");
    const fresh = item.querySelector(".card");
    if (button.innerHTML !== fresh.innerHTML) button.replaceChildren(...fresh.childNodes);
    ["state", "lane", "sources", "version", "asked", "opened", "lat", "lon", "title"].forEach((key) => {
      current.dataset[key] = item.dataset[key];
    });
    arrange(current, listFor(current.dataset.lane));
    if (!current.closest("details")) announce(Number(id)); // out of the flood: others saw it too
    drawMarker(current);
  }

  // A card that waited, focused, outside the fold its lane names follows it once the focus
  // has gone elsewhere.
  root.querySelector(".board").addEventListener("focusout", (event) => {
    const card = event.target.closest(".cards > li[data-incident]");
    if (!card) return;
    setTimeout(() => {
      if (!card.isConnected || focusedIn(card)) return;
      arrange(card, listFor(card.dataset.lane));
      afterChanges();
    }, 0);
  });

  // The board folds or unfolds one-source incidents as a whole: when a later answer says it
  // now does otherwise than the page shows, only the whole board puts every card right.
  function follow(foldingNow, answer) {
    if (foldingNow === undefined || answer <= foldingAsked) return false;
    const changed = (foldingNow === "true") !== folding;
    folding = foldingNow === "true";
    foldingAsked = answer;
    return changed;
  }

  function afterChanges() {
    root.querySelectorAll(".cards > li[data-incident]").forEach((card) => {
      const id = Number(card.dataset.incident);
      card.querySelector(".card").setAttribute("aria-pressed", String(id === selected));
      card.classList.toggle("new", unseen.has(id));
    });
    root.querySelectorAll("section.lane").forEach((lane) => {
      lane.querySelector(".count").textContent = lane.querySelectorAll(".cards > li").length;
    });
    const closed = root.querySelector("details.closed");
    closed.querySelector("summary .count").textContent = closed.querySelectorAll(".cards > li").length;
    const flood = root.querySelector("details.flood");
    flood.querySelector("summary .count").textContent = flood.querySelectorAll(".cards > li").length;
    showFlood();
    document.title = (unseen.size ? "(" + unseen.size + ") " : "") + pageTitle;
  }

  const pending = new Set();
  let timer = null;

  // Events come in bursts: the cards they name are asked for together, once each.
  function refresh(id) {
    pending.add(id);
    if (!timer) timer = setTimeout(fetchPending, 50);
  }

  async function fetchPending() {
    const ids = [...pending];
    pending.clear();
    try {
      const query = ids.map((id) => "incident=" + encodeURIComponent(id)).join("&");
      const answer = ++asked;
      const content = await fragment("/dispatch/cards?" + query);
      content.querySelectorAll("li[data-incident]").forEach((item) => place(item, answer));
      afterChanges();
      keepInView(ids);
      const list = content.querySelector("ul");
      if (list && follow(list.dataset.folding, answer)) reloadBoard().catch(() => {});
    } catch (_) {
      /* the next reconnection or the minute's reload brings the board back in line */
    } finally {
      timer = pending.size ? setTimeout(fetchPending, 50) : null;
    }
  }

  // The whole board, as it stood when it was read: what a later answer brought stays.
  async function reloadBoard() {
    const answer = ++asked;
    const content = await fragment("/dispatch/board");
    const kept = new Set();
    content.querySelectorAll("li[data-incident]").forEach((item) => {
      kept.add(item.dataset.incident);
      place(item, answer);
    });
    root.querySelectorAll(".cards > li[data-incident]").forEach((card) => {
      if (!kept.has(card.dataset.incident) && Number(card.dataset.asked || 0) < answer) drop(card, answer);
    });
    follow(content.querySelector("#board-lanes").dataset.folding, answer);
    text.boards = String(Number(text.boards || 0) + 1); // whole boards taken in (tests wait on it)
    afterChanges();
  }

  // ---- a new incident: sound and title ---------------------------------------------------

  function announce(id) {
    if (known.has(id)) return;
    known.add(id);
    unseen.add(id);
    chime();
  }

  let audio = null;

  function soundOn() {
    return sound.checked;
  }

  function chime() {
    if (!soundOn()) return;
    text.chimes = String(Number(text.chimes) + 1);
    if (!audio || audio.state !== "running") return; // the browser allows sound after a first gesture
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.5);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.5);
  }

  function wakeAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume().catch(() => {});
  }

  sound.checked = localStorage.getItem(SOUND_KEY) !== "off";
  sound.addEventListener("change", () => localStorage.setItem(SOUND_KEY, sound.checked ? "on" : "off"));
  document.addEventListener("pointerdown", wakeAudio, { passive: true });
  document.addEventListener("keydown", wakeAudio);

  // ---- filter ------------------------------------------------------------------------------

  const filter = document.getElementById("board-filter");

  // The possible flood shows with the reported lane, and only while it holds a card.
  function showFlood() {
    const wanted = document.getElementById("board-filter").value;
    const flood = root.querySelector("details.flood");
    flood.hidden = !flood.querySelector(".cards > li") || (Boolean(wanted) && wanted !== "reported");
  }

  function applyFilter() {
    const wanted = filter.value;
    const closed = root.querySelector("details.closed");
    root.querySelectorAll("section.lane").forEach((lane) => {
      lane.hidden = Boolean(wanted) && lane.dataset.lane !== wanted;
    });
    const closedShown = !wanted || Boolean(closed.querySelector('section.lane[data-lane="' + wanted + '"]'));
    closed.hidden = !closedShown;
    if (wanted && closedShown) closed.open = true;
    showFlood();
  }

  filter.addEventListener("change", applyFilter);
  applyFilter(); // a choice made before this script ran (or kept by the back button) holds too

  // ---- detail ------------------------------------------------------------------------------

  async function showDetail(id, focus) {
    const content = await fragment("/dispatch/incidents/" + id + "/detail");
    if (id !== selected) return; // another incident was opened meanwhile
    const head = content.querySelector('[data-part="head"]');
    document.getElementById("detail-head").replaceChildren(...head.childNodes);
    document.getElementById("detail-lists").replaceChildren(...content.querySelector('[data-part="lists"]').childNodes);
    detail.hidden = false;
    // The composer keeps one draft per incident (composer.js); it is told whenever the
    // incident is shown again, with what it needs to decide.
    const incident = { id: id, state: head.dataset.state, activity: head.dataset.activity };
    const offers = (head.dataset.findings || "").split(",").filter(Boolean).map((f) => ({ finding: f }));
    window.vecinos.composer.show(incident, offers);
    if (focus) detail.focus();
  }

  async function select(id) {
    selected = id;
    unseen.delete(id);
    afterChanges();
    message.textContent = "";
    try {
      await showDetail(id, true);
    } catch (error) {
      message.textContent = error.message;
    }
  }

  // Escape in the detail goes back to the incident's card on the board (opening its fold: the
  // dispatcher asked for that card).
  detail.addEventListener("keydown", (event) => {
    const card = selected === null ? null : cardOf(selected);
    if (event.key !== "Escape" || !card) return;
    const fold = card.closest("details");
    if (fold) fold.open = true;
    card.querySelector(".card").focus();
  });

  root.querySelector(".board").addEventListener("click", (event) => {
    const button = event.target.closest(".card");
    if (button) select(Number(button.closest("li").dataset.incident));
  });

  async function run(action) {
    message.textContent = "";
    try {
      await action();
    } catch (error) {
      message.textContent = error.message;
    }
    refresh(selected);
    await showDetail(selected, false).catch(() => {});
  }

  document.getElementById("ask").addEventListener("click", () => run(async () => {
    const answer = await api("POST", "/api/incidents/" + selected + "/dispatch", {
      legal_observer: document.getElementById("need-legal").checked,
      car: document.getElementById("need-car").checked,
    });
    const asked = answer.offers.length;
    message.textContent = asked ? plural(asked, text.msgAskedOne, text.msgAskedOther) : text.msgNobody;
  }));
  document.getElementById("mark-unfounded").addEventListener("click", () =>
    run(() => api("POST", "/api/incidents/" + selected + "/transition", { to: "unfounded" })));
  document.getElementById("mark-ended").addEventListener("click", () =>
    run(() => api("POST", "/api/incidents/" + selected + "/transition", { to: "ended" })));

  // ---- map ---------------------------------------------------------------------------------

  function drawMarker(card) {
    if (!incidentLayer) return;
    const id = card.dataset.incident;
    const at = [Number(card.dataset.lat), Number(card.dataset.lon)];
    const style = { radius: 9, color: colours[card.dataset.state] || "#000" };
    let marker = markers.get(id);
    if (!marker) {
      marker = window.L.circleMarker(at, style).on("click", () => select(Number(id))).addTo(incidentLayer);
      markers.set(id, marker);
    }
    // A text node: Leaflet takes a string tooltip as HTML (a name with markup would run).
    marker.setLatLng(at).setStyle(style).bindTooltip(document.createTextNode(card.dataset.title));
  }

  async function drawShifts() {
    const shown = [];
    for (const organization of organizations) {
      const shifts = await api("GET", "/api/organizations/" + organization + "/shifts").catch(() => []);
      shifts.filter((s) => s.lat !== null).forEach((s) => shown.push(s));
    }
    shiftLayer.clearLayers();
    shown.forEach((shift) => {
      window.L.circleMarker([shift.lat, shift.lon], { radius: 5, color: "#1e6b32", fillOpacity: 0.9 })
        .bindTooltip(document.createTextNode(shift.display_name)).addTo(shiftLayer);
    });
  }

  // Folded cards (closed today, or a possible flood scattered over the county) do not steer
  // the map.
  function openPoints() {
    return [...root.querySelectorAll(".cards > li[data-incident]")]
      .filter((card) => !card.closest("details"))
      .map((card) => [Number(card.dataset.lat), Number(card.dataset.lon)]);
  }

  let fittedToIncidents = false;

  function fitIncidents() {
    const points = openPoints();
    view.fit(points);
    fittedToIncidents = points.length > 0;
  }

  // The first open incident, or one that changed where the map does not look: show every open
  // incident again.
  function keepInView(ids) {
    if (!view) return;
    const shown = view.map.getBounds();
    const outside = ids.some((id) => {
      const card = cardOf(id);
      return card && !card.closest("details") && !shown.contains([Number(card.dataset.lat), Number(card.dataset.lon)]);
    });
    if (outside || !fittedToIncidents) fitIncidents();
  }

  function startMap() {
    view = window.vecinos.makeMap(document.getElementById("map"));
    if (!view) return;
    incidentLayer = window.L.layerGroup().addTo(view.map);
    shiftLayer = window.L.layerGroup().addTo(view.map);
    root.querySelectorAll(".cards > li[data-incident]").forEach(drawMarker);
    view.ready.then(fitIncidents);
    drawShifts();
    setInterval(drawShifts, 30000);
  }

  // ---- the stream ----------------------------------------------------------------------------

  const stream = new EventSource("/api/incidents/stream");
  // Sent once the server listens, on every (re)connection: what changed before is in the board.
  stream.addEventListener("ready", () => {
    live.textContent = text.msgLive;
    reloadBoard().catch(() => {});
  });
  stream.addEventListener("error", () => {
    live.textContent = text.msgReconnecting;
  });
  stream.addEventListener("incident", (event) => {
    const change = JSON.parse(event.data);
    refresh(change.incident_id); // announced once its card lands in an open lane
    if (change.incident_id === selected) showDetail(selected, false).catch(() => {});
  });
  setInterval(() => reloadBoard().catch(() => {}), 60000);

  afterChanges();
  // A card clicked while this script was still loading has the focus (a click focuses a
  // button) but no handler saw the click: open it now. A card the keyboard reached meanwhile
  // (its focus is visible; a click's is not) was not chosen, only passed over: it keeps the
  // focus, and opening it would move the focus to the detail from under the dispatcher.
  const early = document.activeElement && document.activeElement.closest(".cards .card");
  if (early && !early.matches(":focus-visible")) select(Number(early.closest("li").dataset.incident));
  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
