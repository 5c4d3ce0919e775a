// Models trained (or uploaded) in this browser, kept in IndexedDB so every page's worker can
// load them: database "anomascope", object store "models", one record per model name:
// {name, manifest (JSON text), weights (Uint8Array, the .npz bytes), saved (ms since epoch)}.
// Used by the train page (save, list, remove) and by worker.js (load at boot).

const DB = "anomascope";
const STORE = "models";

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new Error("this browser has no IndexedDB"));
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "name" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB could not be opened"));
    request.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
  } finally {
    db.close();
  }
}

/** Save (or replace) one model: `weights` is a Uint8Array of the .npz file. */
export function saveModel(name, manifest, weights) {
  return run("readwrite", (store) => store.put({ name, manifest, weights: new Uint8Array(weights), saved: Date.now() }));
}

/** Every stored model record, sorted by name. */
export async function listModels() {
  const records = await run("readonly", (store) => store.getAll());
  return (records ?? []).sort((a, b) => a.name.localeCompare(b.name));
}

export function removeModel(name) {
  return run("readwrite", (store) => store.delete(name));
}
