// Guarded persistence for models and data: IndexedDB, else localStorage, else
// nothing. Every access may throw (private windows, full quota, disabled
// storage); these functions never throw and never reject.
//
//   await put("model:names", text)   -> true when stored
//   await get("model:names")         -> the text, or null
//   await remove("model:names")

const DB = "tiny-text-diffusion";
const STORE = "kv";
const PREFIX = "tiny-text-diffusion:";
const OPEN_TIMEOUT_MS = 3000;

let dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    let done = false;
    const finish = (db) => { if (!done) { done = true; resolve(db); } };
    setTimeout(() => finish(null), OPEN_TIMEOUT_MS); // some browsers never answer
    try {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        try { req.result.createObjectStore(STORE); } catch { /* exists */ }
      };
      req.onsuccess = () => finish(req.result);
      req.onerror = () => finish(null);
      req.onblocked = () => finish(null);
    } catch {
      finish(null);
    }
  });
  return dbPromise;
}

function tx(db, mode, fn) {
  return new Promise((resolve) => {
    try {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve({ ok: true, value: req.result });
      t.onerror = () => resolve({ ok: false });
      t.onabort = () => resolve({ ok: false });
    } catch {
      resolve({ ok: false });
    }
  });
}

function local(fn) {
  try { return fn(window.localStorage); } catch { return undefined; }
}

export async function put(key, value) {
  const db = await openDb();
  if (db) {
    const r = await tx(db, "readwrite", (s) => s.put(value, key));
    if (r.ok) { local((ls) => ls.removeItem(PREFIX + key)); return true; }
  }
  return local((ls) => { ls.setItem(PREFIX + key, value); return true; }) || false;
}

export async function get(key) {
  const db = await openDb();
  if (db) {
    const r = await tx(db, "readonly", (s) => s.get(key));
    if (r.ok && typeof r.value === "string") return r.value;
  }
  const v = local((ls) => ls.getItem(PREFIX + key));
  return typeof v === "string" ? v : null;
}

export async function remove(key) {
  const db = await openDb();
  if (db) await tx(db, "readwrite", (s) => s.delete(key));
  local((ls) => ls.removeItem(PREFIX + key));
}
