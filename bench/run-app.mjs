// Runs the app once per browser context against a server started with the
// given target list, and returns each run's report text. Shared by the
// accuracy benchmarks.
import { startServer, launchBrowser, openAndFinish, tempFile, runCli } from '../e2e/lab.mjs';
import { freePort } from '../e2e/faults.mjs';

/**
 * `makeConfig(origin)` returns the TOML; resolves with `runs` reports, each
 * `{ text, json }`: the text as shown, and the full results from the page's
 * report code read back by `linktriage decode` (exact figures, not the
 * text's rounded ones). With `fullSpeed`, the full speed test is run where
 * the page offers it (the one it runs by itself stops at 1 MiB a transfer).
 */
export async function reports(makeConfig, runs, { fullSpeed = false } = {}) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const config = await tempFile('bench.toml', await makeConfig(origin));
  const server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', config] });
  const browser = await launchBrowser();
  const texts = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const { page } = await openAndFinish(context, server.url, { complete: true });
      if (fullSpeed && (await page.locator('#full-speed').count()) > 0) {
        await page.click('#full-speed');
        await page.waitForFunction(() => !document.querySelector('#full-speed') && document.querySelector('#report-text[data-complete="true"]'), null, { timeout: 120_000 });
      }
      const text = await page.textContent('#report-text');
      const decoded = await runCli(['decode'], text);
      const [json] = JSON.parse(decoded.stdout).reports;
      texts.push({ text, json });
      await context.close();
    }
  } finally {
    await browser.close();
    server.stop();
  }
  return texts;
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The result of one check (`round_trips`, `download`, …) for one target. */
export function result(report, target, check) {
  const found = report.json.results.find((r) => r.target === target && r.check === check);
  if (!found) throw new Error(`no ${check} for ${target} in:\n${report.text}`);
  return found;
}
