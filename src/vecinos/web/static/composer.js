// The alert composer in the incident detail of the dispatcher console.
"use strict";

window.vecinos.composer = (function () {
  const root = document.getElementById("console");
  if (!root) return null;
  const text = root.dataset;
  const api = window.vecinos.api;
  let selected = null;

  const kindFor = { confirmed: "confirmed", unfounded: "rumour_control", ended: "all_clear" };

  function alertBody() {
    const texts = {};
    ["en", "es"].forEach((code) => {
      const value = document.getElementById("alert-text-" + code).value.trim();
      if (value) texts[code] = value;
    });
    return { kind: document.getElementById("alert-kind").value, texts: texts };
  }

  function describePreview(preview) {
    const parts = [text.msgRecipients.replace("{n}", preview.recipients)];
    Object.entries(preview.by_channel).forEach(([k, v]) => parts.push(k + ": " + v));
    Object.entries(preview.by_language).forEach(([k, v]) => parts.push(k + ": " + v));
    if (!preview.publishable) {
      const found = Object.values(preview.findings).flat().map((f) => f.kind + " “" + f.text + "”");
      parts.push(text.msgRefused.replace("{what}", found.join(", ")));
    }
    return parts.join(" · ");
  }

  async function fillDraft(incident) {
    const kind = kindFor[incident.state] || "unconfirmed";
    document.getElementById("alert-kind").value = kind;
    try {
      const preview = await api("POST", "/api/incidents/" + incident.id + "/alerts/preview", { kind: kind, texts: {} });
      document.getElementById("alert-text-en").value = preview.texts.en || "";
      document.getElementById("alert-text-es").value = preview.texts.es || "";
      document.getElementById("alert-verdict").textContent = describePreview(preview);
    } catch (error) {
      document.getElementById("alert-verdict").textContent = error.message;
    }
  }

  document.getElementById("alert-preview").addEventListener("click", async () => {
    const verdict = document.getElementById("alert-verdict");
    try {
      verdict.textContent = describePreview(await api("POST", "/api/incidents/" + selected + "/alerts/preview", alertBody()));
    } catch (error) {
      verdict.textContent = error.message;
    }
  });
  document.getElementById("alert-publish").addEventListener("click", async () => {
    const verdict = document.getElementById("alert-verdict");
    try {
      const alert = await api("POST", "/api/incidents/" + selected + "/alerts", alertBody());
      verdict.textContent = text.msgPublished.replace("{n}", alert.recipients);
    } catch (error) {
      verdict.textContent = error.message;
    }
  });

  return {
    open: function (incident) {
      selected = incident.id;
      fillDraft(incident);
    },
  };
})();
