// Makes the pages open with no network after the first visit: registers the service worker and
// keeps the reads a page has just made in its cache (the first visit's reads happen before the
// worker controls the page).

const CACHE = 'onetable-v1';

export function register() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
}

/** Keeps a JSON answer the page read, for when the network is gone. */
export async function remember(path, body) {
  if (!('caches' in window)) return;
  try {
    const cache = await caches.open(CACHE);
    await cache.put(path, new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }));
  } catch (e) {
    // A full or refused cache only costs the offline start.
  }
}

/** On signing out: nothing of the account stays in the cache. */
export async function forget() {
  if ('caches' in window) await caches.delete(CACHE).catch(() => {});
}
