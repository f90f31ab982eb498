/* Service worker of the Tiny Text Diffusion site.
 *
 * dist/sw.js is generated from scripts/sw.template.js by scripts/build_site.py,
 * which fills in BUILD_HASH and PRECACHE; edit the template, not dist/sw.js.
 *
 * - Precaches every file of the build (URLs relative to this script, so the
 *   site works under any sub-path) and checks each against its sha256.
 * - Cache-first for GET requests under this script's folder; a URL ending in
 *   "/" is answered with its index.html.
 * - The cache name contains a hash of all file hashes: a new build installs a
 *   new cache, and activation deletes this site's older caches.
 */
"use strict";

const BUILD_HASH = "__BUILD_HASH__";
const PRECACHE = /*__PRECACHE__*/ [];

const BASE = new URL("./", self.location.href);
const CACHE_PREFIX = `tiny-text-diffusion:${BASE.pathname}:`;
const CACHE_NAME = CACHE_PREFIX + BUILD_HASH;
const INDEX_URL = new URL("index.html", BASE).href;
const FETCH_CONCURRENCY = 6;

const absolute = (path) => new URL(path, BASE).href;

async function fetchChecked(url, integrity) {
  // With a hash, the HTTP cache may answer first (the page has often just
  // fetched the same file); a stale copy fails the integrity check and the
  // file is fetched again from the network.
  const modes = integrity ? ["default", "reload"] : ["reload"];
  let lastError = null;
  for (const mode of modes) {
    try {
      const init = { cache: mode, credentials: "same-origin" };
      if (integrity) init.integrity = integrity;
      const response = await fetch(url, init);
      if (response.ok) return response;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`precaching ${url} failed: ${lastError}`);
}

async function runLimited(items, limit, task) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE_NAME);
      // An interrupted install of this same build resumes where it stopped.
      const have = new Set((await cache.keys()).map((request) => request.url));
      const missing = PRECACHE.filter((entry) => !have.has(absolute(entry.url)));
      await runLimited(missing, FETCH_CONCURRENCY, async (entry) => {
        const url = absolute(entry.url);
        await cache.put(url, await fetchChecked(url, entry.integrity));
      });
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(CACHE_PREFIX) && key !== CACHE_NAME) await caches.delete(key);
      }
      await self.clients.claim();
      for (const client of await self.clients.matchAll({ includeUncontrolled: true })) {
        client.postMessage({ type: "sw-activated", build: BUILD_HASH });
      }
    })(),
  );
});

async function cacheFirst(request, url) {
  const cache = await caches.open(CACHE_NAME);
  let key = url.origin + url.pathname;
  if (key.endsWith("/")) key += "index.html";
  const hit = await cache.match(key);
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (error) {
    if (request.mode === "navigate") {
      const index = await cache.match(INDEX_URL);
      if (index) return index;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(BASE.pathname)) return;
  event.respondWith(cacheFirst(request, url));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "get-build") {
    event.source?.postMessage({ type: "build", build: BUILD_HASH, files: PRECACHE.length });
  }
});
