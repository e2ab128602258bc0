// Signing out also empties this browser's caches: a shared or seized phone keeps nothing of
// the session. The form still posts as usual (and works without this script).
"use strict";

(function () {
  const form = document.getElementById("signout");
  if (!form) return;
  let cleared = false;
  form.addEventListener("submit", async (event) => {
    if (cleared || !window.caches) return;
    event.preventDefault();
    try {
      const names = await caches.keys();
      await Promise.all(names.map((name) => caches.delete(name)));
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("clear");
      }
    } finally {
      cleared = true;
      form.requestSubmit();
    }
  });
})();
