// Coordinator admin: roster and roles, invites, zones drawn on the map or uploaded, audit log.
"use strict";

(function () {
  const root = document.getElementById("admin");
  if (!root) return;
  const text = root.dataset;
  const base = "/api/organizations/" + text.org;
  const roles = JSON.parse(text.roles);
  const words = JSON.parse(text.words);
  const message = document.getElementById("admin-message");
  let outline = [];
  let view = null;
  let drawn = null;

  const api = window.vecinos.api;

  function cell(content) {
    const td = document.createElement("td");
    if (content instanceof Node) td.append(content);
    else td.textContent = content;
    return td;
  }

  // Each cell carries its column's name, which a phone shows above it (.members.stacks).
  function labelCells(tbody) {
    const names = [...tbody.closest("table").querySelectorAll("thead th")].map((th) => th.textContent.trim());
    tbody.querySelectorAll("tr").forEach((row) => {
      [...row.children].forEach((td, index) => { td.dataset.label = names[index] || ""; });
    });
  }

  function roleBoxes(member) {
    const box = document.createElement("div");
    box.className = "roles";
    roles.forEach((role) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = role;
      input.checked = member.roles.includes(role);
      label.append(input, words.role[role] || role);
      box.append(label);
    });
    return box;
  }

  async function loadMembers() {
    const members = await api("GET", base + "/members");
    document.getElementById("members").replaceChildren(...members.map((member) => {
      const row = document.createElement("tr");
      const boxes = roleBoxes(member);
      const save = document.createElement("button");
      save.type = "button";
      save.className = "secondary";
      save.textContent = text.msgSaveRoles;
      save.addEventListener("click", () => act(() => api("PUT", base + "/members/" + member.id + "/roles",
        { roles: [...boxes.querySelectorAll("input:checked")].map((i) => i.value) })));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = text.msgRemove;
      remove.addEventListener("click", () => act(() => api("DELETE", base + "/members/" + member.id)));
      const actions = document.createElement("div");
      actions.className = "buttons";
      actions.append(save, remove);
      row.append(cell(member.display_name), cell(member.email), cell(boxes),
                 cell(member.totp_enrolled ? text.msgTotpOn : text.msgTotpOff), cell(actions));
      return row;
    }));
    labelCells(document.getElementById("members"));
  }

  async function loadZones() {
    const zones = await api("GET", base + "/zones");
    document.getElementById("zones").replaceChildren(...zones.map((zone) => {
      const item = document.createElement("li");
      item.textContent = zone.name + " ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = text.msgRemove;
      remove.addEventListener("click", () => act(() => api("DELETE", base + "/zones/" + zone.id)));
      item.append(remove);
      return item;
    }));
  }

  async function loadAudit() {
    const events = await api("GET", base + "/audit");
    document.getElementById("audit").replaceChildren(...events.map((event) => {
      const item = document.createElement("li");
      item.textContent = new Date(event.at).toLocaleString(document.documentElement.lang) + " · " + (words.audit[event.action] || event.action);
      return item;
    }));
  }

  async function act(action) {
    message.textContent = "";
    try {
      await action();
      message.textContent = text.msgSaved;
    } catch (error) {
      message.textContent = error.message;
    }
    await Promise.all([loadMembers(), loadZones(), loadAudit(), view ? view.reload() : null]);
  }

  const radioPlan = document.getElementById("radio-plan");
  const settingsForm = document.getElementById("org-settings");

  function channelRow(channel, index) {
    const row = document.createElement("tr");
    ["name", "channel", "purpose"].forEach((field) => {
      const input = document.createElement("input");
      input.name = field;
      input.value = channel[field] || "";
      input.maxLength = field === "purpose" ? 120 : 40;
      const names = { name: text.msgFieldName, channel: text.msgFieldChannel, purpose: text.msgFieldPurpose };
      input.setAttribute("aria-label", names[field] + " " + (index + 1));
      row.append(cell(input));
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "secondary";
    remove.textContent = text.msgRemove;
    remove.addEventListener("click", () => row.remove());
    row.append(cell(remove));
    return row;
  }

  async function loadSettings() {
    const settings = await api("GET", base + "/settings");
    document.getElementById("org-name").value = settings.name;
    document.getElementById("org-hotline").value = settings.hotline || "";
    document.getElementById("org-language").value = settings.default_language;
    radioPlan.replaceChildren(...settings.radio_channels.map(channelRow));
    labelCells(radioPlan);
  }

  document.getElementById("add-channel").addEventListener("click", () => {
    const row = channelRow({}, radioPlan.children.length);
    radioPlan.append(row);
    labelCells(radioPlan);
    row.querySelector("input").focus();
  });

  settingsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const channels = [...radioPlan.querySelectorAll("tr")].map((row) => ({
      name: row.querySelector("[name=name]").value,
      channel: row.querySelector("[name=channel]").value,
      purpose: row.querySelector("[name=purpose]").value,
    })).filter((c) => c.name || c.channel);
    act(() => api("PUT", base + "/settings", {
      name: document.getElementById("org-name").value,
      hotline: document.getElementById("org-hotline").value || null,
      default_language: document.getElementById("org-language").value,
      radio_channels: channels,
    }));
  });

  document.getElementById("invite").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    act(async () => {
      const invite = await api("POST", base + "/invites", {
        email: form.elements.email.value,
        roles: [...form.querySelectorAll("input[name=roles]:checked")].map((i) => i.value),
      });
      const when = new Date(invite.expires_at).toLocaleString(document.documentElement.lang);
      document.getElementById("invite-link").textContent = text.msgInviteLink.replace("{when}", when) + " " + invite.invite_url;
      form.reset();
    });
  });

  function redraw() {
    document.getElementById("zone-points").textContent = outline.length ? text.msgPoints.replace("{n}", outline.length) : "";
    if (!view) return;
    if (drawn) drawn.remove();
    drawn = outline.length ? window.L.polygon(outline.map(([lon, lat]) => [lat, lon]), { color: "#b3261e", interactive: false }).addTo(view.map) : null;
  }

  async function geometryFromForm(form) {
    const file = form.elements.file.files[0];
    if (file) return JSON.parse(await file.text());
    const ring = outline.concat([outline[0]]);
    return { type: "Polygon", coordinates: [ring] };
  }

  document.getElementById("zone").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    act(async () => {
      const geometry = await geometryFromForm(form);
      await api("POST", base + "/zones", { name: form.elements.name.value, geometry: geometry });
      outline = [];
      redraw();
      form.reset();
    });
  });
  document.getElementById("zone-clear").addEventListener("click", () => {
    outline = [];
    redraw();
  });

  function startMap() {
    // The organization's own zones stand out (and the map fits them); the others stay faint.
    view = window.vecinos.makeMap(document.getElementById("map"), { organization: Number(text.org) });
    if (!view) return;
    view.ready.then(() => view.fit([]));
    view.map.on("click", (event) => {
      outline.push([Number(event.latlng.lng.toFixed(6)), Number(event.latlng.lat.toFixed(6))]);
      redraw();
    });
  }

  loadZones();
  loadMembers();
  loadAudit();
  loadSettings();
  if (document.readyState === "complete") startMap();
  else window.addEventListener("load", startMap);
})();
