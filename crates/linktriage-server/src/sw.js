// The Link Triage service worker: keeps one release's files on this computer,
// so that the pages open when the network is down, and never mixes two
// releases. The server writes BUILD, FILES and LIST_AS_ASKED when it starts:
// FILES is every file of the release with its SHA-256, BUILD a hash of that
// list.
'use strict';

const BUILD = '__BUILD__';
const FILES = __FILES__;
const CACHE = `linktriage-${BUILD}`;
// The last target list the server gave, kept across releases: the one
// answer from /api that is ever kept, so that the checks can run offline.
const SAVED = 'linktriage-saved-list';
const LIST = '/api/config';
// The list in the form the pages ask for it (`core::wire::COMPACT_QUERY`).
const LIST_AS_ASKED = '__LIST_AS_ASKED__';
// Where the answer to the list names the pages' release (`core::wire::RELEASE_HEADER`).
const RELEASE_HEADER = '__RELEASE_HEADER__';

async function sha256(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Every file fetched afresh and checked against this release's list: a
// server already serving the next release (a deploy mid-install) fails the
// install, and the release before stays in use.
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const [url, hash] of FILES) {
      const response = await fetch(url, { cache: 'reload' });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      if (await sha256(await response.clone().arrayBuffer()) !== hash) {
        throw new Error(`${url} is not this release's file`);
      }
      await cache.put(url, response);
    }
    // The page that registered this worker fetched its list before the
    // worker was there to keep it: keep it now.
    const list = await fetch(LIST_AS_ASKED, { cache: 'no-store' });
    if (list.ok) await (await caches.open(SAVED)).put(LIST_AS_ASKED, list);
  })().catch(async (error) => {
    await caches.delete(CACHE);
    throw error;
  }));
});

// No skipWaiting: a new release takes over when no page of the old one is
// open (a watch is never swapped under itself), and then the old files go.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('linktriage-') && name !== CACHE && name !== SAVED) {
        await caches.delete(name);
      }
    }
  })());
});

/** The page a navigation opens: its folder's, or the clinician's. */
function pageFor(path) {
  for (const page of ['/desk/', '/watch/']) {
    if (path === page.slice(0, -1) || path.startsWith(page)) return page;
  }
  return '/';
}

/**
 * `response` naming this worker's release: the page asking was answered
 * from this release's files, whatever release the server is on by now.
 */
function ofThisRelease(response, extra = {}) {
  const headers = new Headers(response.headers);
  headers.set(RELEASE_HEADER, BUILD);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The list from the server, kept; when the server does not answer, the copy, marked. */
async function listOrCopy(request) {
  const saved = await caches.open(SAVED);
  try {
    const response = await fetch(request);
    if (response.ok) await saved.put(request.url, response.clone());
    return ofThisRelease(response);
  } catch (error) {
    const copy = await saved.match(request.url);
    if (!copy) throw error;
    return ofThisRelease(copy, { 'x-linktriage-copy': 'saved' });
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === LIST) {
    event.respondWith(listOrCopy(request));
    return;
  }
  // Measurements are never answered from a copy.
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/sw.js') return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // As the server reads it: `//watch/` is the watch page.
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const key = request.mode === 'navigate' ? pageFor(path) : path;
    return (await cache.match(key, { ignoreSearch: true })) ?? fetch(request);
  })());
});
