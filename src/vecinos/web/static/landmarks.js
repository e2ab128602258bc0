// Coordinator admin, landmarks: list, add (click the map or type the point), edit, remove.
"use strict";

(function () {
  const section = document.getElementById("landmarks-section");
  const admin = document.getElementById("admin");
  if (!section || !admin) return;
  const text = section.dataset;
  const base = "/api/organizations/" + admin.dataset.org + "/landmarks";
  const api = window.vecinos.api;
  const form = document.getElementById("landmark");
  const field = (name) => document.getElementById("landmark-" + name);
  const message = document.getElementById("landmark-message");
  let view = null;
  let pins = null;
  let chosen = null;

  function button(label, action) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = "secondary";
    node.textContent = label;
    node.addEventListener("click", action);
    return node;
  }

  function describePoint() {
    const lat = field("lat").value, lon = field("lon").value;
    field("point").textContent = lat && lon
      ? text.msgPoint.replace("{lat}", lat).replace("{lon}", lon) : text.msgNoPoint;
    if (!view) return;
    if (chosen) chosen.remove();
    chosen = lat && lon ? window.L.marker([Number(lat), Number(lon)]).addTo(view.map) : null;
  }

  function edit(landmark) {
    field("id").value = landmark ? landmark.id : "";
    field("name").value = landmark ? landmark.name : "";
    field("lat").value = landmark ? landmark.lat : "";
    field("lon").value = landmark ? landmark.lon : "";
    field("save").textContent = landmark ? text.msgSaveChanges : text.msgAdd;
    field("cancel").hidden = !landmark;
    describePoint();
    if (landmark && view) view.show(landmark.lat, landmark.lon);
    if (landmark) field("name").focus();
  }

  async function load() {
    const found = await api("GET", base);
    const list = document.getElementById("landmarks");
    if (pins) pins.clearLayers();
    if (!found.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = text.msgNone;
      list.replaceChildren(empty);
      return;
    }
    list.replaceChildren(...found.map((landmark) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = landmark.name;
      item.append(name, " ", button(text.msgEdit, () => edit(landmark)),
        " ", button(text.msgRemove, () => act(() => api("DELETE", base + "/" + landmark.id))));
      // A text node: Leaflet takes a string tooltip as HTML.
      if (pins) window.L.circleMarker([landmark.lat, landmark.lon], { radius: 6 }).bindTooltip(document.createTextNode(landmark.name)).addTo(pins);
      return item;
    }));
  }

  async function act(action) {
    message.textContent = "";
    try {
      await action();
      message.textContent = text.msgSaved;
    } catch (error) {
      message.textContent = error.message;
    }
    await load();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = field("id").value;
    const body = { name: field("name").value, lat: Number(field("lat").value), lon: Number(field("lon").value) };
    act(async () => {
      await api(id ? "PUT" : "POST", id ? base + "/" + id : base, body);
      edit(null);
    });
  });
  field("cancel").addEventListener("click", () => edit(null));
  ["lat", "lon"].forEach((name) => field(name).addEventListener("change", describePoint));

  function startMap() {
    view = window.vecinos.makeMap(document.getElementById("landmark-map"), { organization: Number(admin.dataset.org) });
    if (!view) return;
    view.ready.then(() => view.fit([]));
    pins = window.L.layerGroup().addTo(view.map);
    view.map.on("click", (event) => {
      field("lat").value = event.latlng.lat.toFixed(6);
      field("lon").value = event.latlng.lng.toFixed(6);
      describePoint();
    });
  }

  function start() {
    startMap(); // without Leaflet the list and the typed point still work
    load();
  }

  edit(null);
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
