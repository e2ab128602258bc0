// Hotline intake: the operator types what the caller says; the report goes in as "hotline".
"use strict";

(function () {
  const form = document.getElementById("hotline");
  if (!form) return;
  const result = document.getElementById("result");
  const picker = window.vecinos.placePicker(document.getElementById("place"));

  function say(message, kind) {
    result.textContent = message;
    result.className = "result " + kind;
  }

  function value(name) {
    const v = form.elements[name].value.trim();
    return v === "" ? null : v;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // The same location contract as the public form: a point wins, else the place named.
    const location = {};
    if (value("lat") !== null || value("lon") !== null) {
      location.lat = value("lat") === null ? null : Number(value("lat"));
      location.lon = value("lon") === null ? null : Number(value("lon"));
    } else if (picker.value()) {
      location.place = picker.value();
    }
    if (value("cross_streets")) location.cross_streets = value("cross_streets");
    if (!form.elements.activity.value) return say(form.dataset.msgActivity, "error");
    if (location.lat === undefined && !location.place) return say(form.dataset.msgWhere, "error");
    const body = {
      activity: form.elements.activity.value,
      agency: form.elements.agency.value,
      agents: value("agents") === null ? null : Number(value("agents")),
      vehicles: value("vehicles") === null ? null : Number(value("vehicles")),
      location: location,
      description: value("description"),
      callback_contact: value("callback_contact"),
      idempotency_key: crypto.randomUUID(),
    };
    // From a call: its time is the time of the report, and the report is linked to the call.
    const call = form.dataset.call;
    if (call) body.observed_at = form.dataset.observed;
    else body.caller_phone = value("caller_phone");
    try {
      const url = call ? "/api/hotline/calls/" + call + "/report" : "/api/reports/hotline";
      const data = await window.vecinos.api("POST", url, body);
      const sent = call ? form.dataset.msgCallSent : form.dataset.msgSent;
      say(sent.replace("{id}", data.report_id).replace("{incident}", data.incident_id), "sent");
      form.reset();
      picker.clear();
    } catch (error) {
      say(error.message, "error");
    }
  });
  form.querySelector("button[type=submit]").disabled = false; // the page holds it until this listens
})();
