// Subscribing without an account: an area, a language, a channel; then double opt-in.
"use strict";

(function () {
  const form = document.getElementById("subscribe");
  if (!form) return;
  const confirmForm = document.getElementById("confirm");
  const result = document.getElementById("result");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");
  let view = null;
  let marker = null;
  let circle = null;
  let handle = null;

  function post(path, body) {
    return window.vecinos.api("POST", path, body);
  }

  // The pin and the circle of the chosen radius around it: the area alerts will cover.
  function place(latitude, longitude) {
    lat.value = latitude.toFixed(5);
    lon.value = longitude.toFixed(5);
    window.vecinos.namePin(document.getElementById("pin-status"), latitude, longitude);
    if (!view) return;
    const at = [latitude, longitude];
    const radius = Number(form.elements.radius.value);
    if (marker) marker.setLatLng(at);
    else marker = window.L.marker(at).addTo(view.map);
    if (circle) circle.setLatLng(at).setRadius(radius);
    else circle = window.L.circle(at, { radius: radius, color: "#0b5394", interactive: false }).addTo(view.map);
  }

  // A fixed post (a school, a court) picked from the list places the pin there (sites_near.js).
  form.addEventListener("vecinos:site", (event) => {
    form.elements.radius.value = String(event.detail.radius_m);
    place(event.detail.lat, event.detail.lon);
    if (view) view.map.setView([event.detail.lat, event.detail.lon], 14);
  });

  form.elements.radius.addEventListener("change", () => {
    if (lat.value) place(Number(lat.value), Number(lon.value));
  });

  function area() {
    const zones = [...form.querySelectorAll("input[name=zone]:checked")].map((i) => Number(i.value));
    if (zones.length) return { zone_ids: zones };
    if (!lat.value) return null;
    return { lat: Number(lat.value), lon: Number(lon.value), radius_m: Number(form.elements.radius.value) };
  }

  async function pushSubscription() {
    const registration = await navigator.serviceWorker.register("/sw.js");
    const key = form.dataset.pushKey.replace(/-/g, "+").replace(/_/g, "/");
    const raw = Uint8Array.from(atob(key + "=".repeat((4 - (key.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: raw });
    return subscription.toJSON();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "";
    const where = area();
    if (!where) {
      result.textContent = form.dataset.msgWhere;
      return;
    }
    const channel = form.elements.channel.value;
    const body = {
      language: form.elements.language.value,
      area: where,
      channel: channel,
      wants_rumour_control: form.elements.wants_rumour_control.checked,
      wants_all_clear: form.elements.wants_all_clear.checked,
    };
    try {
      if (channel === "push") body.push_subscription = await pushSubscription();
      else body.contact = form.elements.contact.value.trim();
      const answer = await post("/api/alerts/subscriptions", body);
      handle = answer.handle;
      if (channel === "sms") {
        result.textContent = form.dataset.msgCodeSent;
        confirmForm.hidden = false;
        document.getElementById("code").focus();
      } else if (channel === "email") {
        result.textContent = form.dataset.msgCheckEmail;
      } else {
        result.textContent = form.dataset.msgConfirmed;
      }
    } catch (error) {
      result.textContent = error.message;
    }
  });

  confirmForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post("/api/alerts/subscriptions/confirm", { handle: handle, code: confirmForm.elements.code.value.trim() });
      result.textContent = form.dataset.msgConfirmed;
      confirmForm.hidden = true;
    } catch (error) {
      result.textContent = error.message;
    }
  });

  document.getElementById("use-location").addEventListener("click", () => {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((p) => {
      place(p.coords.latitude, p.coords.longitude);
      if (view) view.show(p.coords.latitude, p.coords.longitude);
    });
  });

  function startMap() {
    view = window.vecinos.makeMap(document.getElementById("map"));
    if (!view) return;
    view.ready.then(() => view.fit([]));
    view.map.on("click", (event) => place(event.latlng.lat, event.latlng.lng));
  }
  // The page holds both buttons until these listeners are here: sent without them, the form
  // would leave the page and lose what was typed.
  for (const held of [form, confirmForm]) held.querySelector("button[type=submit]").disabled = false;
  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
