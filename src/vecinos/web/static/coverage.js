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
})();
