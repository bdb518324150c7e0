// Spoorboek's service worker (portal/pwa.py explains what it keeps and why). Version {{ version }}.
importScripts("{{ outbox }}");

const SHELL_CACHE = "spoorboek-shell-{{ version }}";
const PAGE_CACHE = "spoorboek-pages";
const SHELL = {{ shell|safe }};
// The pages an employee needs on the road, kept as last seen (only while logged in).
const KEPT_PAGES = [/^\/$/, /^\/sollicitaties\/$/, /^\/sollicitaties\/traject\/[0-9a-f-]{36}\/nieuw\/$/];
const APPLICATION_FORM = KEPT_PAGES[2];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("spoorboek-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && APPLICATION_FORM.test(url.pathname)) {
    event.respondWith(sendOrKeep(request, url));
  } else if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request)));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(networkFirst(request, url));
  }
});

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && url.search === "" && KEPT_PAGES.some((p) => p.test(url.pathname))) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(url.pathname, { cacheName: PAGE_CACHE, ignoreVary: true });
    return kept || (await caches.match("/offline/", { ignoreVary: true })) || Response.error();
  }
}

// A new application: sent if there is a connection, else kept in the outbox and the employee
// taken to "my applications", which shows it waiting.
async function sendOrKeep(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const form = await copy.formData();
    await Outbox.put({
      key: form.get("idempotency_key") || self.crypto.randomUUID(),
      url: url.pathname,
      label: [form.get("organisation"), form.get("vacancy_title")].filter(Boolean).join(" – "),
      fields: Array.from(form.entries()),
      keptAt: Date.now(),
    });
    return Response.redirect("/sollicitaties/", 303);
  }
}

// The page asks to keep the pages the employee will need offline (home, applications, form)
// that are not kept yet; a page visited later is refreshed by networkFirst.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "keep") return;
  event.waitUntil(keep(event.data.urls || []));
});

async function keep(urls) {
  const cache = await caches.open(PAGE_CACHE);
  for (const path of urls) {
    const url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin || !KEPT_PAGES.some((p) => p.test(url.pathname))) continue;
    if (await cache.match(url.pathname, { ignoreVary: true })) continue;
    try {
      const response = await fetch(url.pathname, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url.pathname, response);
    } catch (error) {
      return; // no connection: keep what is there
    }
  }
}
