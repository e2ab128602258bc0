// Confirm or unsubscribe by link: the token from the link is posted only when the person
// presses the button, so a mail scanner that opens links cannot act for them.
"use strict";

(function () {
  const form = document.getElementById("token-action");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("result");
    const answer = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
      body: JSON.stringify({ token: form.dataset.token }),
    });
    const data = await answer.json().catch(() => ({}));
    result.textContent = answer.ok ? form.dataset.done : (data.error && data.error.message) || String(answer.status);
    if (answer.ok) form.querySelector("button").hidden = true;
  });
})();
