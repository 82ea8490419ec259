// Usable by everyone, in every state: no WCAG 2.2 AA violation axe-core can
// find on any page in any state, the skip link first, every control reached
// by Tab with its focus shown and nothing trapping it, nothing that needs a
// sideways scroll at 320 px (a 1280 px screen at 400 % zoom), and a page
// that says what to do in a browser that cannot run the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser, openAndFinish, axeViolations, tempFile } from './lab.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** Asserts axe finds nothing on `page`, naming the state it is in. */
async function noViolations(page, state) {
  const { violations, passes } = await axeViolations(page);
  assert.deepEqual(violations, [], `${state}: ${violations.join('\n')}`);
  assert.ok(passes > 5, `${state}: axe really checked the page`);
}

/** The report of a finished run, as Copy would copy it. */
async function aReport(site) {
  const context = await browser.newContext();
  const { page } = await openAndFinish(context, server.url, { complete: true });
  await page.fill('#site-place', site);
  await page.waitForFunction((s) => document.querySelector('#report-text[data-complete="true"]')?.textContent.includes(s), site);
  const text = await page.textContent('#report-text');
  await context.close();
  return text;
}

test('the clinician\'s page has no WCAG 2.2 AA violations while the checks run, once finished, with an error in its form, in forced colours, and when it crashes', async () => {
  const context = await browser.newContext();
  // Every text the polite live region is given, in order.
  await context.addInitScript(() => {
    window.__announced = [];
    new MutationObserver(() => {
      const text = document.querySelector('#run-status')?.textContent;
      if (text && text !== window.__announced.at(-1)) window.__announced.push(text);
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#progress-bar');
  await noViolations(page, 'running');
  await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 30_000 });
  await noViolations(page, 'report complete');
  // A screen reader hears each stage once, then the verdict: no chatter a check.
  const announced = await page.evaluate(() => window.__announced);
  const verdict = (await page.textContent('#verdict')).trim();
  assert.deepEqual(announced.slice(-2), ['Checking the connection. This takes about 10 seconds.', `Checked. ${verdict}`], JSON.stringify(announced));
  assert.ok(announced.length <= 3, `the live region changed ${announced.length} times: ${JSON.stringify(announced)}`);
  assert.equal(await page.getAttribute('#run-status', 'aria-live'), 'polite');
  // The site form with an error: an NHS number typed into the note.
  await page.fill('#site-place', 'Y00999');
  await page.fill('#site-note', 'rang about 943 476 5919 at 09:00');
  await page.waitForSelector('#site-note-error:not([hidden])');
  assert.match(await page.textContent('#site-note-error'), /^Error: Remove the NHS number\./);
  assert.equal(await page.getAttribute('#site-note', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#site-note', 'aria-describedby'), /\bsite-note-error\b/);
  assert.equal(await page.inputValue('#site-note'), 'rang about 943 476 5919 at 09:00', 'what was typed is kept');
  await page.waitForFunction(() => document.querySelector('#report-text[data-complete="true"]')?.textContent.includes('Y00999'));
  assert.doesNotMatch(await page.textContent('#report-text'), /5919|rang about/, 'the note is left out of the report');
  assert.ok(await page.isHidden('#site-place-error'), 'the other fields have no error');
  await noViolations(page, 'the site form with an error');
  await page.fill('#site-note', 'rang at 09:00');
  await page.waitForSelector('#site-note-error[hidden]', { state: 'attached' });
  await page.waitForFunction(() => document.querySelector('#report-text[data-complete="true"]')?.textContent.includes('rang at 09:00'));
  await page.emulateMedia({ forcedColors: 'active', reducedMotion: 'reduce' });
  await noViolations(page, 'report complete, forced colours, reduced motion');
  const crashed = await context.newPage();
  await crashed.goto(`${server.url}#selftest-panic`);
  await crashed.waitForSelector('#crash[role="alert"]');
  await noViolations(crashed, 'the crash message');
  await context.close();
});

test('the desk view has no WCAG 2.2 AA violations empty, with a damaged paste, or opened by a share link', async () => {
  const report = await aReport('Y003');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('/desk/', server.url).href);
  await page.waitForSelector('#paste');
  await noViolations(page, 'desk view, empty');
  await page.fill('#paste', 'LT2.not-a-report\nhello');
  await page.click('#read-reports');
  await page.waitForSelector('#desk-status');
  await noViolations(page, 'desk view, nothing readable');
  const link = report.trim().split('\n').at(-1);
  await page.goto(new URL(`/desk/#${link}`, server.url).href);
  await page.waitForSelector('#report-1-text');
  await noViolations(page, 'desk view, opened by a share link');
  await context.close();
});

test('the skip link is the first thing a keyboard reaches, and it moves to the page\'s main content', async () => {
  for (const [path, ready] of [['/', '#verdict'], ['/desk/', '#paste'], ['/watch/', '#watch']]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL(path, server.url).href);
    await page.waitForSelector(ready, { timeout: 30_000 });
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({ text: document.activeElement.textContent.trim(), visible: document.activeElement.getBoundingClientRect().height > 0 }));
    assert.deepEqual(first, { text: 'Skip to main content', visible: true }, path);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => location.hash), '#maincontent', path);
    // The next Tab goes into the main content, past the header.
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)), `${path}: Tab after the skip link lands in <main>`);
    await context.close();
  }
});

test('a keyboard alone reaches every control, always sees where it is, and is never trapped', async () => {
  const pages = [
    ['/', '#report-text[data-complete="true"]'],
    ['/desk/', '#paste', async (page) => {
      await page.fill('#paste', await aReport('Y00001 Riverside Surgery'));
      await page.click('#read-reports');
      await page.waitForSelector('#report-1-text');
    }],
    ['/watch/', '#watch'],
  ];
  for (const [path, ready, prepare] of pages) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(new URL(path, server.url).href);
    await page.waitForSelector(ready, { timeout: 40_000 });
    if (prepare) await prepare(page);
    // Every control a mouse could use, as shown now, with how each looks
    // unfocused (each given a number to find it by).
    const controls = await page.evaluate(() => {
      window.lookOf = (e) => {
        const label = e.id ? document.querySelector(`label[for="${e.id}"]`) : null;
        const parts = [[e], ...[...e.children].map((c) => [c]), ...(label ? [[label, '::before']] : [])];
        return JSON.stringify(parts.map(([el, pseudo]) => {
          const style = getComputedStyle(el, pseudo);
          return [style.boxShadow, style.outlineStyle, style.outlineWidth, style.outlineColor, style.backgroundColor, style.color];
        }));
      };
      const all = [...document.querySelectorAll('a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
        .filter((e) => e.getClientRects().length > 0);
      window.unfocused = new Map(all.map((e) => [e, document.activeElement === e ? null : window.lookOf(e)]));
      return all.map((e) => e.id || e.textContent.trim().slice(0, 40));
    });
    assert.ok(controls.length >= 3, `${path}: ${controls}`);
    // Tab on from wherever focus is (a page that moved it, the desk's
    // results): each stop is a control with a visible focus indicator;
    // after the last, focus leaves the page, and the next Tab brings it
    // back to the first (the skip link): nothing traps it. Twice round.
    const reached = new Set();
    let left = 0;
    // What had focus before this Tab: a control's name, or null outside the page.
    let previous;
    for (let step = 0; left < 2 && step < 2 * controls.length + 20; step += 1) {
      await page.keyboard.press('Tab');
      // Focus is shown when the control looks other than unfocused: the
      // design system's yellow box, an outline, or (checkboxes) the
      // label's box before the input.
      const at = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        let before = window.unfocused.get(e);
        if (before === undefined) {
          // Drawn again since the controls were listed (a page that was
          // still settling on a loaded machine): its look unfocused, now.
          e.blur();
          before = window.lookOf(e);
          e.focus();
        }
        return { name: e.id || e.textContent.trim().slice(0, 40), shown: before === null || before !== window.lookOf(e) };
      });
      if (at === null) {
        left += 1;
        previous = null;
        continue;
      }
      assert.ok(at.shown, `${path}: no visible focus on ${at.name}`);
      if (previous === null) assert.equal(at.name, 'Skip to main content', `${path}: focus came back to the top`);
      reached.add(at.name);
      previous = at.name;
    }
    assert.equal(left, 2, `${path}: focus left the page after the last control, twice round (reached: ${[...reached].join(' | ')})`);
    for (const control of controls) assert.ok(reached.has(control), `${path}: Tab never reaches ${control} (reached: ${[...reached].join(' | ')})`);
    await context.close();
  }
  // Operable from the keyboard: the desk's details open with Enter.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#verdict', { timeout: 30_000 });
  await page.focus('.verdict-details summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('.verdict-details').open), true);
  await context.close();
});

test('nothing needs a sideways scroll at 320 px wide, as a 1280 px screen at 400 % zoom', async () => {
  const report = await aReport('A practice with a rather long name, Some Road, Somewhere');
  // Two reports (one pasted twice is one report, and no table).
  const another = await aReport('Another practice with a long name, Other Road, Elsewhere');
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const pages = [
    ['/', '#report-text[data-complete="true"]', async () => {
      await page.click('#share-qr-details summary');
      await page.click('.verdict-details summary');
    }],
    ['/desk/', '#paste', async () => {
      await page.fill('#paste', `${report}\n${another}`);
      await page.click('#read-reports');
      await page.waitForSelector('#report-table');
    }],
    ['/watch/', '#watch', async () => {}],
  ];
  for (const [path, ready, open] of pages) {
    await page.goto(new URL(path, server.url).href);
    await page.waitForSelector(ready, { timeout: 30_000 });
    await open();
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    assert.ok(widths.page <= widths.window, `${path}: the page is ${widths.page} px wide in a ${widths.window} px window`);
  }
  await context.close();
});

test('a browser that cannot run the app gets a page that says what to do, with the desk\'s number where the list gives one', async () => {
  const cases = [
    ['no JavaScript', { javaScriptEnabled: false }, null],
    ['no WebAssembly', {}, () => { delete window.WebAssembly; }],
  ];
  for (const [name, options, init] of cases) {
    for (const path of ['/', '/desk/', '/watch/']) {
      const context = await browser.newContext(options);
      if (init) await context.addInitScript(init);
      const page = await context.newPage();
      await page.goto(new URL(path, server.url).href);
      const message = page.locator('main .app-missing');
      await message.waitFor({ state: 'visible', timeout: 5_000 });
      assert.match(await message.textContent({ timeout: 5_000 }), /cannot start in this browser[\s\S]*call your IT service desk/, `${name}, ${path}`);
      // axe is a script: it runs where scripts do.
      if (options.javaScriptEnabled !== false) await noViolations(page, `${name}, ${path}`);
      await context.close();
    }
  }
  // The app's bundle failing to load shows it at once, not after 30 s.
  const context = await browser.newContext();
  await context.route(/_bg\.wasm$/, (route) => route.abort('connectionreset'));
  const page = await context.newPage();
  await page.goto(server.url);
  await page.locator('main .app-missing').waitFor({ state: 'visible', timeout: 10_000 });
  await context.close();
  // Where the target list gives the desk's number, the message gives it
  // too, as a link that dials it, with no script to write it in.
  const defaultList = await readFile(new URL('../crates/linktriage-core/src/default-config.toml', import.meta.url), 'utf8');
  const withPhone = defaultList.replace(/^version = .*$/m, (line) => `${line}\ndesk_phone = "0300 123 4567"`);
  const desk = await startServer({ args: ['--config', await tempFile('desk-phone.toml', withPhone)] });
  try {
    for (const path of ['/', '/watch/']) {
      const noScript = await browser.newContext({ javaScriptEnabled: false });
      const missing = await noScript.newPage();
      await missing.goto(new URL(path, desk.url).href);
      const message = missing.locator('main .app-missing');
      assert.match(await message.textContent({ timeout: 5_000 }), /call your IT service desk on 0300 123 4567\./, path);
      assert.equal(await message.locator('a[href="tel:03001234567"]').textContent(), '0300 123 4567', path);
      await noScript.close();
    }
    // Where the app starts, what to do now gives the number as well.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(desk.url);
    await page.waitForSelector('#verdict', { timeout: 30_000 });
    assert.equal(await page.locator('.next-step a[href="tel:03001234567"]').textContent(), '0300 123 4567');
    await noViolations(page, 'the verdict with the desk\'s number');
    await context.close();
  } finally {
    desk.stop();
  }
  // Where the app starts, the page's script ran (the policy lets it) and
  // the message never showed.
  const working = await browser.newContext();
  const shown = await working.newPage();
  await shown.goto(server.url);
  await shown.waitForSelector('#verdict', { timeout: 30_000 });
  assert.equal(await shown.locator('.app-missing').count(), 0);
  assert.ok(await shown.evaluate(() => document.documentElement.classList.contains('app-loading')), 'the page\'s own script ran');
  await working.close();
});
