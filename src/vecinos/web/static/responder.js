// Responder app: check in, share location only while on shift, answer offers, file findings.
// Countdowns follow the server's clock (api.js), not the phone's, which may be wrong.
"use strict";

(function () {
  const root = document.getElementById("responder");
  if (!root) return;
  const text = root.dataset;
  const activities = JSON.parse(text.activities || "{}");
  const indicator = document.getElementById("shift-indicator");
  const checkInForm = document.getElementById("check-in");
  const onShiftSection = document.getElementById("on-shift");
  const offersBox = document.getElementById("offers");
  const message = document.getElementById("message");
  let watchId = null;
  let pollTimer = null;
  let tickTimer = null;
  let lastSent = 0;
  // Each offer's finding form, moved into every redraw of its card rather than built again:
  // what the volunteer chose and typed stays, also when a redraw lands between two keystrokes.
  const findingForms = new Map();

  const api = window.vecinos.api;

  function show(onShift) {
    checkInForm.hidden = onShift;
    onShiftSection.hidden = !onShift;
    indicator.textContent = onShift ? text.msgSharing : text.msgOff;
    indicator.className = "indicator " + (onShift ? "sharing" : "off");
    if (onShift) start();
    else stop();
  }

  function start() {
    if (navigator.geolocation && watchId === null) {
      watchId = navigator.geolocation.watchPosition(shareLocation, () => {}, {
        enableHighAccuracy: true,
        maximumAge: 30000,
      });
    }
    if (!pollTimer) pollTimer = setInterval(() => loadOffers(false), 4000);
    if (!tickTimer) tickTimer = setInterval(tick, 1000);
    loadOffers();
  }

  function stop() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    clearInterval(pollTimer);
    clearInterval(tickTimer);
    pollTimer = tickTimer = null;
  }

  function shareLocation(position) {
    if (Date.now() - lastSent < 20000) return; // a fix every 20 s is plenty for ranking
    lastSent = Date.now();
    api("PUT", "/api/shifts/current/location", {
      lat: position.coords.latitude,
      lon: position.coords.longitude,
    }).catch(() => {});
  }

  function here() {
    return new Promise((resolve, reject) => {
      if (!navigator.geolocation) return reject(new Error(text.msgGeoRefused));
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
        () => reject(new Error(text.msgGeoRefused)),
        { enableHighAccuracy: true, timeout: 15000 },
      );
    });
  }

  checkInForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      const position = await here();
      const form = checkInForm.elements;
      await api("POST", "/api/organizations/" + form.organization.value + "/shifts", {
        lat: position.lat,
        lon: position.lon,
        has_car: form.has_car.checked,
        languages: form.languages.value.split(/[\s,]+/).filter(Boolean),
        radio_channel: form.radio_channel.value || null,
      });
      show(true);
    } catch (error) {
      message.textContent = error.message;
    }
  });

  document.getElementById("check-out").addEventListener("click", async () => {
    try {
      await api("POST", "/api/shifts/current/check-out");
      offersBox.replaceChildren();
      show(false);
    } catch (error) {
      message.textContent = error.message;
    }
  });

  function button(label, onClick, secondary) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    if (secondary) element.className = "secondary";
    element.addEventListener("click", onClick);
    return element;
  }

  function act(offer, path, body) {
    return async () => {
      try {
        await api("POST", "/api/offers/" + offer.id + "/" + path, body);
        if (path === "finding") message.textContent = text.msgThanks;
      } catch (error) {
        message.textContent = error.message;
      }
      loadOffers(true);
    };
  }

  function findingForm(offer) {
    const form = document.createElement("form");
    form.className = "stack";
    form.noValidate = true; // our own message, in the page's language
    const choices = [
      ["confirmed", text.msgConfirmed],
      ["not_found", text.msgNotFound],
      ["different_activity", text.msgDifferent],
    ];
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = text.msgReport;
    fieldset.append(legend);
    choices.forEach(([value, label]) => {
      const wrapper = document.createElement("label");
      wrapper.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "finding-" + offer.id;
      input.value = value; // nothing chosen for them: "confirmed" alerts on its own
      input.required = true;
      wrapper.append(input, " " + label);
      fieldset.append(wrapper);
    });
    const noteLabel = document.createElement("label");
    noteLabel.textContent = text.msgNote;
    const note = document.createElement("textarea");
    note.maxLength = 2000;
    noteLabel.append(note);
    const send = document.createElement("button");
    send.type = "submit";
    send.textContent = text.msgReport;
    const observer = window.vecinos.observerReport; // observer_report.js
    const report = observer ? observer.fields(form) : null;
    form.append(fieldset, ...(report ? [report] : []), noteLabel, send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = form.querySelector('input[name="finding-' + offer.id + '"]:checked');
      if (!chosen) {
        message.textContent = text.msgChooseFinding;
        return;
      }
      const body = { finding: chosen.value, note: note.value || null };
      if (report) body.observer_report = observer.collect(report);
      act(offer, "finding", body)();
    });
    return form;
  }

  function card(offer) {
    const box = document.createElement("article");
    box.className = "offer";
    box.dataset.offer = offer.id;
    const title = document.createElement("h3");
    title.textContent = activities[offer.activity] || offer.activity;
    const where = document.createElement("p");
    where.className = "where";
    where.textContent = [offer.place, offer.cross_streets].filter(Boolean).join(" · ");
    box.append(title, where);
    if (offer.distance_m !== null) {
      const away = document.createElement("p");
      away.className = "distance";
      const km = new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 1 }).format(offer.distance_m / 1000);
      away.textContent = text.msgAway.replace("{d}", km + " km");
      box.append(away);
    }
    const buttons = document.createElement("div");
    buttons.className = "buttons";
    if (offer.state === "offered") {
      const countdown = document.createElement("p");
      countdown.className = "countdown";
      countdown.dataset.expires = offer.expires_at;
      box.append(countdown);
      buttons.append(button(text.msgAccept, act(offer, "accept")), button(text.msgDecline, act(offer, "decline"), true));
    } else {
      const directions = document.createElement("a");
      directions.className = "button secondary";
      directions.href = "geo:" + offer.lat + "," + offer.lon; // opens the phone's own map app
      directions.textContent = text.msgDirections;
      buttons.append(directions);
      if (offer.state === "accepted") buttons.append(button(text.msgEnRoute, act(offer, "en-route")));
      if (offer.state === "accepted" || offer.state === "en_route") buttons.append(button(text.msgOnScene, act(offer, "on-scene")));
    }
    box.append(buttons);
    if (offer.state === "on_scene" || offer.state === "en_route" || offer.state === "accepted") {
      if (!findingForms.has(offer.id)) findingForms.set(offer.id, findingForm(offer));
      box.append(findingForms.get(offer.id));
    }
    const guidance = document.createElement("p");
    guidance.className = "hint";
    guidance.textContent = offer.guidance;
    box.append(guidance);
    return box;
  }

  async function loadOffers(force) {
    try {
      const offers = (await api("GET", "/api/offers")).filter((o) => o.state !== "reported");
      const focused = document.activeElement && document.activeElement.closest(".offer");
      if (focused && force !== true) return; // never redraw under the responder's fingers
      const shown = new Set(offers.map((offer) => offer.id));
      findingForms.forEach((_, id) => shown.has(id) || findingForms.delete(id));
      const typingIn = document.activeElement;
      offersBox.replaceChildren(...offers.map(card));
      // Moving the finding form into its new card blurs the field being typed in: give the
      // focus back, or the next keystrokes (and a phone's keyboard) go nowhere.
      if (typingIn && typingIn.isConnected && document.activeElement !== typingIn) {
        typingIn.focus({ preventScroll: true });
      }
      if (!offers.length) offersBox.textContent = text.msgNoOffers;
      tick();
    } catch (_) {
      /* a dropped poll is retried in 4 s */
    }
  }

  function tick() {
    const now = window.vecinos.serverNow();
    offersBox.querySelectorAll(".countdown").forEach((element) => {
      const seconds = Math.max(0, Math.round((Date.parse(element.dataset.expires) - now) / 1000));
      element.textContent = text.msgExpires.replace("{s}", String(seconds));
    });
  }

  show(root.dataset.onShift === "true");
})();
