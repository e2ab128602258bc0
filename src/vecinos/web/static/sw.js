// Service worker: the report page and its assets open with no connection at all, and the
// other public pages (alerts, rights, transparency) are there when the network is not.
// Only those: never a signed-in page (evidence, rosters, the account page) nor an API answer.
// On a shared or seized phone, what is in this cache is readable without signing in.
"use strict";

const CACHE = "vecinos-v2";
const SHELL = [
  "/report",
  "/static/app.css",
  "/static/report.js",
  "/static/places.js",
  "/static/map.js",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
  "/static/vendor/leaflet/images/marker-icon.png",
  "/static/vendor/leaflet/images/marker-icon-2x.png",
  "/static/vendor/leaflet/images/marker-shadow.png",
];
// Pages that are the same for everyone, signed in or not.
const PUBLIC_PAGES = ["/", "/report", "/alerts", "/alerts/subscribe", "/transparency", "/join"];
const PUBLIC_PREFIXES = ["/rights"];

function isPublicPage(path) {
  return PUBLIC_PAGES.includes(path) || PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(p + "/"));
}

// A response that says it is private or not to be stored is never kept, whatever its path.
function keepable(response) {
  const control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && !/no-store|private/.test(control);
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function clearAll() {
  return caches.keys().then((names) => Promise.all(names.map((n) => caches.delete(n))));
}

function keep(request, response) {
  if (!keepable(response)) return;
  const copy = response.clone();
  caches.open(CACHE).then((cache) => cache.put(request, copy));
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (event.request.method === "POST" && url.pathname === "/signout") {
    // Signing out empties every cache first, then goes on as usual: a shared or seized phone
    // keeps nothing of the session.
    event.respondWith(clearAll().then(() => fetch(event.request)));
    return;
  }
  if (event.request.method !== "GET") return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches.match(event.request).then((hit) => hit || fetch(event.request).then((response) => {
        keep(event.request, response);
        return response;
      })),
    );
    return;
  }
  if (!isPublicPage(url.pathname)) return; // signed-in pages and the API: the network, only
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        keep(event.request, response);
        return response;
      })
      .catch(() => caches.match(event.request, { ignoreSearch: true })),
  );
});

// Web Push (alerts, and members' reminders): show it; a tap opens its link on this site.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const found = String(data.body || "").match(/https?:\/\/\S+/);
  const url = data.url || (found ? found[0] : "/");
  event.waitUntil(self.registration.showNotification(data.title || "vecinos", { body: data.body || "", data: { url: url } }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data.url, self.location.origin);
  if (url.origin !== self.location.origin) return; // only this site's pages
  event.waitUntil(self.clients.openWindow(url.href));
});
