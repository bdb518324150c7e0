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
    await remember(response);
    if (response.ok && !response.redirected && url.search === "" && KEPT_PAGES.some((p) => p.test(url.pathname))) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(url.pathname, await withoutMessages(response.clone()));
    }
    return response;
  } catch (error) {
    const kept = await keptPage(url.pathname);
    return kept || (await caches.match("/offline/", { ignoreVary: true })) || Response.error();
  }
}

// A page is kept without the messages it showed once ("the application has been recorded"):
// shown again offline they would confirm what the server never saw.
async function withoutMessages(response) {
  const html = await response.text();
  const kept = html.replace(/<ul class="messages"[\s\S]*?<\/ul>/, "");
  return new Response(kept, { status: response.status, headers: response.headers });
}

// Kept pages belong to the session that kept them (portal/pwa.py): each page the server sends
// names its session and until when it lasts idle; the worker notes the latest. A page of
// another session, or of one that timed out or whose browser closed (its cookie is gone),
// is never shown: the pages are deleted and the offline page shown instead.
const SESSION = "/__spoorboek__/session";

async function remember(response) {
  const session = response.headers.get("X-Offline-Session");
  if (!session) return;
  const until = Number(response.headers.get("X-Offline-Until") || 0);
  const known = await sessionKept();
  if (known && known.session !== session) await caches.delete(PAGE_CACHE);
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(SESSION, new Response(JSON.stringify({ session, until })));
}

async function sessionKept() {
  const cache = await caches.open(PAGE_CACHE);
  const kept = await cache.match(SESSION);
  return kept ? kept.json() : null;
}

async function currentSession() {
  if (!self.cookieStore) return undefined; // the browser does not say: the time limit decides
  const cookie = await self.cookieStore.get("sb_offline");
  return cookie ? cookie.value : null;
}

async function keptPage(path) {
  const known = await sessionKept();
  const current = await currentSession();
  const valid = known && known.until > Date.now() && (current === undefined || current === known.session);
  if (!valid) {
    await caches.delete(PAGE_CACHE);
    return undefined;
  }
  const kept = await caches.match(path, { cacheName: PAGE_CACHE, ignoreVary: true });
  return kept && kept.headers.get("X-Offline-Session") === known.session ? kept : undefined;
}

// A new application: sent if there is a connection, else kept in the outbox and the employee
// taken to "my applications", which shows it waiting.
async function sendOrKeep(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const form = await copy.formData();
    // The page made a new key for this submission (pwa.js); a page without one gets one here.
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
      await remember(response);
      if (response.ok && !response.redirected) await (await caches.open(PAGE_CACHE)).put(url.pathname, response);
    } catch (error) {
      return; // no connection: keep what is there
    }
  }
}
