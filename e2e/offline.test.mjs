// Opening with the network down: the service worker keeps one release's
// files and the last list of checks on this computer, and the page says
// plainly when it opened from that copy and what it found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, launchBrowser, openAndFinish } from './lab.mjs';
import { freePort } from './faults.mjs';

const GOLDEN = new URL('../crates/linktriage-core/tests/golden/', import.meta.url);
const code = readFileSync(new URL('v2-default-config-lab.code', GOLDEN), 'utf8');

let port;
let server;
let browser;

before(async () => {
  port = await freePort();
  server = await startServer({ listen: `127.0.0.1:${port}` });
  browser = await launchBrowser({ 'linktriage.test': '127.0.0.1' });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Opens the clinician's page and waits until its service worker is active. */
async function openOnce(context) {
  const { page, errors } = await openAndFinish(context, server.url);
  const active = await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
    return worker.state;
  });
  assert.equal(active, 'activated');
  assert.deepEqual(errors, []);
  return page;
}

test('opened once, then offline: the page opens from its copy and says the fault is on this computer', async () => {
  const context = await browser.newContext();
  const page = await openOnce(context);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('#report-text', { timeout: 30_000 });
  assert.equal(await page.getAttribute('#verdict', 'data-segment'), 'device');
  await context.close();
});

test('opened once, then the server stopped: the page opens from its copy, says so, and blames no part wrongly; the desk view still reads a paste', async () => {
  const context = await browser.newContext();
  const page = await openOnce(context);
  server.stop();
  try {
    await page.reload();
    await page.waitForSelector('#report-text', { timeout: 30_000 });
    assert.match(await page.textContent('#opened-from-copy'), /opened from the copy kept on this computer/);
    // Never "everything is working": the server's own silence is evidence.
    // (Here nothing else answers either, the lab resolving no name: the
    // rule for "nothing answers though the computer says it is connected"
    // names the practice network.)
    const report = await page.textContent('#report-text');
    assert.notEqual(await page.getAttribute('#verdict', 'data-segment'), 'none', report);
    assert.match(report, /^- this computer: 0 of 1 answered \(no answer: Link Triage server no answer to 20 round trips\)$/m);
    const desk = await context.newPage();
    await desk.goto(`${server.url}desk/`);
    await desk.waitForSelector('#paste');
    await desk.evaluate((t) => { document.querySelector('#paste').value = t; }, code);
    await desk.click('#read-reports');
    await desk.waitForSelector('#desk-status');
    assert.match(await desk.textContent('#desk-status'), /1 report/);
  } finally {
    server = await startServer({ listen: `127.0.0.1:${port}` });
    await context.close();
  }
});

test('the pages and the service worker are asked about on every visit, hashed files kept for a year, measurements never', async () => {
  const page = await (await fetch(server.url)).text();
  const hashed = page.match(/\/linktriage-app-[0-9a-f]{16}\.js/)[0];
  const cases = [
    ['/', 'no-cache'],
    ['/desk/', 'no-cache'],
    ['/sw.js', 'no-cache'],
    [hashed, 'public, max-age=31536000, immutable'],
    ['/api/ping', 'no-store, no-transform'],
  ];
  for (const [path, expected] of cases) {
    const response = await fetch(new URL(path, server.url));
    assert.equal(response.headers.get('cache-control'), expected, path);
  }
  const worker = await (await fetch(new URL('/sw.js', server.url))).text();
  assert.match(worker, /const BUILD = '[0-9a-f]{16}';/);
  assert.ok(worker.includes(`["${hashed}","`), 'the worker lists the page\'s script with its hash');
});

test('on an address that is not secure, the page works and says it cannot open offline there', async () => {
  const context = await browser.newContext();
  const { page, errors } = await openAndFinish(context, `http://linktriage.test:${port}/`);
  assert.match(await page.textContent('#offline-use'), /cannot open when the network is down here: it needs a secure address \(https\)/);
  assert.deepEqual(errors, []);
  await context.close();
});
