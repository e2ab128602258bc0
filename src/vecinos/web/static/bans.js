// The hotline's ban list: lift a ban, or ban the caller of a logged call; then the page
// is read again, so what it shows is what the server holds.
"use strict";

(function () {
  const message = document.getElementById("ban-message");
  if (!message || !window.vecinos) return;
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-lift], button[data-ban]");
    if (!button) return;
    button.disabled = true;
    try {
      if (button.dataset.lift) await window.vecinos.api("DELETE", "/api/hotline/bans/" + button.dataset.lift);
      else await window.vecinos.api("POST", "/api/hotline/calls/" + button.dataset.ban + "/ban");
      window.location.reload();
    } catch (error) {
      message.textContent = error.message;
      button.disabled = false;
    }
  });
})();
