// How often the page catches a supplier that closes connections unanswered:
// an HTTPS host on loopback closing every second or third request it
// receives, with and without CORS and timing headers, and the same host
// answering every request without them (which must never read degraded).
// RUNS runs of the whole page each; prints, per case, the runs that read
// degraded at the supplier and the median counts the report gave.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, tempFile } from '../e2e/lab.mjs';
import { startClosingTlsHost, makeCertificate } from '../e2e/faults.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const certificate = makeCertificate(await mkdtemp(join(tmpdir(), 'linktriage-bench-')), 'supplier', 'api.supplier.test');
const config =
  'name = "Closing host"\nversion = "bench"\n\n' +
  '[[target]]\nname = "Link Triage server"\nsegment = "auto"\nurl = "/"\nkind = "probe"\n\n' +
  '[[target]]\nname = "Supplier API"\nsegment = "supplier"\nurl = "https://api.supplier.test/"\nkind = "reach"\n';
const server = await startServer({ args: ['--config', await tempFile('closing.toml', config)] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases = [
  [2, true], [2, false], [3, true], [3, false], [0, false],
];
try {
  for (const [closeEvery, corsAndTiming] of cases) {
    const host = await startClosingTlsHost('127.0.0.6', certificate, { closeEvery, corsAndTiming });
    const browser = await launchBrowser({ 'api.supplier.test': host.address }, [`--ignore-certificate-errors-spki-list=${certificate.spki}`]);
    const runs = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(server.url);
        await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 60_000 });
        const report = await page.textContent('#report-text');
        const line = report.split('\n').find((l) => l.startsWith('- Supplier API [supplier]: ') && /connections/.test(l)) ?? '';
        runs.push({
          degraded: (await page.getAttribute('#verdict', 'data-segment')) === 'degraded',
          retried: Number(line.match(/(\d+) of \d+ CUT while in use/)?.[1] ?? 0),
          unanswered: Number(line.match(/(\d+) of \d+ requests CUT OFF/)?.[1] ?? 0),
        });
        await context.close();
      }
    } finally {
      await browser.close();
      await host.close();
    }
    console.log(JSON.stringify({
      close_every: closeEvery,
      cors_and_timing: corsAndTiming,
      runs: RUNS,
      degraded: runs.filter((r) => r.degraded).length,
      retried_median: median(runs.map((r) => r.retried)),
      unanswered_median: median(runs.map((r) => r.unanswered)),
      unanswered_least: Math.min(...runs.map((r) => r.unanswered)),
    }));
  }
} finally {
  server.stop();
}
