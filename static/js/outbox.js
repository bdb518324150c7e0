// The phone's outbox: applications recorded without a connection, kept in IndexedDB until they
// are sent (portal/pwa.py). Used by the service worker (importScripts) and by the pages.
const Outbox = (() => {
  const NAME = "spoorboek-outbox";
  const STORE = "applications";

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(mode, action) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request && request.result); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }

  return {
    all: () => run("readonly", (store) => store.getAll()),
    put: (item) => run("readwrite", (store) => store.put(item)),
    remove: (key) => run("readwrite", (store) => store.delete(key)),
    forget: () => new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    }),
  };
})();

if (typeof window !== "undefined") window.Outbox = Outbox;
