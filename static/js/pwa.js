// The employee's installable app (portal/pwa.py): registers the service worker, shows and
// sends the outbox, and clears everything this site stored once nobody is logged in.
(() => {
  const KEEP_AFTER_MS = 2000;
  const root = document.documentElement;
  const kind = root.dataset.pwa;

  async function forgetEverything() {
    if ("caches" in window) {
      for (const key of await caches.keys()) if (key.startsWith("spoorboek-")) await caches.delete(key);
    }
    if ("serviceWorker" in navigator) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
    }
    if (window.Outbox) await Outbox.forget();
  }

  if (kind === "anonymous") {
    forgetEverything();
    return;
  }
  if (kind !== "employee" || !("serviceWorker" in navigator)) return;

  // Once the page has been open a moment (not competing with the page the employee asked
  // for on a slow connection), keep the pages needed offline that are not kept yet.
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(async () => {
    const ready = await navigator.serviceWorker.ready;
    const keep = ["/", "/sollicitaties/"];
    document.querySelectorAll("a[data-keep-offline]").forEach((a) => keep.push(a.getAttribute("href")));
    setTimeout(() => ready.active.postMessage({ type: "keep", urls: keep }), KEEP_AFTER_MS);
  });

  const banner = document.getElementById("outbox");

  async function show() {
    if (!banner) return;
    const items = await Outbox.all();
    const list = banner.querySelector("ul");
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = item.label || banner.dataset.unnamed;
      if (item.failed) li.textContent += ` – ${banner.dataset.failed}`;
      return li;
    }));
    banner.hidden = items.length === 0;
  }

  let sending = false;
  async function send() {
    if (sending || !navigator.onLine) return show();
    sending = true;
    let sent = 0;
    try {
      for (const item of await Outbox.all()) {
        if (item.failed) continue;
        const body = new FormData();
        for (const [name, value] of item.fields) body.append(name, value);
        let response;
        try {
          response = await fetch(item.url, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
        } catch (error) {
          break; // the connection is gone again: try later
        }
        if (response.type === "opaqueredirect" || response.status === 302) {
          await Outbox.remove(item.key);
          sent += 1;
        } else {
          await Outbox.put({ ...item, failed: true }); // refused (e.g. logged out): say so
        }
      }
    } finally {
      sending = false;
    }
    if (sent) window.location.reload(); // the list now shows it, with the success message
    else show();
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", show);
  document.addEventListener("DOMContentLoaded", send);
})();
