// The fixed posts volunteers watch, as places to subscribe around: picking one tells the form
// (a "vecinos:site" event with the site's point and radius). Hidden when there are none.
"use strict";

(async function () {
  const select = document.getElementById("near-site");
  if (!select) return;
  const answer = await fetch("/api/sites", { headers: { "Accept-Language": document.documentElement.lang } });
  if (!answer.ok) return;
  const sites = await answer.json();
  for (const site of sites) {
    const option = document.createElement("option");
    option.value = String(site.id);
    option.textContent = site.name + " (" + site.kind_name + ")";
    select.append(option);
  }
  if (sites.length) select.closest(".site-picker").hidden = false;
  select.addEventListener("change", () => {
    const site = sites.find((s) => String(s.id) === select.value);
    if (!site) return;
    const detail = { lat: site.lat, lon: site.lon, radius_m: site.radius_m };
    select.form.dispatchEvent(new CustomEvent("vecinos:site", { detail: detail }));
  });
})();
