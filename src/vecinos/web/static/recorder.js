// Record-and-upload: the phone's recording goes to the server in pieces every few seconds
// while it goes on, so what was recorded is kept even if the phone is taken. Each piece is
// numbered and names the hash of the one before; after a dropped connection the phone asks
// the server which piece it holds last and goes on from the next. Nothing is kept on the
// phone longer than it takes to send it.
"use strict";

(function () {
  const root = document.getElementById("recorder");
  if (!root || !window.MediaRecorder) return;
  const text = root.dataset;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const select = document.getElementById("record-incident");
  const startButton = document.getElementById("record-start");
  const stopButton = document.getElementById("record-stop");
  const status = document.getElementById("record-status");
  const fileInput = document.getElementById("record-file");
  const offerOf = new Map(); // incident id -> the responder's assignment to it
  const SLICE_MS = Number(text.sliceMs || 3000);
  const SENT = ["accepted", "en_route", "on_scene", "reported"];

  let recorder = null;
  let stream = null;
  let mediaId = null;
  let nextSeq = 0; // number given to the next piece the recorder hands us
  let confirmed = -1; // last piece the server holds
  let lastSha = null; // its SHA-256, as the server reported it
  let pending = new Map(); // seq -> {bytes, sha}
  let sending = false;
  let stopped = false;
  let retryTimer = null;

  function say(message) {
    status.textContent = message.replace("{n}", String(confirmed + 1)).replace("{w}", String(pending.size));
  }

  async function call(method, path, body, headers) {
    const answer = await fetch(path, {
      method: method,
      headers: Object.assign({ "X-CSRF-Token": csrf, "Accept-Language": document.documentElement.lang }, headers || {}),
      body: body,
    });
    const data = await answer.json().catch(() => ({}));
    return { ok: answer.ok, status: answer.status, data: data };
  }

  async function loadIncidents() {
    const answer = await call("GET", "/api/offers");
    if (!answer.ok) return;
    const chosen = select.value;
    select.replaceChildren();
    for (const offer of answer.data) {
      if (!SENT.includes(offer.state)) continue;
      offerOf.set(String(offer.incident_id), offer.id);
      const option = document.createElement("option");
      option.value = String(offer.incident_id);
      option.textContent = text.msgIncident.replace("{id}", String(offer.incident_id)) +
        (offer.cross_streets ? " — " + offer.cross_streets : "");
      select.append(option);
    }
    if (chosen) select.value = chosen;
    startButton.disabled = recorder !== null || select.options.length === 0;
    // "Ready" replaces only itself: "saved", "sent" and errors stay until the next action.
    const idle = [text.msgReady, text.msgNoIncident, ""].includes(status.textContent);
    if (!recorder && idle) say(select.options.length ? text.msgReady : text.msgNoIncident);
  }

  async function sha256(bytes) {
    if (!(window.crypto && crypto.subtle)) return null;
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function onPiece(event) {
    if (!event.data || !event.data.size) return;
    const seq = nextSeq++; // numbered now, in the order the recorder made them
    const bytes = await event.data.arrayBuffer();
    pending.set(seq, { bytes: bytes, sha: await sha256(bytes) });
    pump();
  }

  async function resync() {
    const answer = await call("GET", "/api/recordings/" + mediaId);
    if (!answer.ok) throw new Error(String(answer.status));
    confirmed = answer.data.last_seq;
    lastSha = answer.data.last_sha256;
    for (const seq of Array.from(pending.keys())) if (seq <= confirmed) pending.delete(seq);
  }

  async function sendPiece(seq, piece) {
    const headers = { "Content-Type": "application/octet-stream" };
    if (piece.sha) headers["X-Chunk-SHA256"] = piece.sha;
    if (seq > 0) headers["X-Previous-SHA256"] = lastSha;
    const answer = await call("PUT", "/api/recordings/" + mediaId + "/chunks/" + seq, piece.bytes, headers);
    if (answer.ok || (answer.data.error && answer.data.error.code === "chunk_repeated")) {
      confirmed = seq;
      lastSha = answer.ok ? answer.data.sha256 : piece.sha;
      pending.delete(seq);
      return;
    }
    if (answer.status === 409) return resync(); // the server knows better: go on from there
    throw new Error((answer.data.error && answer.data.error.message) || String(answer.status));
  }

  async function pump() {
    if (sending || mediaId === null) return;
    sending = true;
    try {
      while (pending.has(confirmed + 1)) {
        await sendPiece(confirmed + 1, pending.get(confirmed + 1));
        say(stopped ? text.msgFinishing : text.msgRecording);
      }
      if (stopped && pending.size === 0 && nextSeq === confirmed + 1) await finish();
    } catch (error) {
      say(text.msgOffline); // keep the pieces; try again shortly
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => resync().then(pump, () => pump()), 2000);
    } finally {
      sending = false;
    }
  }

  async function finish() {
    if (mediaId === null) return;
    const answer = await call("POST", "/api/recordings/" + mediaId + "/finish");
    if (!answer.ok && !(answer.data.error && answer.data.error.code === "recording_finished")) {
      throw new Error(String(answer.status));
    }
    say(text.msgSaved);
    mediaId = null;
    recorder = null;
    startButton.hidden = false;
    startButton.disabled = select.options.length === 0;
  }

  async function start() {
    const kind = root.querySelector('input[name="record-kind"]:checked').value;
    startButton.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia(kind === "video" ? { audio: true, video: true } : { audio: true });
    } catch (error) {
      say(text.msgNoDevice);
      startButton.disabled = false;
      return;
    }
    const opened = await call("POST", "/api/incidents/" + select.value + "/recordings", JSON.stringify({ kind: kind }), {
      "Content-Type": "application/json",
    });
    if (!opened.ok) {
      say((opened.data.error && opened.data.error.message) || String(opened.status));
      stream.getTracks().forEach((track) => track.stop());
      startButton.disabled = false;
      return;
    }
    mediaId = opened.data.media_id;
    nextSeq = 0;
    confirmed = -1;
    lastSha = null;
    pending = new Map();
    stopped = false;
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", onPiece);
    recorder.addEventListener("stop", () => {
      stopped = true;
      stream.getTracks().forEach((track) => track.stop());
      pump();
    });
    recorder.start(SLICE_MS);
    root.dataset.mediaId = String(mediaId);
    startButton.hidden = true;
    stopButton.hidden = false;
    say(text.msgRecording);
  }

  function stop() {
    stopButton.hidden = true;
    if (recorder && recorder.state !== "inactive") recorder.stop();
    say(text.msgFinishing);
  }

  async function sendFile() {
    const file = fileInput.files[0];
    if (!file || !select.value) return;
    say(text.msgSendingFile);
    const offer = offerOf.get(select.value);
    const query = offer === undefined ? "" : "?offer_id=" + offer;
    // The file goes as it is: the server decides its type from its bytes, not its name.
    const answer = await call("POST", "/api/incidents/" + select.value + "/media" + query, file, {
      "Content-Type": "application/octet-stream",
    }).catch(() => ({ ok: false, status: 0, data: {} }));
    say(answer.ok ? text.msgFileSent : (answer.data.error && answer.data.error.message) || text.msgOffline);
    if (answer.ok) fileInput.value = "";
  }

  fileInput.addEventListener("change", sendFile);
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("online", () => mediaId !== null && resync().then(pump, () => pump()));
  select.addEventListener("focus", loadIncidents);
  loadIncidents();
  setInterval(() => recorder === null && loadIncidents(), 10000);
})();
