// The report form: a pin on the map or "use my location", and an outbox on the phone.
// A report is kept in localStorage with its idempotency key until the server has it, so a
// dropped connection, a closed tab or a retry never loses it and never sends it twice.
"use strict";

(function () {
  const form = document.getElementById("report");
  if (!form) return;
  const OUTBOX = "vecinos.outbox";
  const DEVICE = "vecinos.device";
  const result = document.getElementById("result");
  const pinStatus = document.getElementById("pin-status");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");
  let marker = null;
  let view = null;
  let area = null; // the chosen neighbourhood, ZIP code or landmark, drawn on the map
  const picker = window.vecinos.placePicker(document.getElementById("place"), showPlace);

  function deviceToken() {
    let token = localStorage.getItem(DEVICE);
    if (!token) {
      token = crypto.randomUUID() + crypto.randomUUID();
      localStorage.setItem(DEVICE, token);
    }
    return token;
  }

  function outbox() {
    try {
      return JSON.parse(localStorage.getItem(OUTBOX) || "[]");
    } catch (_) {
      return [];
    }
  }

  function saveOutbox(items) {
    localStorage.setItem(OUTBOX, JSON.stringify(items));
  }

  function say(message, kind) {
    result.textContent = message;
    result.className = "result " + (kind || "");
  }

  function numberOrNull(name) {
    const value = form.elements[name].value;
    return value === "" ? null : Number(value);
  }

  function textOrNull(name) {
    const value = form.elements[name].value.trim();
    return value === "" ? null : value;
  }

  // One location contract with the server: a pin wins; else the place chosen; cross streets
  // go with either.
  function payload() {
    const location = {};
    if (lat.value && lon.value) {
      location.lat = Number(lat.value);
      location.lon = Number(lon.value);
    } else if (picker.value()) {
      location.place = picker.value();
    }
    const cross = textOrNull("cross_streets");
    if (cross) location.cross_streets = cross;
    const observed = form.elements.observed_at.value;
    return {
      activity: form.elements.activity.value,
      agency: form.elements.agency.value,
      agents: numberOrNull("agents"),
      vehicles: numberOrNull("vehicles"),
      location: location,
      observed_at: observed ? new Date(observed).toISOString() : null,
      description: textOrNull("description"),
      callback_contact: textOrNull("callback_contact"),
      idempotency_key: crypto.randomUUID(),
      device_token: deviceToken(),
      source: "web",
    };
  }

  // The proof of work every public report carries (ALTCHA v1): the number behind the
  // challenge's SHA-256, found by trying them in turn. A fresh challenge for every attempt:
  // each buys one report, and an outbox item may wait longer than a challenge lives.
  async function proofOfWork() {
    const answer = await fetch("/api/reports/challenge", { cache: "no-store" });
    if (!answer.ok) throw new Error("no challenge");
    const task = await answer.json();
    const wanted = task.challenge;
    const encoder = new TextEncoder();
    for (let number = 0; number <= task.maxnumber; number++) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(task.salt + number)));
      if (hexOf(digest) === wanted) {
        const solved = { algorithm: task.algorithm, challenge: wanted, number: number, salt: task.salt, signature: task.signature };
        return btoa(JSON.stringify(solved));
      }
    }
    throw new Error("unsolved");
  }

  function hexOf(bytes) {
    let hex = "";
    for (const byte of bytes) hex += (byte < 16 ? "0" : "") + byte.toString(16);
    return hex;
  }

  // A refusal about the proof itself is the page's to mend (a new challenge next time), not
  // the reporter's: the report stays in the outbox.
  const PROOF_CODES = ["proof_required", "proof_invalid", "proof_expired", "proof_used"];

  // Sends one queued report. Resolves to "sent", "refused" (the server said no: keep the
  // reason, drop the item), "busy" (429 or 5xx: the server will take it a little later) or
  // "offline" (no answer). A busy or offline report stays in the outbox and is sent again
  // with the same idempotency key, so a retry never files it twice.
  async function send(item) {
    let answer;
    try {
      const proof = await proofOfWork();
      answer = await fetch("/api/reports", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
        body: JSON.stringify(Object.assign({}, item, { proof: proof })),
      });
    } catch (_) {
      return { state: "offline" };
    }
    const body = await answer.json().catch(() => ({}));
    if (answer.ok) return { state: "sent", body: body };
    if (answer.status >= 500 || answer.status === 429) {
      return { state: "busy", retryAfter: secondsOf(answer.headers.get("Retry-After")) };
    }
    if (body.error && PROOF_CODES.includes(body.error.code)) return { state: "busy", retryAfter: 0 };
    return { state: "refused", reason: (body.error && body.error.message) || answer.status };
  }

  // Retry-After in seconds or as an HTTP date; null when absent or unreadable.
  function secondsOf(header) {
    if (!header) return null;
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, seconds);
    const when = Date.parse(header);
    return Number.isNaN(when) ? null : Math.max(0, (when - Date.now()) / 1000);
  }

  // Exponential back-off between tries (1 s, 2 s, 4 s … up to a minute, with jitter so a
  // thousand phones refused at once do not come back at once), never sooner than the
  // server's Retry-After. The `online` event still sends at once.
  const FIRST_RETRY_MS = 1000;
  const LAST_RETRY_MS = 60000;
  let failures = 0;
  let retryTimer = null;

  function retryLater(outcome) {
    const backoff = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
    failures += 1;
    const jittered = backoff / 2 + Math.random() * (backoff / 2);
    const asked = outcome.retryAfter === null || outcome.retryAfter === undefined ? 0 : outcome.retryAfter * 1000;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, Math.max(jittered, asked));
  }

  // Photos wait in IndexedDB (localStorage holds only text) under the report's idempotency
  // key, so an offline report keeps its photo until both are sent.
  function photoStore(mode, action) {
    return new Promise((resolve, reject) => {
      const opening = indexedDB.open("vecinos", 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore("photos");
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const transaction = opening.result.transaction("photos", mode);
        const request = action(transaction.objectStore("photos"));
        transaction.oncomplete = () => resolve(request ? request.result : undefined);
        transaction.onerror = () => reject(transaction.error);
      };
    });
  }

  const keepPhoto = (key, file) => photoStore("readwrite", (store) => store.put(file, key));
  const photoOf = (key) => photoStore("readonly", (store) => store.get(key));
  const dropPhoto = (key) => photoStore("readwrite", (store) => store.delete(key));

  async function sendPhoto(item, receipt) {
    const photo = await photoOf(item.idempotency_key).catch(() => undefined);
    if (!photo) return;
    const answer = await fetch("/api/reports/status/" + receipt.status_token + "/photo", {
      method: "POST",
      headers: { "Accept-Language": document.documentElement.lang },
      body: photo,
    }).catch(() => null);
    if (answer && answer.ok) {
      await dropPhoto(item.idempotency_key);
      say(result.textContent + " " + form.dataset.msgPhotoSent, "sent");
    } else if (answer) {
      const body = await answer.json().catch(() => ({}));
      await dropPhoto(item.idempotency_key);
      say(form.dataset.msgPhotoFailed.replace("{reason}", (body.error && body.error.message) || answer.status), "error");
    }
  }

  function forget(item) {
    saveOutbox(outbox().filter((other) => other.idempotency_key !== item.idempotency_key));
  }

  // "Sent … Status: {link}", the link as a link: the status page, in the reporter's language.
  function sayWithLink(message, url) {
    const [before, after] = message.split("{link}");
    const link = document.createElement("a");
    link.href = url;
    link.textContent = url;
    result.replaceChildren(before, link, after || "");
    result.className = "result sent";
  }

  function tell(outcome) {
    if (outcome.state === "sent") {
      sayWithLink(form.dataset.msgSent, outcome.body.status_url);
    } else if (outcome.state === "refused") {
      say(form.dataset.msgError.replace("{reason}", outcome.reason), "error");
    } else if (outcome.state === "busy") {
      say(form.dataset.msgBusy, "queued");
    } else {
      say(form.dataset.msgQueued, "queued");
    }
  }

  // Sends what the phone kept, oldest first; at the first busy or silent answer it stops and
  // tries again after a back-off. One flush at a time: a timer and the `online` event may
  // both fire.
  let flushing = false;

  async function flush() {
    if (flushing) return;
    flushing = true;
    clearTimeout(retryTimer);
    try {
      for (const item of outbox()) {
        const outcome = await send(item);
        if (outcome.state === "busy" || outcome.state === "offline") {
          retryLater(outcome);
          return;
        }
        failures = 0;
        forget(item);
        if (outcome.state === "sent") {
          sayWithLink(form.dataset.msgFlushed + " " + form.dataset.msgStatus, outcome.body.status_url);
          await sendPhoto(item, outcome.body);
        } else {
          tell(outcome);
        }
      }
    } finally {
      flushing = false;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = payload();
    if (!item.activity) {
      say(form.dataset.msgActivity, "error");
      form.querySelector("input[name=activity]").focus();
      return;
    }
    if (item.location.lat === undefined && !item.location.place) {
      say(form.dataset.msgWhere, "error");
      document.getElementById("place-search").focus();
      return;
    }
    const photo = form.elements.photo.files[0];
    if (photo) await keepPhoto(item.idempotency_key, photo).catch(() => {});
    saveOutbox(outbox().concat([item]));  // kept first: a crash mid-send loses nothing
    say(form.dataset.msgWorking, "queued");
    const outcome = await send(item);
    const kept = outcome.state === "busy" || outcome.state === "offline";
    if (kept) retryLater(outcome);
    else forget(item);
    tell(outcome);
    if (outcome.state === "sent") await sendPhoto(item, outcome.body);
    if (outcome.state !== "refused") {
      // Sent, or kept to be sent by itself: an empty form, so it is not sent twice by hand.
      form.reset();
      picker.clear();
    }
  });

  window.addEventListener("online", flush);
  if (outbox().length && navigator.onLine) flush();

  function showPlace(place) {
    if (!view) return;
    if (area) area.remove();
    area = null;
    if (!place) return;
    area = window.L.circleMarker([place.lat, place.lon], { radius: 14, color: "#0b5394", dashArray: "4 4", interactive: false }).addTo(view.map);
    view.show(place.lat, place.lon);
  }

  function placePin(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    window.vecinos.namePin(pinStatus, latitude, longitude);
    if (view) {
      if (marker) marker.setLatLng([latitude, longitude]);
      else marker = window.L.marker([latitude, longitude]).addTo(view.map);
    }
  }

  document.getElementById("use-location").addEventListener("click", () => {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        placePin(position.coords.latitude, position.coords.longitude);
        if (view) view.show(position.coords.latitude, position.coords.longitude);
      },
      () => say(form.dataset.msgWhere, "error"),
      { enableHighAccuracy: true, timeout: 10000 },
    );
  });

  function startMap() {
    view = window.vecinos.makeMap(document.getElementById("map"));
    if (!view) return;
    view.ready.then(() => {
      if (!lat.value) view.fit([]);
    });
    view.map.on("click", (event) => placePin(event.latlng.lat, event.latlng.lng));
  }

  // The page holds the button until this listens: sent without it, the form would leave the
  // page and lose the report.
  form.querySelector("button[type=submit]").disabled = false;

  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
})();
