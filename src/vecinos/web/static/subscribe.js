// Subscribing without an account: an area, a language, a channel; then double opt-in.
"use strict";

(function () {
  const form = document.getElementById("subscribe");
  if (!form) return;
  const confirmForm = document.getElementById("confirm");
  const result = document.getElementById("result");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");
  let map = null;
  let marker = null;
  let handle = null;

  function post(path, body) {
    return window.vecinos.api("POST", path, body);
  }

  function place(latitude, longitude) {
    lat.value = latitude.toFixed(5);
    lon.value = longitude.toFixed(5);
    document.getElementById("pin-status").textContent = lat.value + ", " + lon.value;
    if (!map) return;
    if (marker) marker.setLatLng([latitude, longitude]);
    else marker = window.L.marker([latitude, longitude]).addTo(map);
  }

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
    navigator.geolocation.getCurrentPosition((p) => place(p.coords.latitude, p.coords.longitude));
  });

  function startMap() {
    if (!window.L) return;
    window.L.Icon.Default.imagePath = "/static/vendor/leaflet/images/";
    map = window.L.map("map").setView(form.dataset.center.split(",").map(Number), 10);
    if (form.dataset.tileUrl) window.L.tileLayer(form.dataset.tileUrl, { attribution: form.dataset.attribution }).addTo(map);
    map.on("click", (event) => place(event.latlng.lat, event.latlng.lng));
  }
  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
