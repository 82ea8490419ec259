// True packet loss in a real browser against the real server: the page opens
// a WebRTC data channel to the server's own peer and counts what is lost each
// way. On loopback nothing is lost; UDP that cannot get through is said as
// blocked, never as loss, and blames no part of the path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openAndFinish, tempFile, serverOnlyConfig } from './lab.mjs';

let browser;
let config;

before(async () => {
  browser = await launchBrowser();
  config = await tempFile('server-only.toml', serverOnlyConfig());
});

after(async () => {
  await browser?.close();
});

/** The report's line for the loss check of the Link Triage server. */
function lossLine(report) {
  return report.split('\n').find((line) => line.startsWith('- Link Triage server [') && /packet loss|UDP/.test(line));
}

test('a clean path loses nothing either way, over UDP, and the verdict says nothing is wrong once the loss check is in', async () => {
  const server = await startServer({ args: ['--config', config] });
  try {
    const context = await browser.newContext();
    // Every heading the verdict has, in order.
    await context.addInitScript(() => {
      window.__verdicts = [];
      new MutationObserver(() => {
        const text = document.querySelector('#verdict')?.textContent.trim();
        if (text && window.__verdicts.at(-1) !== text) window.__verdicts.push(text);
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    const { page, errors } = await openAndFinish(context, server.url, { complete: true });
    // Not settled while the loss check, which could change it, still ran.
    assert.deepEqual(await page.evaluate(() => window.__verdicts), [
      'Nothing wrong found so far.',
      'Everything checked is working, but the NHS network link (HSCN), the internet, the clinical system supplier, national identity services (smartcard sign-in) could not be checked.',
    ]);
    const report = await page.textContent('#report-text');
    const line = lossLine(report);
    assert.match(line ?? '', /: packet loss over UDP 0\.0 % out \(0 of 250 lost\), 0\.0 % back \(0 of 250 lost\); round trip over UDP median [\d.]+ ms \(p90 [\d.]+, jitter [\d.]+\); \d+ later than \d+ ms \(not lost\), \d+ out of order, 0 duplicated$/, report);
    assert.equal(await page.getAttribute('#verdict', 'data-segment'), 'none');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    server.stop();
  }
});

test('UDP that cannot reach the server is said as blocked, not as loss, and blames no part', async () => {
  // The server tells the browser to send its UDP to an address where nothing
  // listens: the offer is answered, the channel never opens.
  const server = await startServer({ args: ['--config', config, '--rtc-advertise', '127.0.0.99'] });
  try {
    const context = await browser.newContext();
    const { page, errors } = await openAndFinish(context, server.url, { complete: true });
    const report = await page.textContent('#report-text');
    assert.match(lossLine(report) ?? '', /: UDP to the Link Triage server is blocked, so packet loss could not be measured$/, report);
    assert.doesNotMatch(report, /packet loss over UDP/);
    assert.equal(await page.getAttribute('#verdict', 'data-segment'), 'none');
    assert.match(report, /\nAlso: UDP to the Link Triage server is blocked, so packet loss could not be measured\. \(who fixes it: Your IT service desk\)\n/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    server.stop();
  }
});
