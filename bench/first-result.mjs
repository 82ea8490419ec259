// Time from navigation to the first verdict on the page, in headless Chromium
// on loopback: a fresh browser context (empty cache) for each run.
// Prints one JSON line: every run and the median, in milliseconds.
// LINKTRIAGE_CONFIG names a target list to serve instead of the embedded
// default (to compare the same build with and without a check).
import { startServer, launchBrowser } from '../e2e/lab.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const config = process.env.LINKTRIAGE_CONFIG;
const server = await startServer({ args: config ? ['--config', config] : [] });
const browser = await launchBrowser();
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#verdict', { timeout: 20_000 });
    // performance.now() counts from the start of navigation.
    runs.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
const sorted = [...runs].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(JSON.stringify({ runs: runs.map((r) => Math.round(r)), median_ms: Math.round(median) }));
