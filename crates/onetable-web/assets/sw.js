// The service worker: after the first visit the pages open with no network. Pages, assets and the
// few answers the form needs are served from the network when it answers, and from the cache
// (the last good answer) when it does not. Writes never go through here: they wait in the
// page's outbox (outbox.js) until the network is back.

const CACHE = 'onetable-v8';
const SHELL = [
  '/', '/login', '/form', '/assets/app.css', '/assets/js/api.js', '/assets/js/login.js', '/assets/js/home.js',
  '/assets/js/labels.js', '/assets/js/fields.js', '/assets/js/form.js', '/assets/js/outbox.js', '/assets/js/offline.js',
  '/assets/js/relogin.js', '/assets/js/field_history.js', '/assets/js/page.js', '/assets/js/numbers.js',
  '/assets/js/form_state.js', '/assets/js/form_save.js', '/assets/js/form_submit.js', '/assets/js/form_review.js',
  '/assets/js/form_supplied.js',
  '/assets/js/form_quality.js',
  '/assets/js/next.js', '/assets/js/timeliness.js', '/assets/js/region_picker.js',
  '/registers', '/assets/js/registers.js', '/assets/js/register_record.js', '/assets/js/register_import.js',
  '/assets/js/record_outbox.js',
];
// The reads a form needs to open: who is signed in, the session, the form, the entry; and the
// village's registers (台账) with their lists, kept offline through the same outbox.
const READS = /^\/api\/v1\/(me|auth\/session|form|worklist|entries\/\d{12}\/[^/]+|registers|registers\/[A-Z0-9._]+\/records|regions\/\d{12})$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const page = !url.pathname.startsWith('/api/');
  if (!page && !READS.test(url.pathname)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(async () => {
        const cache = await caches.open(CACHE);
        return (await cache.match(request)) || (page && (await cache.match(url.pathname))) || Response.error();
      }),
  );
});
