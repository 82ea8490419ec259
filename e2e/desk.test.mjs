// The report leaves the clinician's page and reaches the desk: Copy pasted
// into the desk view in another browser context, a mangled email thread of
// several reports, the share link and its QR code, the JSON download, a
// 10 MB paste, and hostile text in every field a person or a list can fill.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startServer, launchBrowser, openAndFinish, tempFile, injectAxe, CODE_TAG } from './lab.mjs';

// Markup and script in every text a person or a configuration can set. Each
// must arrive as the very characters typed, and run nothing.
const HOSTILE = {
  place: '<img src=x onerror="window.__pwned=1">Y01234 & <b>Surgery</b>',
  ticket: '"><script>window.__pwned=2</script>',
  note: 'Contacting Server since 09:05 from 10.1.2.3 <svg onload="window.__pwned=3">',
};
const HOSTILE_CONFIG = `
name = "<script>window.__pwned=4</script> List"
version = "1 <img src=x onerror='window.__pwned=5'>"

[[target]]
name = "<iframe src=javascript:window.__pwned=6> server"
segment = "internet"
url = "/"
kind = "probe"
checks = ["round_trips"]
samples = 5

[[target]]
name = "HSCN <b onmouseover=window.__pwned=7>gateway</b>"
segment = "hscn"
url = "https://hscn.test/"
kind = "reach"
`;

let server;
let hostileServer;
let browser;

before(async () => {
  // The server as a desk deploys it on the internet, which the lab (all on
  // loopback) cannot be: the default list with its server placed there, so
  // that every run finds a fault beyond the practice (no public host
  // resolves in the lab) and sites can be seen failing together.
  const defaultList = await readFile(new URL('../crates/linktriage-core/src/default-config.toml', import.meta.url), 'utf8');
  const onTheInternet = defaultList.replace('segment = "auto"', 'segment = "internet"');
  assert.notEqual(onTheInternet, defaultList);
  server = await startServer({ args: ['--config', await tempFile('on-the-internet.toml', onTheInternet)] });
  hostileServer = await startServer({ args: ['--config', await tempFile('hostile.toml', HOSTILE_CONFIG)] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
  hostileServer?.stop();
});

/** Types the site details and waits for the report (code included) to carry them. */
async function typeSiteDetails(page, { place, ticket = '', note = '', removeAddresses = false }) {
  await page.fill('#site-place', place);
  await page.fill('#site-ticket', ticket);
  await page.fill('#site-note', note);
  if (removeAddresses) await page.check('#remove-addresses');
  await page.waitForFunction(
    ({ place, removeAddresses }) => {
      const report = document.querySelector('#report-text');
      const text = report.textContent;
      return (
        report.dataset.complete === 'true' &&
        text.includes(`Site: ${place.trim()}\n`) &&
        text.includes('IP addresses: removed before sharing') === removeAddresses
      );
    },
    { place, removeAddresses },
  );
  return textOf(page, '#report-text');
}

/** Opens the desk view, pastes `text` and reads it; resolves with the page. */
async function pasteIntoDesk(context, url, text) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}desk/`);
  await page.waitForSelector('#paste');
  await setPaste(page, text);
  await page.click('#read-reports');
  await page.waitForSelector('#desk-status');
  return { page, errors };
}

/** Sets the paste box as a paste would, without typing megabytes key by key. */
function setPaste(page, text) {
  return page.evaluate((t) => {
    document.querySelector('#paste').value = t;
  }, text);
}

/** An element's text, whole (Playwright's textContent waits for missing ones). */
function textOf(page, selector) {
  return page.evaluate((s) => document.querySelector(s).textContent, selector);
}

async function nothingRan(page) {
  const pwned = await page.evaluate(() => window.__pwned);
  assert.equal(pwned, undefined, 'no pasted or configured text ran as script');
  const injected = await page.evaluate(
    () => document.querySelectorAll('main img, main script, main iframe, main svg:not(#share-qr), main b').length,
  );
  assert.equal(injected, 0, 'no pasted or configured text became an element');
}

test("the clinician's Copy, pasted into the desk view in another browser context, shows the same verdict and figures", async () => {
  const clinician = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const shown = await typeSiteDetails(page, { ...HOSTILE, removeAddresses: true });
  // The IP address typed in the note is gone; the rest of the note is not.
  assert.ok(shown.includes('Note: Contacting Server since 09:05 from [IP address removed] <svg'), shown);
  await page.click('#copy-report');
  await page.waitForFunction(() => document.querySelector('#copy-report-status').textContent.startsWith('Copied'));
  const pasted = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(pasted, shown);
  const verdict = (await page.textContent('#verdict')).trim();
  const segment = await page.getAttribute('#verdict', 'data-segment');
  await nothingRan(page);

  // Another context: the desk, with nothing shared but the pasted text,
  // quoted in a reply as mail clients do.
  const desk = await browser.newContext();
  const quoted = `Re: Contacting Server\n\nPlease see below.\n\n${pasted.split('\n').map((l) => `> ${l}`).join('\n')}`;
  const { page: deskPage, errors } = await pasteIntoDesk(desk, server.url, quoted);
  assert.equal(await deskPage.textContent('#desk-status'), 'Found 1 report.');
  // The same report twice (the reply quotes the first mail) and its share
  // link beside the text, as a mail client links it: one report, one site.
  const link = await page.getAttribute('#share-link', 'href');
  await deskPage.fill('#paste', `${pasted}\n<${link}>\n\n${quoted}\n`);
  await deskPage.click('#read-reports');
  await deskPage.waitForFunction(() => /appeared 3 times/.test(document.querySelector('#desk-status')?.textContent ?? ''));
  assert.equal(await deskPage.locator('article.desk-report').count(), 1);
  assert.equal(await deskPage.locator('#shared-faults').count(), 0, 'one report is never sites that failed together');
  assert.equal((await deskPage.textContent('#report-1-verdict')).trim(), verdict);
  assert.equal(await deskPage.getAttribute('#report-1-verdict', 'data-segment'), segment);
  // The desk is told where the report goes, not to call itself.
  const callout = await deskPage.textContent('#report-1 .next-step');
  assert.match(callout, /Where this report goes.*Route to: \S/s, callout);
  assert.match(callout, /The clinician was told: /, callout);
  // Every figure and detail, exactly as the clinician saw it.
  assert.equal(await textOf(deskPage, '#report-1-text'), pasted);
  await nothingRan(deskPage);
  assert.deepEqual(errors, []);
  await clinician.close();
  await desk.close();
});

test('a mangled thread of several reports: the table, the sites that failed together, and each damaged report named', async () => {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  // In the lab no public host resolves, so every run finds the HSCN link down.
  assert.equal(await page.getAttribute('#verdict', 'data-segment'), 'hscn');
  const reports = {};
  for (const place of ['Y001', 'Y002', 'Y003']) reports[place] = await typeSiteDetails(page, { place });
  const codeOf = (report) => report.trimEnd().split('\n').at(-1);
  // Y002 quoted twice and re-wrapped at 60 characters, with a stray space.
  const wrapped = (codeOf(reports.Y002).replace(/^(.{30})/, '$1 ').match(/.{1,60}/g) ?? []).map((l) => `> > ${l}`);
  const y002 = reports.Y002.replace(codeOf(reports.Y002), wrapped.join('\n'));
  const cut = codeOf(reports.Y003).slice(0, 200);
  const tampered = codeOf(reports.Y001).replace(/.(\.[0-9a-f]{8})$/, (m, sum) => (m[0] === 'A' ? 'B' : 'A') + sum);
  const thread = [
    reports.Y001,
    `On Monday the practice wrote:\n${y002}`,
    `Sorry, this one was cut off:\n${cut}\n`,
    `And an edited one: ${tampered}\n`,
    'Not a report at all: LT2.bm90IGEgcmVwb3J0.2c0f7b0a\n',
    reports.Y003,
  ].join('\n-----\n');
  const desk = await browser.newContext();
  const { page: deskPage, errors } = await pasteIntoDesk(desk, server.url, thread);
  assert.equal(await deskPage.textContent('#desk-status'), 'Found 6 reports; 3 could not be read.');
  const damaged = await deskPage.$$eval('#damaged li', (items) => items.map((i) => i.textContent));
  assert.equal(damaged.length, 3);
  assert.match(damaged[0], /^Report 3 \(line \d+ of the paste\): the report code is cut off/);
  assert.match(damaged[1], /^Report 4 \(line \d+ of the paste\): the report code was changed on the way/);
  assert.match(damaged[2], /^Report 5 \(line \d+ of the paste\): the report code was changed on the way/);
  // The rest still show, in the table and in full.
  const rows = await deskPage.$$eval('#report-table tbody tr', (trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.lastElementChild.textContent)),
  );
  // Each cell carries its column's name for a narrow screen, where a row is
  // a block of labelled lines; there nothing is cut off.
  const labels = await deskPage.$$eval('#report-table tbody tr:first-child .nhsuk-table__heading', (s) => s.map((e) => e.textContent));
  assert.deepEqual(labels, ['Report', 'Site', 'Ticket', 'Checked', 'Verdict', 'Key figures']);
  await deskPage.setViewportSize({ width: 375, height: 667 });
  const clipped = await deskPage.$$eval('#report-table tbody td', (cells) =>
    cells.filter((td) => td.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 || td.scrollWidth > td.clientWidth + 1).length,
  );
  assert.equal(clipped, 0, 'no cell of the table is cut off at 375 px');
  await deskPage.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(
    rows.map((r) => [r[0], r[1]]),
    [
      ['1', 'Y001'],
      ['2', 'Y002'],
      ['6', 'Y003'],
    ],
  );
  for (const row of rows) {
    assert.match(row[3], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.match(row[4], /HSCN/);
    assert.match(row[5], /^reached \d+ of \d+; round trip [\d.]+ ms \(Link Triage server\)/);
  }
  for (const [number, place] of [
    [1, 'Y001'],
    [2, 'Y002'],
    [6, 'Y003'],
  ]) {
    const text = await textOf(deskPage, `#report-${number}-text`);
    assert.equal(text, reports[place]);
  }
  // The regional signal no single report shows.
  const shared = await deskPage.textContent('#shared-faults li');
  assert.match(shared, /^3 sites: HSCN unreachable, \d\d:\d\d to \d\d:\d\d UTC on \d{4}-\d\d-\d\d: Y001, Y002, Y003\.$/);
  // Once read, what was read comes first: focus is on its heading, and
  // the sites that failed together are the first thing under it.
  assert.equal(await deskPage.evaluate(() => document.activeElement?.id), 'desk-results');
  const order = await deskPage.$$eval('#desk-results ~ *', (after) => after.map((e) => e.id).filter(Boolean));
  assert.deepEqual(order.slice(0, 3), ['desk-status', 'shared-faults', 'damaged'], order.join(', '));
  assert.ok(
    await deskPage.evaluate(() => document.querySelector('#desk-results').getBoundingClientRect().top < innerHeight),
    'the results are scrolled into view',
  );
  assert.deepEqual(errors, []);
  await clinician.close();
  await desk.close();
});

test('the share link and its QR code open the same report, and the desk view asks no server for it', async () => {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const shown = await typeSiteDetails(page, { place: 'Y00999', ticket: 'INC-1' });
  const link = await page.getAttribute('#share-link', 'href');
  assert.ok(link.startsWith(`${server.url}desk/#${CODE_TAG}.`), link);
  assert.ok(link.endsWith(shown.trimEnd().split('\n').at(-1)), 'the link carries the report code');
  // The QR code, drawn in the page, read back by a QR decoder from pixels.
  await page.click('#share-qr-details summary');
  const png = PNG.sync.read(await page.locator('#share-qr').screenshot());
  const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(read, 'the QR code reads');
  assert.equal(read.data, link);

  const phone = await browser.newContext();
  const opened = await phone.newPage();
  const requests = [];
  opened.on('request', (r) => requests.push(r.url()));
  await opened.goto(link);
  await opened.waitForSelector('#report-1-text');
  assert.equal(await textOf(opened, '#report-1-text'), shown);
  // Only the page's own files were fetched; the report came in the
  // fragment, which browsers never send to a server.
  for (const url of requests) assert.ok(url.startsWith(`${server.url}desk/`), url);
  // Another link in the same tab changes only the fragment: no reload, and
  // the new report shows.
  const other = await typeSiteDetails(page, { place: 'Y00888' });
  await opened.goto(await page.getAttribute('#share-link', 'href'));
  await opened.waitForFunction(() => document.querySelector('#report-1-text')?.textContent.includes('Site: Y00888'));
  assert.equal(await textOf(opened, '#report-1-text'), other);
  await clinician.close();
  await phone.close();
});

test('the desk downloads a report as JSON for ticket tooling', async () => {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const shown = await typeSiteDetails(page, { place: 'Y00123', ticket: 'INC-77' });
  const desk = await browser.newContext({ acceptDownloads: true });
  const { page: deskPage } = await pasteIntoDesk(desk, server.url, shown);
  const [download] = await Promise.all([deskPage.waitForEvent('download'), deskPage.click('#report-1-json')]);
  assert.match(download.suggestedFilename(), /^link-triage-\d{12}\.json$/);
  const json = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(json.format, 'link-triage-reports');
  assert.equal(json.version, 1);
  assert.equal(json.reports.length, 1);
  const [report] = json.reports;
  assert.deepEqual(report.site, { place: 'Y00123', ticket: 'INC-77', note: '' });
  assert.equal(report.verdict.findings[0].diagnosis, await page.getAttribute('#verdict', 'data-segment'));
  assert.ok(report.results.length > 5);
  await clinician.close();
  await desk.close();
});

test('a 10 MB paste is read, a larger one refused with a message, and nonsense named', async () => {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const shown = await typeSiteDetails(page, { place: 'Y00777' });
  // Text that looks a little like a code (LT, LT9) is not one.
  const filler = 'Lorem ipsum, LT and LTD and LT9 cables, 10.0.0.1, > quoted\n'.repeat(90_000);
  const desk = await browser.newContext();
  const big = `${filler}${shown}${filler}`;
  assert.ok(big.length > 10_000_000);
  const { page: deskPage, errors } = await pasteIntoDesk(desk, server.url, big);
  assert.equal(await deskPage.textContent('#desk-status'), 'Found 1 report.');
  assert.equal(await textOf(deskPage, '#report-1-text'), shown);
  // Over the limit: refused, with what to do.
  await setPaste(deskPage, big + big);
  await deskPage.click('#read-reports');
  await deskPage.waitForFunction(() => document.querySelector('#desk-status').textContent.startsWith('The paste is'));
  assert.match(await deskPage.textContent('#desk-status'), /^The paste is \d+ MB, more than the 16 MB this page reads\./);
  for (const [text, message] of [
    ['', /^Nothing was pasted\./],
    ['Hello, the system is slow again.', /^No Link Triage report was found in the paste\./],
  ]) {
    await setPaste(deskPage, text);
    await deskPage.click('#read-reports');
    await deskPage.waitForFunction((m) => new RegExp(m).test(document.querySelector('#desk-status').textContent), message.source);
  }
  assert.deepEqual(errors, []);
  await clinician.close();
  await desk.close();
});

test('names from a hostile list of checks, and a hostile user agent, stay text on both pages', async () => {
  // The report names the browser from its user agent, which a page or an
  // extension can set to anything.
  const clinician = await browser.newContext({
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/<svg/onload=window.__pwned=8>.0 Safari/537.36',
  });
  const { page } = await openAndFinish(clinician, hostileServer.url, { complete: true });
  const shown = await textOf(page, '#report-text');
  assert.ok(shown.includes('Configuration: <script>window.__pwned=4</script> List (version 1 <img'), shown);
  assert.ok(shown.includes('- HSCN <b onmouseover=window.__pwned=7>gateway</b> [hscn]'), shown);
  assert.ok(shown.includes('Browser: Chrome <svg/onload=window'), shown);
  await nothingRan(page);
  const desk = await browser.newContext();
  const { page: deskPage } = await pasteIntoDesk(desk, hostileServer.url, shown);
  assert.equal(await textOf(deskPage, '#report-1-text'), shown);
  await nothingRan(deskPage);
  await clinician.close();
  await desk.close();
});

test('the desk view has no WCAG 2.2 AA violations that axe can find', async () => {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const first = await typeSiteDetails(page, { place: 'Y001' });
  const second = await typeSiteDetails(page, { place: 'Y002' });
  const desk = await browser.newContext();
  const { page: deskPage } = await pasteIntoDesk(desk, server.url, `${first}\n${second}\nLT2.cut`);
  await injectAxe(deskPage);
  const result = await deskPage.evaluate(() =>
    window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }),
  );
  assert.deepEqual(
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`),
    [],
  );
  assert.ok(result.passes.length > 5, 'axe really checked the page');
  await clinician.close();
  await desk.close();
});
