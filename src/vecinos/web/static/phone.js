// The demo's phone simulator: texts and calls reach the hotline's webhooks exactly as the
// phone provider would post them (form fields, signed), and the TwiML answers are shown as a
// phone would display or play them. The server signs; this page posts.
"use strict";

(function () {
  const root = document.querySelector(".phone-sim");
  if (!root) return;
  const words = root.dataset;
  const OUR_NUMBER = "+12135550100";
  const number = document.getElementById("sim-number");
  const thread = document.getElementById("sim-thread");
  const callLog = document.getElementById("sim-call-log");
  const actions = document.getElementById("sim-actions");
  const keys = Array.from(root.querySelectorAll(".dialpad .key"));
  let call = null; // { sid, gather: { path, digits, wanted, fields } }

  function hex(n) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function pathOf(url) {
    const parsed = new URL(url, location.origin);
    return parsed.pathname + parsed.search;
  }

  async function post(path, fields) {
    const signed = await window.vecinos.api("POST", "/demo/phone/sign", { path: path, form: fields });
    const answer = await fetch(path, {
      method: "POST",
      headers: { "X-Twilio-Signature": signed.signature },
      body: new URLSearchParams(fields),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(text);
    return new DOMParser().parseFromString(text, "application/xml").documentElement;
  }

  function line(list, text, kind) {
    const item = document.createElement("li");
    item.className = "sim-line " + kind;
    item.textContent = text;
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  // ---- texts ------------------------------------------------------------------------------
  document.getElementById("sim-text-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("sim-text");
    const body = input.value.trim();
    if (!body) return;
    input.value = "";
    line(thread, body, "sent");
    // WhatsApp reaches the same webhook; only the addresses say `whatsapp:`.
    const prefix = document.getElementById("sim-whatsapp").checked ? "whatsapp:" : "";
    const fields = {
      From: prefix + number.value.trim(), To: prefix + OUR_NUMBER, Body: body, MessageSid: "SM" + hex(16),
    };
    try {
      const twiml = await post("/api/alerts/sms/inbound", fields);
      const message = twiml.querySelector("Message");
      line(thread, message ? message.textContent : words.noReply, "received");
    } catch (error) {
      line(thread, String(error.message), "error");
    }
  });

  // ---- calls ------------------------------------------------------------------------------
  function setKeys(enabled) {
    keys.forEach((key) => { key.disabled = !enabled; });
  }

  function button(label, onClick) {
    const made = document.createElement("button");
    made.type = "button";
    made.className = "secondary";
    made.textContent = label;
    made.addEventListener("click", () => { actions.replaceChildren(); onClick(); });
    actions.appendChild(made);
  }

  async function step(path, fields, leg) {
    setKeys(false);
    actions.replaceChildren();
    try {
      play(await post(path, Object.assign({ CallSid: call.sid, From: number.value.trim(), To: OUR_NUMBER }, fields)), leg);
    } catch (error) {
      line(callLog, String(error.message), "error");
    }
  }

  function say(element, leg) {
    const prefix = leg.operator ? words.whisper.replace("{n}", leg.operator) : words.said;
    line(callLog, prefix + ": " + element.textContent, leg.operator ? "whisper" : "received");
  }

  function play(response, leg) {
    if (leg.operator && response.children.length === 0) {
      line(callLog, words.connected, "connected");
      return;
    }
    for (const element of Array.from(response.children)) {
      if (element.tagName === "Say") say(element, leg);
      else if (element.tagName === "Gather") return gather(element, leg);
      else if (element.tagName === "Dial") return dial(element);
      else if (element.tagName === "Record") return record(element);
      else if (element.tagName === "Redirect") return step(pathOf(element.textContent), {}, leg);
      else if (element.tagName === "Hangup") break;
    }
    if (!leg.operator) {
      line(callLog, words.ended, "ended");
      call = null;
    }
  }

  function gather(element, leg) {
    element.querySelectorAll("Say").forEach((spoken) => say(spoken, leg));
    call.gather = { path: pathOf(element.getAttribute("action")), wanted: Number(element.getAttribute("numDigits") || 1), digits: "", leg: leg };
    line(callLog, words.press, "hint");
    setKeys(true);
  }

  function dial(element) {
    const legs = Array.from(element.querySelectorAll("Number"));
    line(callLog, words.ringing + " " + legs.length, "ringing");
    legs.forEach((leg, index) => {
      const n = String(index + 1);
      button(words.volunteer.replace("{n}", n), () => step(pathOf(leg.getAttribute("url")), { CallSid: "CA" + hex(16) }, { operator: n }));
    });
    button(words.nobody, () => step(pathOf(element.getAttribute("action")), { DialCallStatus: "no-answer" }, {}));
  }

  function record(element) {
    line(callLog, words.recording, "recording");
    button(words.finish, () => step(pathOf(element.getAttribute("action")), { RecordingSid: "RE" + hex(16), RecordingDuration: "8" }, {}));
  }

  keys.forEach((key) => key.addEventListener("click", () => {
    if (!call || !call.gather) return;
    const pending = call.gather;
    pending.digits += key.dataset.key;
    line(callLog, key.dataset.key, "sent");
    if (pending.digits.length < pending.wanted) return;
    call.gather = null;
    const fields = { Digits: pending.digits };
    if (pending.leg.operator) fields.CallSid = "CA" + hex(16);
    step(pending.path, fields, pending.leg);
  }));

  document.getElementById("sim-call").addEventListener("click", () => {
    callLog.replaceChildren();
    call = { sid: "CA" + hex(16), gather: null };
    step("/api/hotline/voice/incoming", {}, {});
  });
})();
