// The employee's installable app (portal/pwa.py): registers the service worker, shows and
// sends the outbox, and clears everything this site stored once nobody is logged in.
(() => {
  const KEEP_AFTER_MS = 2000;
  const SEND_TIMEOUT_MS = 30000;
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

  // Every application waiting on this phone, oldest first, each with a button to remove it.
  async function show() {
    if (!banner) return;
    const items = (await Outbox.all()).sort((a, b) => a.keptAt - b.keptAt);
    const list = banner.querySelector("ul");
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = item.label || banner.dataset.unnamed;
      if (item.failed) label.textContent += ` – ${item.reason || banner.dataset.failed}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button-link";
      remove.textContent = banner.dataset.remove;
      remove.setAttribute("aria-label", `${banner.dataset.remove}: ${label.textContent}`);
      remove.addEventListener("click", async () => {
        if (!window.confirm(`${banner.dataset.confirmRemove} ${label.textContent}`)) return;
        await Outbox.remove(item.key);
        show();
      });
      li.append(label, " ", remove);
      return li;
    }));
    banner.hidden = items.length === 0;
  }

  // A new key for every application at the moment it is saved (the form's own key is the same
  // on every copy of a page the phone kept): a retry of this very submission sends the same
  // key again, a second application another one (portal/pwa.py).
  document.addEventListener("submit", (event) => {
    const key = event.target.querySelector("input[name=idempotency_key]");
    if (!key || event.target.dataset.keyMade || !(self.crypto && crypto.randomUUID)) return;
    key.value = crypto.randomUUID();
    event.target.dataset.keyMade = "1";
  }, true);

  // Logging out drops what waits on this phone: name it first, and let the employee stay.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.action || !form.action.endsWith("/accounts/logout/") || form.dataset.confirmed) return;
    event.preventDefault();
    let waiting = [];
    try {
      waiting = await Outbox.all();
    } catch (error) {
      waiting = []; // no outbox to read: nothing is kept to lose
    }
    if (waiting.length) {
      const names = waiting.map((item) => `• ${item.label || banner.dataset.unnamed}`).join("\n");
      if (!window.confirm(`${banner.dataset.confirmLogout}\n${names}`)) return;
    }
    form.dataset.confirmed = "1";
    form.submit();
  });

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
          response = await fetch(item.url, {
            method: "POST", body, credentials: "same-origin", redirect: "manual",
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          });
        } catch (error) {
          break; // the connection is gone again (or too slow): try later
        }
        if (response.status >= 500 || response.status === 429) break; // the server, later
        if (response.type === "opaqueredirect" || response.status === 302) {
          await Outbox.remove(item.key); // the server recorded it: only now is it "recorded"
          sent += 1;
        } else {
          // Refused (the details, a key sent before with other details, logged out): say so,
          // and keep it on the phone until the employee records it again or removes it.
          await Outbox.put({ ...item, failed: true });
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
