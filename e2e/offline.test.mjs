// Opening with the network down: the service worker keeps one release's
// files and the last list of checks on this computer, and the page says
// plainly when it opened from that copy and what it found.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, openAndFinish, DIST, CODE_TAG, CODE_AT_END } from './lab.mjs';
import { startRelay } from './faults.mjs';

const GOLDEN = new URL('../crates/linktriage-core/tests/golden/', import.meta.url);
const code = readFileSync(new URL('v2-default-config-lab.code', GOLDEN), 'utf8');

let server;
// The pages' address for the whole file: the server behind it is stopped
// and replaced, and the address stays this file's (a freed port could be
// any other server's by the next visit).
let relay;
let browser;

before(async () => {
  server = await startServer();
  relay = await startRelay(new URL(server.url).port);
  browser = await launchBrowser({ 'linktriage.test': '127.0.0.1' });
});

after(async () => {
  await browser?.close();
  server?.stop();
  await relay?.close();
});

/** Waits until the service worker of `page` is active: the copy is kept. */
async function copyKept(page) {
  const active = await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
    return worker.state;
  });
  assert.equal(active, 'activated');
}

/** Opens the clinician's page and waits until its service worker is active. */
async function openOnce(context) {
  const { page, errors } = await openAndFinish(context, relay.url);
  await copyKept(page);
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
  // The code, its share link and its QR code are made here, with no server.
  await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 30_000 });
  assert.match(await page.textContent('#report-text'), CODE_AT_END);
  assert.ok((await page.textContent('#share-link-text')).includes(`/desk/#${CODE_TAG}.`));
  await page.click('#share-qr-details summary');
  await page.waitForSelector('#share-qr');
  const desk = await context.newPage();
  await desk.goto(await page.textContent('#share-link-text'));
  await desk.waitForSelector('article.desk-report', { timeout: 30_000 });
  await context.close();
});

test('opened once, then the server stopped: the page opens from its copy, says so, and blames no part wrongly; the desk view still reads a paste', async () => {
  const context = await browser.newContext();
  const page = await openOnce(context);
  relay.down();
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
    await desk.goto(`${relay.url}desk/`);
    await desk.waitForSelector('#paste');
    await desk.evaluate((t) => { document.querySelector('#paste').value = t; }, code);
    await desk.click('#read-reports');
    await desk.waitForSelector('#desk-status');
    assert.match(await desk.textContent('#desk-status'), /1 report/);
  } finally {
    relay.up();
    await context.close();
  }
});

test('the pages and the service worker are asked about on every visit, hashed files kept for a year, measurements never', async () => {
  const page = await (await fetch(relay.url)).text();
  // Trunk writes its files' hashes without leading zeros: 15 digits or fewer at times.
  const hashed = page.match(/\/linktriage-app-[0-9a-f]+\.js/)[0];
  const cases = [
    ['/', 'no-cache'],
    ['/desk/', 'no-cache'],
    ['/sw.js', 'no-cache'],
    [hashed, 'public, max-age=31536000, immutable'],
    ['/api/ping', 'no-store, no-transform'],
  ];
  for (const [path, expected] of cases) {
    const response = await fetch(new URL(path, relay.url));
    assert.equal(response.headers.get('cache-control'), expected, path);
  }
  const worker = await (await fetch(new URL('/sw.js', relay.url))).text();
  assert.match(worker, /const BUILD = '[0-9a-f]{16}';/);
  assert.ok(worker.includes(`["${hashed}","`), 'the worker lists the page\'s script with its hash');
});

test('on an address that is not secure, the page works and says it cannot open offline there', async () => {
  const context = await browser.newContext();
  const { page, errors } = await openAndFinish(context, `http://linktriage.test:${relay.port}/`);
  assert.match(await page.textContent('#offline-use'), /cannot open when the network is down here: it needs a secure address \(https\)/);
  assert.deepEqual(errors, []);
  await context.close();
});

/**
 * The next release: the built app with the clinician's stylesheet changed,
 * so renamed by its new hash, as Trunk would build it, and the page naming
 * it with its integrity. Resolves with the folder and the two names.
 */
async function nextRelease() {
  const dir = await mkdtemp(join(tmpdir(), 'linktriage-next-'));
  await cp(DIST, dir, { recursive: true });
  const page = await readFile(join(dir, 'index.html'), 'utf8');
  const old = page.match(/clinician-[0-9a-f]+\.css/)[0];
  const css = `${await readFile(join(dir, old), 'utf8')}\n/* the next release */\n`;
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 16);
  const renamed = `clinician-${hash}.css`;
  const integrity = `sha384-${createHash('sha384').update(css).digest('base64')}`;
  await writeFile(join(dir, old), css);
  await rename(join(dir, old), join(dir, renamed));
  await writeFile(join(dir, 'index.html'), page
    .replace(old, renamed)
    .replace(/(href="\/clinician-[0-9a-f]+\.css" integrity=")[^"]+/, `$1${integrity}`));
  // The compressed copies of the changed files are stale: gone, as a
  // build would rewrite them.
  for (const name of [`${old}.br`, `${old}.gz`, 'index.html.br', 'index.html.gz']) {
    await rm(join(dir, name), { force: true });
  }
  return { dir, old, renamed };
}

/** The release the server says it serves. */
async function serversRelease() {
  // A connection of its own each time: one kept from before may reach the
  // stopped server, which answers it while its grace lasts.
  const { get } = await import('node:http');
  return new Promise((resolve, reject) => {
    get(new URL('/api/config', relay.url), { agent: false }, (answer) => {
      answer.resume();
      resolve(answer.headers['x-linktriage-release']);
    }).on('error', reject);
  });
}

/**
 * One visit: a new page in `context` (none other open), through to the
 * report. Resolves with the page, the release its report names, the
 * stylesheet its page named, and every file the visit asked for, with
 * whether each was answered.
 */
async function visit(context) {
  const page = await context.newPage();
  const files = [];
  // The page's own files: not the checks' requests to other hosts.
  const own = (url) => new URL(url).origin === new URL(relay.url).origin;
  page.on('response', (r) => own(r.url()) && files.push({ url: new URL(r.url()).pathname, ok: r.ok() }));
  page.on('requestfailed', (r) => own(r.url()) && files.push({ url: new URL(r.url()).pathname, ok: false }));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(relay.url);
  await page.waitForSelector('#report-text', { timeout: 30_000 });
  const report = await page.textContent('#report-text');
  const release = report.match(/^Configuration: .*, Link Triage release ([0-9a-f]{16})$/m)?.[1];
  const stylesheet = await page.evaluate(() => new URL(document.querySelector('link[rel=stylesheet]').href).pathname);
  assert.deepEqual(errors, []);
  return { page, release, stylesheet, files };
}

/** Waits until the worker of the release after `current` is installed and waiting. */
async function nextWorkerWaits(page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.update();
    const worker = registration.waiting ?? registration.installing;
    if (!worker) throw new Error('no new worker after the update');
    if (worker.state !== 'installed') {
      await new Promise((resolve, reject) => worker.addEventListener('statechange', () => {
        if (worker.state === 'installed') resolve();
        if (worker.state === 'redundant') reject(new Error('the new worker did not install'));
      }));
    }
  });
}

test('a new release is used from the next visit after the update, and no visit mixes the files of two releases', async () => {
  const next = await nextRelease();
  const context = await browser.newContext();
  try {
    const first = await openOnce(context);
    await first.close();
    const before = await serversRelease();

    const nextServer = await startServer({ assets: next.dir });
    relay.to(new URL(nextServer.url).port);
    server.stop();
    server = nextServer;
    const after = await serversRelease();
    assert.notEqual(after, before, 'a changed file is a new release');

    // The first visit after the update opens the release this computer
    // keeps, whole; the new one installs beside it meanwhile.
    const second = await visit(context);
    assert.equal(second.release, before, 'the report names the release the page is');
    assert.equal(second.stylesheet, `/${next.old}`);
    await nextWorkerWaits(second.page);
    await second.page.close();

    // The next visit is the new release, whole.
    const third = await visit(context);
    assert.equal(third.release, after);
    assert.equal(third.stylesheet, `/${next.renamed}`);

    for (const [name, seen, mine, theirs] of [
      ['the first visit after the update', second, next.old, next.renamed],
      ['the visit after that', third, next.renamed, next.old],
    ]) {
      const failed = seen.files.filter((f) => !f.ok && !f.url.startsWith('/api/'));
      assert.deepEqual(failed, [], `${name}: every file of its release was there`);
      const styles = seen.files.filter((f) => /\/clinician-[0-9a-f]+\.css$/.test(f.url) && f.url.split('/').length === 2);
      assert.ok(styles.some((f) => f.url === `/${mine}`), `${name} asked for its stylesheet: ${JSON.stringify(styles)}`);
      assert.ok(!styles.some((f) => f.url === `/${theirs}`), `${name} asked for the other release's stylesheet: ${JSON.stringify(styles)}`);
    }
    // The old release's files are gone from this computer.
    const caches = await third.page.evaluate(async () => (await self.caches.keys()).filter((k) => k.startsWith('linktriage-')).sort());
    assert.deepEqual(caches, [`linktriage-${after}`, 'linktriage-saved-list'].sort());
  } finally {
    await context.close();
    server.stop();
    server = await startServer();
    relay.to(new URL(server.url).port);
    await rm(next.dir, { recursive: true, force: true });
  }
});

test('the watch page, opened alone, keeps the copy too, and opens from it with the server stopped', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${relay.url}watch/`);
    await copyKept(page);
    await page.close();
    relay.down();
    const again = await context.newPage();
    await again.goto(`${relay.url}watch/`);
    await again.waitForSelector('#opened-from-copy', { timeout: 30_000 });
    assert.match(await again.textContent('#opened-from-copy'), /The watch runs from here/);
  } finally {
    await context.close();
    relay.up();
  }
});
