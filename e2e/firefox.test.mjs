// The journeys that matter, in Debian's Firefox ESR as well as Chromium: the
// clinician's verdict, report and Copy; the desk's read-back of that report,
// identical byte for byte; a short watch whose record survives a reload; and
// the loss check, which in a real user's Firefox, with the server on its own
// computer, has no pair of addresses to try and says so (could not test,
// never "blocked"), and with loopback allowed measures as in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempFile, CODE_AT_END } from './lab.mjs';
import { closedPort } from './faults.mjs';
import { launchFirefox } from './firefox.mjs';

let lab;

before(async () => {
  const closed = await closedPort('127.0.0.9');
  const config =
    'name = "Firefox lab"\nversion = "lab-1"\n\n' +
    '[[target]]\nname = "Link Triage server"\nsegment = "auto"\nurl = "/"\nkind = "probe"\n\n' +
    `[[target]]\nname = "Supplier API"\nsegment = "supplier"\nurl = "http://127.0.0.9:${closed.port}/"\nkind = "reach"\ntimeout_ms = 2500\n`;
  const server = await startServer({ args: ['--config', await tempFile('firefox.toml', config)] });
  lab = { server, closed, browser: await launchFirefox() };
});

after(async () => {
  await lab?.browser.close();
  lab?.server.stop();
  await lab?.closed.close?.();
});

/**
 * Firefox's own notes on the page's requests, which WebDriver BiDi reports
 * as errors beside the page's: a cross-origin request that failed (the
 * unreachable supplier), ICE that found no path (the loss check).
 */
const FIREFOX_NOTES = [/^Cross-Origin Request Blocked: /, /^WebRTC: ICE failed/];

/** A new page in `browser` that records uncaught errors. */
async function pageIn(browser) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => {
    if (!FIREFOX_NOTES.some((note) => note.test(e.message))) errors.push(e.message);
  });
  return { page, errors };
}

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

/** Opens the clinician's page and waits for the finished report. */
async function finishedReport(page) {
  await page.goto(lab.server.url);
  await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 60_000 });
  return text(page, '#report-text');
}

test("the clinician's verdict, report and Copy, then the desk's read-back of it, identical", async () => {
  const { page, errors } = await pageIn(lab.browser);
  const report = await finishedReport(page);
  assert.equal(await page.$eval('#verdict', (e) => e.dataset.segment), 'supplier', report);
  assert.match(report, /\nVerdict: The clinical system supplier's service is not answering\./, report);
  assert.match(report, CODE_AT_END, report);
  await page.click('#copy-report');
  await page.waitForFunction(() => document.querySelector('#copy-report-status').textContent.startsWith('Copied'));

  const { page: desk, errors: deskErrors } = await pageIn(lab.browser);
  await desk.goto(`${lab.server.url}desk/`);
  await desk.waitForSelector('#paste');
  await desk.$eval('#paste', (e, t) => { e.value = t; }, `Re: Contacting Server\n\n${report}`);
  await desk.click('#read-reports');
  await desk.waitForSelector('#report-1-text');
  assert.equal(await text(desk, '#desk-status'), 'Found 1 report.');
  assert.equal(await text(desk, '#report-1-text'), report);
  // The share link opens the same report, from the fragment alone.
  const link = await page.$eval('#share-link', (e) => e.href);
  await desk.goto(link);
  await desk.waitForSelector('#report-1-text');
  assert.equal(await text(desk, '#report-1-text'), report);
  assert.deepEqual([...errors, ...deskErrors], []);
  await page.close();
  await desk.close();
});

test("in a real user's Firefox, with the server on its own computer, the loss check could not run and nothing is called blocked", async () => {
  const { page, errors } = await pageIn(lab.browser);
  const report = await finishedReport(page);
  assert.match(report, /\n- Link Triage server \[\w+\]: could not test packet loss \(the browser found no pair of network addresses to send UDP between this computer and the Link Triage server, so none was sent\)\n/, report);
  assert.doesNotMatch(report, /UDP[^\n]*blocked/, report);
  assert.deepEqual(errors, []);
  await page.close();
});

test('with loopback allowed, Firefox measures packet loss over UDP as Chromium does', async () => {
  const browser = await launchFirefox({ loopbackWebRtc: true });
  try {
    const { page, errors } = await pageIn(browser);
    const report = await finishedReport(page);
    assert.match(report, /\n- Link Triage server \[\w+\]: packet loss over UDP 0\.0 % out \(0 of 250 lost\), 0\.0 % back \(0 of 250 lost\)/, report);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a watch at 2 s keeps its record across a reload, in its worker, under its lock', async () => {
  const { page, errors } = await pageIn(lab.browser);
  await page.goto(`${lab.server.url}#watch=2s`);
  await page.waitForFunction(() => location.pathname === '/watch/', { timeout: 20_000 });
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  const samples = () => page.$eval('#watch', (e) => Number(e.dataset.samples));
  await page.waitForFunction(() => Number(document.querySelector('#watch').dataset.samples) >= 3, { timeout: 20_000 });
  assert.ok(await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/watch/watcher_loader.js'))), 'the worker sampled');
  const before = await samples();
  await page.reload();
  await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
  assert.ok((await samples()) >= before, 'every sample from before the reload is back');
  assert.ok(await page.$('#watch-resumed'), 'the page says the watch went on');
  const held = await page.evaluate(async () => (await navigator.locks.query()).held.map((l) => l.name));
  assert.deepEqual(held, ['linktriage-watch']);
  await page.click('#watch-stop');
  await page.waitForSelector('#watch[data-state="stopped"]');
  assert.deepEqual(errors, []);
  await page.close();
});
