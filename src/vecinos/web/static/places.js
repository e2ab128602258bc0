// The place picker (macros/place_picker.html): type, see the coalition's neighbourhoods,
// landmarks and ZIP codes that match (GET /api/places), choose one. Radio buttons, so the
// keyboard and screen readers get the whole of it; the map stays optional. Also the words
// under a map's pin (namePin).
"use strict";

(function () {
  const vecinos = window.vecinos || (window.vecinos = {});

  vecinos.placePicker = function (root, onPick) {
    const text = root.dataset;
    const search = root.querySelector("input[type=search]");
    const results = root.querySelector(".place-results");
    const options = root.querySelector("[data-options]");
    const chosenLine = root.querySelector("[data-chosen]");
    let found = [];
    let chosen = null;
    let timer = null;
    let asked = 0;

    function option(place, index) {
      const label = document.createElement("label");
      label.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = root.id + "-choice";
      input.value = String(index);
      const kind = { zone: text.msgZone, landmark: text.msgLandmark, zip: text.msgZip }[place.kind] || "";
      const detail = [kind, place.detail].filter(Boolean).join(", ");
      label.append(input, " " + place.name + (detail ? " · " + detail : ""));
      input.addEventListener("change", () => choose(place));
      return label;
    }

    function choose(place) {
      chosen = place;
      chosenLine.textContent = place ? text.msgChosen.replace("{name}", place.name) : "";
      if (onPick) onPick(place);
    }

    async function lookUp() {
      const query = search.value.trim();
      const mine = ++asked;
      if (query.length < 2) {
        results.hidden = true;
        return;
      }
      const answer = await fetch("/api/places?limit=8&q=" + encodeURIComponent(query), {
        headers: { "Accept-Language": document.documentElement.lang },
      }).catch(() => null);
      if (mine !== asked || !answer || !answer.ok) return; // a newer search, or offline
      found = (await answer.json()).places;
      results.hidden = false;
      if (found.length) {
        options.replaceChildren(...found.map(option));
      } else {
        const none = document.createElement("p");
        none.className = "hint";
        none.textContent = text.msgNone;
        options.replaceChildren(none);
      }
    }

    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 250);
    });
    search.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault(); // Enter searches here; it does not send the report
      clearTimeout(timer);
      lookUp();
    });
    root.querySelector("[data-search]").addEventListener("click", lookUp);
    // On a slow phone a person may type before this script has arrived: search what is there.
    if (search.value.trim()) lookUp();

    return {
      // What the report carries: the gazetteer's kind and key.
      value() {
        return chosen ? { kind: chosen.kind, key: chosen.key } : null;
      },
      clear() {
        search.value = "";
        options.replaceChildren();
        results.hidden = true;
        choose(null);
      },
    };
  };

  // A pin is named by its area, "Pin near Boyle Heights (90033).", never by its digits: the
  // words come from `status`'s data-msg-near and data-msg-placed. Only the point rounded to
  // about a kilometre leaves the phone (the server rounds it again); the latest pin wins.
  let pins = 0;
  vecinos.namePin = async function (status, latitude, longitude) {
    const mine = ++pins;
    status.textContent = status.dataset.msgPlaced;
    const query = "lat=" + latitude.toFixed(2) + "&lon=" + longitude.toFixed(2);
    const answer = await fetch("/api/places/near?" + query).catch(() => null);
    const label = answer && answer.ok ? (await answer.json()).label : null;
    if (label && mine === pins) status.textContent = status.dataset.msgNear.replace("{place}", label);
  };
})();
