// Opened from this computer's copy: the time to the page and to the verdict
// with the browser offline and with the server stopped, and what a repeat
// visit online fetches through every check, beside a first visit. The browser reaches the
// server through a TCP relay on loopback that counts every byte each way
// (and can stop answering, as a stopped server does); the server's metrics
// say which requests it answered. Prints one JSON line per figure, with
// every run and the median.
import { startServer, launchBrowser } from '../e2e/lab.mjs';
import { freePort, startRelay } from '../e2e/faults.mjs';

const RUNS = Number(process.env.RUNS ?? 5);

/**
 * The server's count of answered requests by route and code, and the bytes
 * of download tests it sent (`sent`), from its metrics.
 */
async function answered(metrics) {
  const text = await (await fetch(`http://${metrics}/metrics`)).text();
  const counts = {};
  for (const [, route, code, n] of text.matchAll(/^linktriage_http_requests_total\{route="([^"]+)",code="(\d+)"\} (\d+)$/gm)) {
    counts[`${route} ${code}`] = Number(n);
  }
  counts.sent = Number(text.match(/^linktriage_transfer_bytes_total\{direction="sent"\} (\d+)$/m)[1]);
  return counts;
}

/** A visit's bytes to the browser, and those besides the download tests' data. */
function bytesOf(counted, requests) {
  const total = relay.bytes.toBrowser - counted.toBrowser;
  return { bytes_to_browser: total, bytes_besides_downloads: total - (requests.sent ?? 0) };
}

function difference(after, before) {
  const out = {};
  for (const [key, n] of Object.entries(after)) {
    if (n !== (before[key] ?? 0)) out[key] = n - (before[key] ?? 0);
  }
  return out;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Opens the page; resolves with the times to its first render and to its
 * verdict. With `settled`, waits on until every check has finished and
 * nothing more is in flight, so that a visit's bytes are all counted.
 */
async function open(context, url, { settled = false } = {}) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('main p.intro, main h2', { timeout: 60_000 });
  const page_ms = await page.evaluate(() => performance.now());
  await page.waitForSelector('#verdict', { timeout: 60_000 });
  const verdict_ms = await page.evaluate(() => performance.now());
  const segment = await page.getAttribute('#verdict', 'data-segment');
  if (settled) {
    await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 120_000 });
    await page.waitForTimeout(1_000);
  }
  return { page, page_ms, verdict_ms, segment };
}

/** Waits until the page's service worker is active: the copy is kept. */
async function copyKept(page) {
  await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
  });
}

const serverPort = await freePort();
const metricsPort = await freePort();
const metrics = `127.0.0.1:${metricsPort}`;
const server = await startServer({ listen: `127.0.0.1:${serverPort}`, args: ['--metrics-listen', metrics] });
const relay = await startRelay(serverPort);
const url = relay.url;
const browser = await launchBrowser();
const figures = { first: [], repeat: [], offline: [], stopped: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    // A first visit: everything fetched.
    let counted = { ...relay.bytes };
    let asked = await answered(metrics);
    const first = await open(context, url, { settled: true });
    await copyKept(first.page);
    await first.page.close();
    let requests = difference(await answered(metrics), asked);
    figures.first.push({ ...first, ...bytesOf(counted, requests), requests });
    // A repeat visit online, through every check.
    counted = { ...relay.bytes };
    asked = await answered(metrics);
    const repeat = await open(context, url, { settled: true });
    await repeat.page.close();
    requests = difference(await answered(metrics), asked);
    figures.repeat.push({ ...repeat, ...bytesOf(counted, requests), requests });
    // The browser offline.
    await context.setOffline(true);
    const offline = await open(context, url);
    await offline.page.close();
    figures.offline.push(offline);
    await context.setOffline(false);
    // The server not answering.
    relay.down();
    const stopped = await open(context, url);
    await stopped.page.close();
    figures.stopped.push(stopped);
    relay.up();
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
  await relay.close();
}
for (const [visit, runs] of Object.entries(figures)) {
  const line = {
    visit,
    segments: [...new Set(runs.map((r) => r.segment))],
    page_ms: runs.map((r) => Math.round(r.page_ms)),
    median_page_ms: Math.round(median(runs.map((r) => r.page_ms))),
    verdict_ms: runs.map((r) => Math.round(r.verdict_ms)),
    median_verdict_ms: Math.round(median(runs.map((r) => r.verdict_ms))),
  };
  if (runs[0].bytes_to_browser !== undefined) {
    line.median_bytes_to_browser = median(runs.map((r) => r.bytes_to_browser));
    line.median_bytes_besides_downloads = median(runs.map((r) => r.bytes_besides_downloads));
    line.requests_answered_in_the_last_run = runs.at(-1).requests;
  }
  console.log(JSON.stringify(line));
}
