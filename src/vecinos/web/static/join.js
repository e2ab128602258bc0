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
    const answer = await fetch("/api/invites/accept", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
      body: JSON.stringify({
        token: token,
        display_name: form.elements.display_name.value,
        password: form.elements.password.value,
      }),
    });
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) {
      result.textContent = form.dataset.msgJoined;
      history.replaceState(null, "", "/join");
      window.setTimeout(() => window.location.assign("/signin"), 1500);
    } else {
      result.textContent = (data.error && data.error.message) || String(answer.status);
    }
  });
})();
