// How long the desk view takes to read a paste, in headless Chromium: from
// the click on Read reports to the result on the page (extraction, decoding
// and rendering), for one report alone, a 10 MB paste with one report in the
// middle, threads of 50 and 1,000 reports, and a paste over the limit
// (refused).
// Prints one JSON line per case: every run and the median, in milliseconds.
import { startServer, launchBrowser, openAndFinish } from '../e2e/lab.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const server = await startServer();
const browser = await launchBrowser();
try {
  const clinician = await browser.newContext();
  const { page } = await openAndFinish(clinician, server.url, { complete: true });
  const report = await page.evaluate(() => document.querySelector('#report-text').textContent);
  // A thousand different reports (one code pasted twice is one report,
  // read once): each with a ticket number of its own, written by the page.
  const reports = [];
  for (let i = 0; i < 1000; i++) {
    const ticket = `INC${String(i).padStart(7, '0')}`;
    await page.fill('#site-ticket', ticket);
    await page.waitForFunction((t) => document.querySelector('#report-text[data-complete="true"]')?.textContent.includes(t), ticket);
    reports.push(await page.evaluate(() => document.querySelector('#report-text').textContent));
  }
  const filler = 'Lorem ipsum, LT and LTD and LT9 cables, 10.0.0.1, > quoted\n'.repeat(90_000);
  const cases = {
    'one report': report,
    '10 MB paste, one report inside': `${filler}${report}${filler}`,
    'thread of 50 reports': reports.slice(0, 50).join('\n> \n'),
    'thread of 1,000 reports (the most read from one paste)': reports.join('\n> \n'),
    '20 MB paste (refused)': `${filler}${filler}${filler}${filler}`,
  };
  const desk = await browser.newContext();
  const deskPage = await desk.newPage();
  await deskPage.goto(`${server.url}desk/`);
  await deskPage.waitForSelector('#paste');
  for (const [name, text] of Object.entries(cases)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      // Read an empty paste first, so the result to wait for is a change.
      await deskPage.evaluate(() => {
        document.querySelector('#paste').value = '';
        document.querySelector('#read-reports').click();
      });
      await deskPage.waitForFunction(() => document.querySelector('#desk-status')?.textContent.startsWith('Nothing'));
      await deskPage.evaluate((t) => {
        document.querySelector('#paste').value = t;
      }, text);
      runs.push(
        await deskPage.evaluate(
          () =>
            new Promise((resolve) => {
              const started = performance.now();
              document.querySelector('#read-reports').click();
              const poll = () =>
                document.querySelector('#desk-status').textContent.startsWith('Nothing')
                  ? requestAnimationFrame(poll)
                  : resolve(performance.now() - started);
              poll();
            }),
        ),
      );
    }
    const sorted = [...runs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(JSON.stringify({ case: name, bytes: text.length, runs: runs.map(Math.round), median_ms: Math.round(median) }));
  }
} finally {
  await browser.close();
  server.stop();
}
