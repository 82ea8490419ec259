// Keep watching, end to end at a one-second interval: a scripted outage of
// the HSCN host for 30 s and later of the supplier for 20 s gives two drops, each with its
// start and end near the truth and its own segment, and no drop while
// everything answers. The sampling runs in the page's Web Worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, launchChromiumOverPipe, tempFile, injectAxe, watchLayoutShifts, layoutShift, CODE_AT_END } from './lab.mjs';
import { startSwitchableHost } from './faults.mjs';

const INTERVAL_MS = 1000;
let lab;

before(async () => {
  const hosts = {
    hscn: await startSwitchableHost('127.0.0.20'),
    internet: await startSwitchableHost('127.0.0.21'),
    supplier: await startSwitchableHost('127.0.0.22'),
  };
  const config = `name = "Watch lab"
version = "watch-1"

[[target]]
name = "Link Triage server"
segment = "auto"
url = "/"
kind = "probe"

[[target]]
name = "HSCN gateway"
segment = "hscn"
url = "http://gateway.hscn.test/"
kind = "reach"
timeout_ms = 700

[[target]]
name = "Internet reference"
segment = "internet"
url = "http://a.internet.test/"
kind = "reach"
timeout_ms = 700

[[target]]
name = "Supplier API"
segment = "supplier"
url = "http://api.supplier.test/"
kind = "reach"
timeout_ms = 700
`;
  const server = await startServer({ args: ['--config', await tempFile('watch.toml', config)] });
  const hostMap = {
    'gateway.hscn.test': hosts.hscn.address,
    'a.internet.test': hosts.internet.address,
    'api.supplier.test': hosts.supplier.address,
  };
  const browser = await launchBrowser(hostMap);
  lab = { hosts, hostMap, server, browser };
});

after(async () => {
  await lab?.browser.close();
  lab?.server.stop();
  await Promise.all(Object.values(lab?.hosts ?? {}).map((h) => h.close()));
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a watch from a #watch=1s link records each drop with its time and segment, and none while all answer', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await watchLayoutShifts(page);
  // The desk's link to the clinician's page opens the watch page.
  await page.goto(`${lab.server.url}/#watch=1s`);
  await page.waitForURL(/\/watch\/#watch=1s$/);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  // The sampling is the worker's: its bundle was fetched for the watch.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/watch/watcher_loader.js')));
  await sleep(4_000);
  assert.equal(await page.locator('li.drop').count(), 0, 'no drop while everything answers');

  // The HSCN host stops answering for 30 s, then recovers.
  lab.hosts.hscn.refuse();
  await page.waitForSelector('li.drop[data-segment="hscn"]', { timeout: 10_000 });
  assert.equal(await page.title(), 'Drop in progress: Link Triage');
  assert.equal(await page.getAttribute('li.drop', 'data-end'), '', 'open while it lasts');
  await sleep(30_000 - (Date.now() - lab.hosts.hscn.switches.at(-1).at));
  lab.hosts.hscn.answer();
  await page.waitForSelector('li.drop[data-segment="hscn"][data-end^="20"]', { timeout: 10_000 });
  assert.equal(await page.title(), 'Link Triage');
  await sleep(3_000);

  // Later the supplier refuses for 20 s.
  lab.hosts.supplier.refuse();
  await page.waitForSelector('li.drop[data-segment="supplier"]', { timeout: 10_000 });
  await sleep(20_000 - (Date.now() - lab.hosts.supplier.switches.at(-1).at));
  lab.hosts.supplier.answer();
  await page.waitForSelector('li.drop[data-segment="supplier"][data-end^="20"]', { timeout: 10_000 });
  await sleep(2_000);

  const drops = await page.$$eval('li.drop', (items) =>
    items.map((li) => ({ segment: li.dataset.segment, start: Date.parse(li.dataset.start), end: Date.parse(li.dataset.end), text: li.textContent })),
  );
  assert.equal(drops.length, 2, JSON.stringify(drops));
  const truth = [lab.hosts.hscn.switches, lab.hosts.supplier.switches].map(([cut, back]) => ({ cut: cut.at, back: back.at }));
  for (const [i, drop] of drops.entries()) {
    // Within one interval of the truth, and a second's rounding of the
    // attribute (whole seconds).
    assert.ok(Math.abs(drop.start - truth[i].cut) <= INTERVAL_MS + 1000, `drop ${i} starts near the cut: ${JSON.stringify({ drop, truth: truth[i] })}`);
    assert.ok(Math.abs(drop.end - truth[i].back) <= INTERVAL_MS + 1000, `drop ${i} ends near the recovery: ${JSON.stringify({ drop, truth: truth[i] })}`);
  }
  assert.match(drops[0].text, /HSCN unreachable\. Not answering: HSCN gateway\./);
  assert.match(drops[1].text, /clinical supplier unreachable\. Not answering: Supplier API\./);
  const summary = await page.textContent('#watch-summary');
  assert.match(summary, /^2 drops so far: .* The NHS network link \(HSCN\) and the clinical system supplier failed; the internet stayed up\.$/);
  // The timeline shows the drops as squares that are not all answered.
  const failedRows = await page.$$eval('.timeline-row', (rows) =>
    rows.filter((r) => r.querySelector('path[fill="url(#cell-down)"], path[fill="url(#cell-some)"]')).map((r) => r.querySelector('.timeline-name').textContent),
  );
  assert.deepEqual(failedRows, ['HSCN gateway', 'Supplier API']);

  // The report, while the watch runs: the watch so far, drops first.
  await page.waitForFunction(() => /\nWatch: 2 drops so far: /.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''));
  const running = await page.textContent('#report-text');
  assert.match(running, /^Link Triage report\nVerdict: The connection dropped twice in \d+ (s|min) of watching, the last time at the clinical system supplier\.\n/);
  assert.match(running, /\nWatched: .* every 1 s; still watching when this report was made\n/);
  assert.match(running, /\nDrops:\n- .* UTC \(\d+ s\)(; .* local \(\d+ s\))?: at the NHS network link \(HSCN\); not answering: HSCN gateway\n- .*: at the clinical system supplier; not answering: Supplier API\nAnswered:\n/);
  assert.match(running, new RegExp(`\\nReport code .*${CODE_AT_END.source}`));
  assert.match(running, /\nConfiguration: .*, Link Triage release [0-9a-f]{16}\n/);

  // Opening, running, two drops and their reports: nothing jumped.
  const shift = await layoutShift(page);
  console.log(`layout shift of the watch page, opening to two drops: ${shift.toFixed(4)}`);
  assert.ok(shift <= 0.05, `the watch page moved by ${shift.toFixed(3)}`);
  await page.click('#watch-stop');
  await page.waitForSelector('#watch[data-state="stopped"]');
  assert.equal(await page.locator('li.drop').count(), 2, 'a stopped watch keeps its drops');
  await page.waitForFunction(() => / finished\n/.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''));
  assert.match(await page.textContent('#report-text'), /\nWatch: 2 drops: /);

  // The share link opens the desk view, which draws the same timeline
  // from the code.
  const [desk] = await Promise.all([context.waitForEvent('page'), page.click('#share-link')]);
  await desk.waitForSelector('#report-1-watch');
  assert.equal(await desk.textContent('#desk-status'), 'Found 1 report.');
  assert.equal(await desk.getAttribute('#report-1-verdict', 'data-segment'), 'supplier');
  assert.match(await desk.textContent('#report-1-watch'), /2 drops: .* \(Times in UTC\.\)/);
  const deskRows = await desk.$$eval('#report-1-watch .timeline-row', (rows) =>
    rows.filter((r) => r.querySelector('path[fill="url(#cell-down)"], path[fill="url(#cell-some)"]')).map((r) => r.querySelector('.timeline-name').textContent),
  );
  assert.deepEqual(deskRows, ['HSCN gateway', 'Supplier API']);
  assert.equal(await desk.locator('.timeline-legend').count(), 1);
  await desk.close();
  // With its drops, timeline and legend on it, the page is accessible.
  await injectAxe(page);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }),
  );
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`), []);
  assert.ok(result.passes.length > 5, 'axe really checked the page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('everything beyond the practice failing at once is placed there from the first moment of the drop, report and all', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${lab.server.url}/#watch=1s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  await sleep(3_000);
  // Every place a drop or its report names, from the first render on.
  await page.evaluate(() => {
    window.__placed = [];
    const note = () => {
      const drop = document.querySelector('li.drop');
      if (drop) window.__placed.push(drop.dataset.segment);
      const verdict = document.querySelector('#report-text')?.textContent.split('\n')[1];
      // A report about the drop (the one made before it may still show).
      if (drop && /^Verdict: The connection (is down|dropped)/.test(verdict ?? '')) window.__placed.push(verdict);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const hosts = Object.values(lab.hosts);
  let placed;
  try {
    for (const host of hosts) host.refuse();
    await page.waitForFunction(() => /\nDrops:\n/.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''), null, { timeout: 15_000 });
    await sleep(3_000);
    placed = [...new Set(await page.evaluate(() => window.__placed))];
  } finally {
    for (const host of hosts) host.answer();
  }
  assert.deepEqual(
    placed,
    ['lan', "Verdict: The connection is down now, at the practice network."],
    'never the first host to fail three times, with the others said to stay up',
  );
  assert.doesNotMatch(await page.textContent('#watch-summary'), /stayed up/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a #watch link with a wrong interval says so and watches at the default', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/#watch=fast`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.match(await page.textContent('#watch-link-problem'), /The link asked to watch every "fast", which is not an interval .* watching every 10 seconds instead\./);
  assert.match(await page.textContent('.watch-load'), /every 10 s/);
  await context.close();
});

test('Keep watching, after the verdict, opens a watch at the interval chosen in a new tab', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(lab.server.url);
  await page.waitForSelector('#keep-watching', { timeout: 20_000 });
  await page.selectOption('#watch-interval', '2s');
  await page.selectOption('#watch-for', 'as-long-as-left');
  const [watchPage] = await Promise.all([context.waitForEvent('page'), page.click('#watch-open')]);
  await watchPage.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.match(watchPage.url(), /\/watch\/\?watch=2s&for=as-long-as-left$/);
  assert.match(await watchPage.textContent('.watch-load'), /Checking 4 places every 2 s: 6 small requests a cycle, under half a kilobyte each\./);
  await watchPage.waitForFunction(() => document.querySelector('#watch-summary')?.textContent.startsWith('No drops in'));
  // The clinician's page, its verdict and its report, stay as they were.
  assert.ok(await page.isVisible('#verdict'));
  assert.ok(await page.isVisible('#report-text'));
  await context.close();
});

test('the watch page stops when asked and keeps what it saw', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/watch/`);
  await page.waitForSelector('#watch[data-state="idle"]', { timeout: 20_000 });
  await page.selectOption('#watch-interval', '1000');
  await page.selectOption('#watch-duration', 'until-stopped');
  await page.click('#watch-start');
  await page.waitForSelector('#watch[data-state="running"]');
  // Kept for as long as it is left: a week at most.
  const days = await page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('linktriage-watch');
    open.onsuccess = () => {
      const all = open.result.transaction('watches').objectStore('watches').getAll();
      all.onsuccess = () => resolve(all.result.map(([started, , ends]) => (ends - started) / 86_400_000));
    };
  }));
  assert.deepEqual(days, [7]);
  await page.waitForFunction(() => document.querySelectorAll('.timeline-row path').length >= 4, null, { timeout: 10_000 });
  // The server, a probe, has its round trips under its row, in words too.
  await page.waitForSelector('.timeline-round-trip');
  assert.match(await page.textContent('.timeline-round-trip .timeline-name'), /^Link Triage server: round trip [\d.]+ ms now \(median of the newest square\); up to [\d.]+ ms in view$/);
  // A square for every 10 seconds at a 1-second interval; a minute when asked.
  assert.equal(await page.getAttribute('#timeline-zoom', 'aria-pressed'), 'true');
  assert.match(await page.textContent('.timeline figcaption'), /^Each square is 10 seconds;/);
  await page.click('#timeline-zoom');
  assert.equal(await page.getAttribute('#timeline-zoom', 'aria-pressed'), 'false');
  assert.match(await page.textContent('.timeline figcaption'), /^Each square is a minute;/);
  // Opening, running, two drops and their reports: nothing jumped.
  const shift = await layoutShift(page);
  console.log(`layout shift of the watch page, opening to two drops: ${shift.toFixed(4)}`);
  assert.ok(shift <= 0.05, `the watch page moved by ${shift.toFixed(3)}`);
  await page.click('#watch-stop');
  await page.waitForSelector('#watch[data-state="stopped"]');
  assert.match(await page.textContent('#watch-summary'), /^No drops in /);
  await context.close();
});

test('a watch keeps a data channel to the server: each minute its packets are counted, split by direction, and the report and the desk carry them', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${lab.server.url}/watch/#watch=2s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  // The first minute closes 5 s after it ends, once the server's count for
  // it is back.
  await page.waitForSelector('.timeline-loss', { timeout: 90_000 });
  assert.equal(
    await page.textContent('.timeline-loss .timeline-name'),
    'Link Triage server: 0.0 % of packets lost in the newest minute; up to 0.0 % in view',
  );
  await page.waitForFunction(() => /\nPacket loss \(UDP/.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''), null, { timeout: 20_000 });
  const text = await page.textContent('#report-text');
  const line = text.match(/\nPacket loss \(UDP, to the Link Triage server\):\n- Link Triage server \[\w+\]: 0\.0 % of packets lost \(0 on the way there, 0 back; (\d+) sent\), round trip over UDP [\d.]+ ms\n/);
  assert.ok(line, text);
  // Two a second on a shown page, from the moment the channel opened.
  const sent = Number(line[1]);
  assert.ok(sent >= 90 && sent <= 121, `${sent} probes in the first minute`);
  assert.doesNotMatch(text, /lost packets /, 'no lossy spell on a clean line');
  // The desk reads the minutes back from the code (version 8).
  assert.match(text, /\nLT8\.[\w-]+\.[0-9a-f]{8}/);
  const [desk] = await Promise.all([context.waitForEvent('page'), page.click('#share-link')]);
  await desk.waitForSelector('#report-1-watch');
  assert.match(await desk.textContent('#report-1-text'), new RegExp(`Link Triage server \\[\\w+\\]: 0\\.0 % of packets lost \\(0 on the way there, 0 back; ${sent} sent\\)`));
  await desk.close();
  // Opening, running, two drops and their reports: nothing jumped.
  const shift = await layoutShift(page);
  console.log(`layout shift of the watch page, opening to two drops: ${shift.toFixed(4)}`);
  assert.ok(shift <= 0.05, `the watch page moved by ${shift.toFixed(3)}`);
  await page.click('#watch-stop');
  await page.waitForSelector('#watch[data-state="stopped"]');
  assert.deepEqual(errors, []);
  await context.close();
});

test('one watch per browser: a second tab says where the watch is, and may start one once it is gone', async () => {
  const context = await lab.browser.newContext();
  const first = await context.newPage();
  await first.goto(`${lab.server.url}/watch/#watch=2s`);
  await first.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  const held = await first.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name));
  assert.deepEqual(held, ['linktriage-watch']);
  const second = await context.newPage();
  await second.goto(`${lab.server.url}/watch/#watch=2s`);
  await second.waitForSelector('#watch[data-state="elsewhere"]', { timeout: 20_000 });
  assert.match(await second.textContent('#watch-elsewhere'), /already running in another tab of this browser/);
  await first.close();
  await second.click('#watch-start');
  await second.waitForSelector('#watch[data-state="running"]', { timeout: 10_000 });
  await second.click('#watch-stop');
  await second.waitForSelector('#watch[data-state="stopped"]');
  const after = await second.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name));
  assert.deepEqual(after, [], 'the lock goes with the watch');
  await context.close();
});

/** How many samples the watch page's record holds. */
async function samplesOf(page) {
  return Number(await page.getAttribute('#watch', 'data-samples'));
}

/** Waits until the watch page's record holds `count` more samples than now. */
async function moreSamples(page, count) {
  const from = await samplesOf(page);
  await page.waitForFunction((n) => Number(document.querySelector('#watch')?.dataset.samples) >= n, from + count, { timeout: 20_000 });
}

test('a reload in the middle keeps the history, and the watch goes on', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/watch/#watch=1s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  lab.hosts.hscn.refuse();
  await page.waitForSelector('li.drop[data-segment="hscn"]', { timeout: 10_000 });
  lab.hosts.hscn.answer();
  await page.waitForSelector('li.drop[data-end^="20"]', { timeout: 10_000 });
  const before = { samples: await samplesOf(page), start: await page.getAttribute('li.drop', 'data-start') };

  await page.reload();
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.ok(await page.isVisible('#watch-resumed'), 'the page says the watch went on');
  assert.ok((await samplesOf(page)) >= before.samples, 'every sample from before the reload is back');
  assert.equal(await page.getAttribute('li.drop', 'data-start'), before.start, 'the same drop, at the same time');
  await moreSamples(page, 8);
  assert.equal(await page.locator('li.drop').count(), 1, 'a reload is not a drop');
  // One watch: the reload took the lock back rather than starting another.
  const held = await page.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name));
  assert.deepEqual(held, ['linktriage-watch']);

  // Closed and opened again, without the #watch link: it still goes on.
  await page.close();
  const again = await context.newPage();
  await again.goto(`${lab.server.url}/watch/`);
  await again.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.equal(await again.locator('li.drop[data-segment="hscn"]').count(), 1);
  await again.click('#watch-stop');
  await again.waitForSelector('#watch[data-state="stopped"]');
  // A stopped watch stays stopped, with its record, when opened again.
  await again.reload();
  await again.waitForSelector('#watch[data-state="stopped"]', { timeout: 20_000 });
  assert.equal(await again.locator('li.drop').count(), 1);
  await context.close();
});

test('a browser that keeps nothing still watches, and says a reload loses the record', async () => {
  const context = await lab.browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); } });
  });
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/watch/#watch=1s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.match(await page.textContent('#watch-not-kept'), /does not keep the watch's record .*: reloading or closing this tab loses what it has seen/);
  await moreSamples(page, 4);
  await context.close();
});

/** Every process of the lab's Chromium: the node process's descendants that are Chromium. */
async function chromiumProcesses() {
  const { execFileSync } = await import('node:child_process');
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) {
      if (mine.has(row.ppid) && !mine.has(row.pid)) {
        mine.add(row.pid);
        grew = true;
      }
    }
  }
  return rows.filter((r) => mine.has(r.pid) && /chrom/.test(r.comm)).map((r) => r.pid);
}

test('the browser stopped for 20 s, as a sleeping laptop stops it, is a pause and no drop', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/watch/#watch=1s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  await moreSamples(page, 12);
  const pids = await chromiumProcesses();
  assert.ok(pids.length >= 2, `found the browser's processes: ${pids}`);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  await sleep(20_000);
  for (const pid of pids) process.kill(pid, 'SIGCONT');
  await moreSamples(page, 12);
  assert.equal(await page.locator('li.drop').count(), 0, 'asleep is not down');
  const paused = await page.$$eval('.timeline-row', (rows) => rows.filter((r) => r.querySelector('path[fill="url(#cell-paused)"]')).length);
  assert.equal(paused, 4, 'every target shows the pause');
  assert.match(await page.textContent('#watch-summary'), /^No drops in /);
  // Opening, running, two drops and their reports: nothing jumped.
  const shift = await layoutShift(page);
  console.log(`layout shift of the watch page, opening to two drops: ${shift.toFixed(4)}`);
  assert.ok(shift <= 0.05, `the watch page moved by ${shift.toFixed(3)}`);
  await page.click('#watch-stop');
  await page.waitForSelector('#watch[data-state="stopped"]');
  await page.waitForFunction(() => /\nPaused: \d+ s in all, once \(the browser paused the watch; not counted as drops\)\n/.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''));
  await context.close();
});

test('a path that fails for 3 s of every 10 s is reported as repeated drops, not as fine', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}/watch/#watch=1s`);
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  await moreSamples(page, 8);
  for (let cycle = 0; cycle < 4; cycle += 1) {
    lab.hosts.internet.refuse();
    await sleep(3_000);
    lab.hosts.internet.answer();
    await sleep(7_000);
  }
  const drops = await page.$$eval('li.drop', (items) => items.map((li) => li.dataset.segment));
  assert.ok(drops.length >= 3, `repeated drops: ${drops}`);
  assert.ok(drops.every((s) => s === 'internet'), `${drops}`);
  assert.match(await page.textContent('#watch-summary'), /^\d+ drops so far: .* The internet failed/);
  await page.waitForFunction(() => /^Link Triage report\nVerdict: The connection dropped \d+ times in /.test(document.querySelector('#report-text[data-complete="true"]')?.textContent ?? ''));
  await context.close();
});

/**
 * The watch page at a 1-second interval in a new tab of `browser` (driven
 * over its DevTools pipe): its target and session, `evaluate(expression)`,
 * and `samples()`, how many its record holds.
 */
async function watchOverPipe(browser) {
  const { targetId } = await browser.send('Target.createTarget', { url: `${lab.server.url}/watch/#watch=1s`, newWindow: false });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  await browser.send('Runtime.enable', {}, sessionId);
  const evaluate = (expression) => browser.evaluate(sessionId, expression);
  const samples = () => evaluate("Number(document.querySelector('#watch')?.dataset.samples ?? 0)");
  return { targetId, sessionId, evaluate, samples };
}

/** Waits, a quarter of a second at a time for up to 20 s, until `check()` holds. */
async function waitFor(what, check) {
  for (let tries = 0; !(await check()); tries += 1) {
    if (tries > 80) throw new Error(`waited in vain for ${what}`);
    await sleep(250);
  }
}

test('a hidden page frozen by the browser for 20 s is a pause and no drop', async () => {
  // Over the DevTools pipe: a page Playwright drives is never hidden, and
  // the browser freezes only a hidden page.
  const browser = await launchChromiumOverPipe(lab.hostMap);
  try {
    const { targetInfos } = await browser.send('Target.getTargets');
    const blank = targetInfos.find((t) => t.type === 'page');
    const { targetId, sessionId, evaluate, samples } = await watchOverPipe(browser);
    await waitFor('the watch to run and sample', async () => (await samples()) >= 12);
    await browser.send('Target.activateTarget', { targetId: blank.targetId });
    await waitFor('the page to be hidden', async () => (await evaluate('document.visibilityState')) === 'hidden');
    await browser.send('Page.enable', {}, sessionId);
    await browser.send('Page.setWebLifecycleState', { state: 'frozen' }, sessionId);
    await sleep(20_000);
    await browser.send('Page.setWebLifecycleState', { state: 'active' }, sessionId);
    await browser.send('Target.activateTarget', { targetId });
    await sleep(500);
    const after = await samples();
    await waitFor('samples after the freeze', async () => (await samples()) >= after + 12);
    assert.equal(await evaluate("document.querySelectorAll('li.drop').length"), 0, 'frozen is not down');
    const paused = await evaluate(`[...document.querySelectorAll('.timeline-row')].filter((r) => r.querySelector('path[fill="url(#cell-paused)"]')).length`);
    assert.equal(paused, 4, 'every target shows the pause');
    // The page heard the freeze: the report names one pause of about 20 s.
    await evaluate("document.querySelector('#watch-stop').click(), true");
    await waitFor('the finished report', async () => / finished\n/.test(await evaluate("document.querySelector('#report-text[data-complete=\"true\"]')?.textContent ?? ''")));
    const report = await evaluate("document.querySelector('#report-text').textContent");
    assert.match(report, /\nPaused: 2\d s in all, once \(the browser paused the watch; not counted as drops\)\n/);
  } finally {
    browser.close();
  }
});

test('while no samples come the watch says it is paused, and goes on by itself', async () => {
  // The worker held in the debugger: the page runs, its sampler does not.
  const browser = await launchChromiumOverPipe(lab.hostMap);
  try {
    const workers = [];
    browser.on((m) => {
      if (m.method === 'Target.attachedToTarget' && m.params.targetInfo.type === 'worker') workers.push(m.params.sessionId);
    });
    const { sessionId, evaluate, samples } = await watchOverPipe(browser);
    await browser.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
    const state = () => evaluate("document.querySelector('#watch')?.dataset.state");
    await waitFor('the watch to run and sample', async () => (await samples()) >= 8 && workers.length > 0);
    const worker = workers[0];
    await browser.send('Debugger.enable', {}, worker);
    await browser.send('Debugger.pause', {}, worker);
    await waitFor('the watch to say it is paused', async () => (await state()) === 'paused');
    assert.match(await evaluate("document.querySelector('#watch-paused').textContent"), /^The watch is paused: the browser has stopped it for now/);
    await sleep(2_000);
    await browser.send('Debugger.resume', {}, worker);
    await waitFor('the watch to run again', async () => (await state()) === 'running');
    const after = await samples();
    await waitFor('samples after the pause', async () => (await samples()) >= after + 8);
    assert.equal(await evaluate("document.querySelectorAll('li.drop').length"), 0, 'paused is not down');
    assert.equal(await evaluate("document.querySelector('#watch-paused')"), null);
  } finally {
    browser.close();
  }
});
