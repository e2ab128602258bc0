// One way to call the JSON API from every page: the session's CSRF token, the page's
// language, the server's clock (X-Server-Time) and errors as readable messages.
"use strict";

window.vecinos = Object.assign(window.vecinos || {}, (function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const state = { skewMs: 0 };

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang };
    if (meta) headers["X-CSRF-Token"] = meta.content;
    const answer = await fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const serverTime = answer.headers.get("X-Server-Time");
    if (serverTime) state.skewMs = Date.parse(serverTime) - Date.now();
    if (answer.status === 204) return null;
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const error = new Error((data.error && data.error.message) || String(answer.status));
      error.status = answer.status;
      throw error;
    }
    return data;
  }

  // Now by the server's clock: phones' clocks are often wrong.
  function serverNow() {
    return Date.now() + state.skewMs;
  }

  return { api: api, serverNow: serverNow };
})());
