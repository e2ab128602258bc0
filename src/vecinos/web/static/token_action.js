// Confirm or unsubscribe by link: the token from the link is posted only when the person
// presses the button, so a mail scanner that opens links cannot act for them.
"use strict";

(function () {
  const form = document.getElementById("token-action");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = document.getElementById("result");
    try {
      await window.vecinos.api("POST", form.dataset.endpoint, { token: form.dataset.token });
      result.textContent = form.dataset.done;
      form.querySelector("button").hidden = true;
    } catch (error) {
      result.textContent = error.message;
    }
  });
  form.querySelector("button[type=submit]").disabled = false; // the page holds it until this listens
})();
