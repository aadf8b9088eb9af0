// Edits not yet confirmed by the server, kept in IndexedDB: written before a save is sent and
// removed when its answer arrives, so a lost connection, a closed tab or a reload loses nothing.

const DB = 'onetable';
const STORE = 'outbox';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(result.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

/** Keeps an edit; resolves to its id. */
export function keep(edit) {
  return run('readwrite', (store) => store.add(edit));
}

export function forget(id) {
  return run('readwrite', (store) => store.delete(id));
}

/** The edits of one entry waiting to be sent, oldest first (record writes have no period). */
export async function pending(region, period) {
  const all = await run('readonly', (store) => store.getAll());
  return all.filter((e) => e.region === region && e.period === period).sort((a, b) => a.id - b.id);
}

/** Whether the edit `id` still waits (another send may have settled it meanwhile). */
export async function has(id) {
  const found = await run('readonly', (store) => store.get(id));
  return found !== undefined;
}

/** The record writes (台账) of one village waiting to be sent, oldest first. */
export async function records(village) {
  const all = await run('readonly', (store) => store.getAll());
  return all.filter((e) => e.kind === 'record' && e.region === village).sort((a, b) => a.id - b.id);
}

/** Stores a kept edit again (its refusal noted). */
export function update(edit) {
  return run('readwrite', (store) => store.put(edit));
}
