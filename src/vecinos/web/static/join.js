// Accepting an invite: the token rides in the URL fragment, which browsers never send to a
// server or write to its logs; this page reads it and posts it once.
"use strict";

(function () {
  const form = document.getElementById("join");
  if (!form) return;
  const result = document.getElementById("result");
  const token = window.location.hash.slice(1);
  if (!token) result.textContent = form.dataset.msgNoToken;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await window.vecinos.api("POST", "/api/invites/accept", {
        token: token,
        display_name: form.elements.display_name.value,
        password: form.elements.password.value,
      });
      result.textContent = form.dataset.msgJoined;
      history.replaceState(null, "", "/join");
      window.setTimeout(() => window.location.assign("/signin"), 1500);
    } catch (error) {
      result.textContent = error.message;
    }
  });
  form.querySelector("button[type=submit]").disabled = false; // the page holds it until this listens
})();
