// The observer report inside a finding form. Its fields come from the page's
// <template id="observer-report-template">; collect() gives the API's shape. What is typed
// lives only in the form, which the responder page keeps across redraws (never in storage:
// a seized phone must not hold it).
"use strict";

(function () {
  const template = document.getElementById("observer-report-template");
  if (!template || !window.vecinos) return;
  const MINUTE = 60000;

  function value(box, name) {
    return box.querySelector('[name="' + name + '"]').value;
  }

  function number(box, name) {
    const text = value(box, name);
    return text === "" ? null : Number(text);
  }

  function checked(box, name) {
    return Array.from(box.querySelectorAll('input[name="' + name + '"]:checked'), (i) => i.value);
  }

  // "14:05" is today by the server's clock; a time later than now was yesterday evening.
  function moment(box, name) {
    const text = value(box, name);
    if (!text) return null;
    const [hours, minutes] = text.split(":").map(Number);
    const now = window.vecinos.serverNow();
    const at = new Date(now);
    at.setHours(hours, minutes, 0, 0);
    if (at.getTime() > now + 5 * MINUTE) at.setDate(at.getDate() - 1);
    return at.toISOString();
  }

  function vehicles(box) {
    return Array.from(box.querySelectorAll(".vehicle-row"), (row) => ({
      type: row.querySelector('[name="vehicle_type"]').value,
      colour: row.querySelector('[name="vehicle_colour"]').value,
    }))
      .filter((v) => v.type || v.colour)
      .map((v) => ({ type: v.type || "other", colour: v.colour || "other" }));
  }

  function addVehicleRow(box) {
    const rows = box.querySelectorAll(".vehicle-row");
    const row = rows[rows.length - 1].cloneNode(true);
    row.querySelectorAll("select").forEach((select) => (select.value = ""));
    box.querySelector(".add-vehicle").before(row);
  }

  function fields(form) {
    const box = template.content.firstElementChild.cloneNode(true);
    box.querySelector(".add-vehicle").addEventListener("click", () => addVehicleRow(box));
    // Nothing to report about agents nobody found: the report hides for "not found".
    form.addEventListener("change", (event) => {
      const target = event.target;
      if (target.type === "radio" && target.name.startsWith("finding")) {
        box.hidden = target.value === "not_found";
      }
    });
    return box;
  }

  function collect(box) {
    if (box.hidden) return null;
    return {
      agents: number(box, "agents"),
      vehicles: number(box, "vehicles"),
      activity: value(box, "activity") || null,
      agencies: checked(box, "agencies"),
      equipment: checked(box, "equipment"),
      vehicles_seen: vehicles(box),
      warrant: checked(box, "warrant")[0] || "unknown",
      detained: number(box, "detained"),
      agents_arrived_at: moment(box, "agents_arrived_at"),
      agents_left_at: moment(box, "agents_left_at"),
      needs: checked(box, "needs"),
      needs_note: value(box, "needs_note").trim() || null,
    };
  }

  window.vecinos.observerReport = { fields: fields, collect: collect };
})();
