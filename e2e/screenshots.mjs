// The README's screenshots of each main view, at 1280 px and 375 px wide,
// made from the real app and server on loopback: the clinician's page while
// the checks run, its verdict for a healthy network and for an HSCN fault,
// and the desk view with a thread of reports. `cargo xtask screenshots`
// writes them into docs/screenshots/; `screenshots.test.mjs` makes them on
// every test run, so they can always be made again.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, tempFile, watchLayoutShifts, layoutShift } from './lab.mjs';
import { startStatusHost } from './faults.mjs';

/** The widths of a laptop and of a phone, each with its screen's height. */
export const SCREENS = [[1280, 800], [375, 740]];

/**
 * The height of the smallest phone screen still in use at 375 px wide (an
 * iPhone SE's), where the verdict must be seen without scrolling too.
 */
export const SMALLEST_PHONE_HEIGHT = 667;

/**
 * What the clinician must see without scrolling once the verdict is shown:
 * what is wrong, what to do now and who fixes it, and the Copy button.
 */
const FIRST_SEEN = { 'what is wrong': '#verdict', 'what to do now, and who fixes it': '.next-step', 'the Copy button': '#copy-report' };

/** Which of `FIRST_SEEN` are not wholly inside a `width` by `height` window at the top of `page`. */
async function unseenAtFirst(page, [width, height]) {
  await page.setViewportSize({ width, height });
  await page.evaluate(() => window.scrollTo(0, 0));
  const unseen = [];
  for (const [what, selector] of Object.entries(FIRST_SEEN)) {
    const box = await page.locator(selector).boundingBox();
    if (!box || box.y < 0 || box.y + box.height > height || box.x + box.width > width) unseen.push(what);
  }
  return unseen;
}

/** The views, each with the verdict segment its page must show. */
export const VIEWS = ['clinician-running', 'clinician-healthy', 'clinician-hscn-fault', 'desk-thread'];

const TARGETS = [
  ['Link Triage server', 'internet', '/', 'probe'],
  ['Practice file server', 'lan', 'http://files.practice.test/'],
  ['HSCN gateway', 'hscn', 'http://gateway.hscn.test/'],
  ['Spine', 'hscn', 'http://spine.hscn.test/'],
  ['Internet reference A', 'internet', 'http://a.internet.test/'],
  ['Internet reference B', 'internet', 'http://b.internet.test/'],
  ['Clinical system', 'supplier', 'http://api.supplier.test/'],
  ['CIS2 sign-in', 'identity', 'http://cis2.identity.test/'],
];

/**
 * Takes every view at every width into `dir` as `VIEW-WIDTH.png`; resolves
 * with the files written and the verdict segment each page showed.
 */
export async function takeScreenshots(dir) {
  await mkdir(dir, { recursive: true });
  const healthy = await startStatusHost('127.0.0.2', 200);
  const config = [
    'name = "A practice\'s list"\nversion = "1"\n',
    ...TARGETS.map(([name, segment, url, kind = 'reach']) =>
      `[[target]]\nname = "${name}"\nsegment = "${segment}"\nurl = "${url}"\nkind = "${kind}"\ntimeout_ms = 2500\n`),
  ].join('\n');
  const server = await startServer({ args: ['--config', await tempFile('screens.toml', config)] });
  const hosts = TARGETS.slice(1).map(([, , url]) => new URL(url).hostname);
  const mapTo = (to, except = () => false) => Object.fromEntries(hosts.map((h) => [h, except(h) ? '~NOTFOUND' : to]));
  const shown = [];
  const reports = [];
  try {
    for (const [fault, expected, isCut] of [['healthy', 'none', () => false], ['hscn-fault', 'hscn', (h) => h.endsWith('.hscn.test')]]) {
      const browser = await launchBrowser(mapTo(new URL(healthy.url).host, isCut));
      try {
        for (const [width, height] of SCREENS) {
          const page = await browser.newPage({ viewport: { width, height } });
          await watchLayoutShifts(page);
          await page.goto(server.url);
          if (fault === 'healthy') {
            await page.waitForSelector('#progress-bar');
            await page.screenshot({ path: join(dir, `clinician-running-${width}.png`) });
            shown.push({ view: 'clinician-running', width, segment: null });
          }
          // A loaded machine can make a healthy loopback host look slow:
          // the view is run again (three times at most) until its page
          // shows the verdict it stands for.
          for (let attempt = 1; ; attempt += 1) {
            await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 40_000 });
            if ((await page.getAttribute('#verdict', 'data-segment')) === expected || attempt === 3) break;
            await page.reload();
          }
          // From opening to the report complete, before anything is typed.
          const shift = await layoutShift(page);
          const watchFirst = await page.evaluate(() => document.querySelector('section.verdict')?.nextElementSibling?.id === 'keep-watching');
          const place = fault === 'healthy' ? 'Y00001 Riverside Surgery' : 'Y00002 Hill Street Practice';
          await page.fill('#site-place', place);
          await page.waitForFunction((p) => document.querySelector('#report-text[data-complete="true"]')?.textContent.includes(p), place);
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.screenshot({ path: join(dir, `clinician-${fault}-${width}.png`) });
          shown.push({
            view: `clinician-${fault}`,
            width,
            segment: await page.getAttribute('#verdict', 'data-segment'),
            unseen: await unseenAtFirst(page, [width, Math.min(height, SMALLEST_PHONE_HEIGHT)]),
            shift,
            watchFirst,
          });
          if (width === SCREENS[0][0]) reports.push(await page.textContent('#report-text'));
          await page.close();
        }
      } finally {
        await browser.close();
      }
    }
    const browser = await launchBrowser();
    try {
      for (const [width, height] of SCREENS) {
        const page = await browser.newPage({ viewport: { width, height } });
        await watchLayoutShifts(page);
        await page.goto(new URL('/desk/', server.url).href);
        await page.waitForSelector('#paste');
        const openingShift = await layoutShift(page);
        await page.fill('#paste', `Ticket thread\n\n${reports.join('\n\nForwarded:\n')}`);
        await page.click('#read-reports');
        await page.waitForSelector('#report-2-text');
        // Once read, the page moves to what was read: the shot shows that.
        await page.waitForFunction(() => document.activeElement?.id === 'desk-results');
        await page.screenshot({ path: join(dir, `desk-thread-${width}.png`) });
        // Read after a click: what the click brings is the reader's own doing.
        shown.push({ view: 'desk-thread', width, segment: await page.getAttribute('#report-2-verdict', 'data-segment'), shift: openingShift });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    server.stop();
    await healthy.close();
  }
  return shown;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'docs/screenshots';
  for (const { view, width, segment } of await takeScreenshots(dir)) {
    console.log(`${dir}/${view}-${width}.png${segment ? ` (verdict ${segment})` : ''}`);
  }
}
