/* The field app's service worker (scope /app/): the app shell and its libraries from the cache, the
   bundle (my grids, sources, 待办) network-first with the last answer kept for offline use. Writes are
   never handled here: the page queues them in IndexedDB and sends them itself when online. */
const VERSION = {{ version|tojson }};
const SHELL = "field-shell-" + VERSION;
const DATA = "field-data";
const ASSETS = {{ assets|tojson }};
const NETWORK_FIRST = [{{ url_for('field.shell')|tojson }}, "/api/v1/field/bundle", "/api/v1/inbox"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const keep = [SHELL, DATA];
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => !keep.includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function networkFirst(request) {
  try {
    const answer = await fetch(request);
    // a redirect to the login form is not the shell: keep the last good copy
    if (answer.ok && !answer.redirected) (await caches.open(DATA)).put(request, answer.clone());
    return answer;
  } catch (err) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw err;
  }
}

async function cacheFirst(request) {
  return (await caches.match(request)) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // the page's queue owns every write
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_FIRST.includes(url.pathname)) event.respondWith(networkFirst(request));
  else if (ASSETS.includes(url.pathname)) event.respondWith(cacheFirst(request));
});
