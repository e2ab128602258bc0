// Hotline intake: the operator types what the caller says; the report goes in as "hotline".
"use strict";

(function () {
  const form = document.getElementById("hotline");
  if (!form) return;
  const result = document.getElementById("result");

  function value(name) {
    const v = form.elements[name].value.trim();
    return v === "" ? null : v;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const location = { lat: Number(value("lat")), lon: Number(value("lon")) };
    if (value("cross_streets")) location.cross_streets = value("cross_streets");
    const body = {
      activity: form.elements.activity.value,
      agency: form.elements.agency.value,
      agents: value("agents") === null ? null : Number(value("agents")),
      vehicles: value("vehicles") === null ? null : Number(value("vehicles")),
      location: location,
      description: value("description"),
      caller_phone: value("caller_phone"),
      callback_contact: value("callback_contact"),
      idempotency_key: crypto.randomUUID(),
    };
    try {
      const data = await window.vecinos.api("POST", "/api/reports/hotline", body);
      result.textContent = form.dataset.msgSent.replace("{id}", data.report_id).replace("{incident}", data.incident_id);
      result.className = "result sent";
      form.reset();
    } catch (error) {
      result.textContent = error.message;
      result.className = "result error";
    }
  });
})();
