// Shifts page: a check-in for a shift that is not at a fixed post sends where the phone is.
// A fixed post's check-in needs no location (the site's point is used), so it is one tap.
"use strict";

(function () {
  const root = document.getElementById("coverage");
  if (!root) return;
  for (const form of root.querySelectorAll("form.check-in[data-needs-location='true']")) {
    form.addEventListener("submit", (event) => {
      if (form.elements.lat.value) return;
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      button.textContent = root.dataset.msgLocating;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lon.value = position.coords.longitude.toFixed(6);
          form.submit();
        },
        () => form.submit(), // the server answers with a clear error asking for the location
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }

  // Reminders as notifications on this phone: the browser's push subscription goes to the
  // server like a phone number would (it is sealed there), and the service worker shows them.
  const pushForm = document.getElementById("push-reminders");
  if (pushForm) {
    const result = document.getElementById("push-result");
    pushForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
        result.textContent = pushForm.dataset.msgUnsupported;
        return;
      }
      try {
        const registration = await navigator.serviceWorker.register("/sw.js");
        const key = pushForm.dataset.pushKey.replace(/-/g, "+").replace(/_/g, "/");
        const raw = Uint8Array.from(atob(key + "=".repeat((4 - (key.length % 4)) % 4)), (c) => c.charCodeAt(0));
        const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: raw });
        await window.vecinos.api("PUT", "/api/me/contacts/push", {
          push_subscription: subscription.toJSON(),
          language: pushForm.elements.language.value,
        });
        result.textContent = pushForm.dataset.msgOn;
      } catch (error) {
        result.textContent = error.status ? error.message : pushForm.dataset.msgUnsupported;
      }
    });
  }
})();
