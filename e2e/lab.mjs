// The end-to-end lab: the real `linktriage` server on loopback and Debian's
// Chromium driven by playwright-core. Shared by the tests and the benchmarks.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BIN = process.env.LINKTRIAGE_BIN ?? 'target/release/linktriage';
export const DIST = process.env.LINKTRIAGE_DIST ?? 'dist';

/** The report code's tag this build writes (`LT7`), from the codec's own constant. */
export const CODE_TAG = `LT${readFileSync(new URL('../crates/linktriage-core/src/codec/mod.rs', import.meta.url), 'utf8').match(/pub const VERSION: u32 = (\d+);/)[1]}`;
/** A whole report code of this build's version, ending a report's text. */
export const CODE_AT_END = new RegExp(String.raw`\n${CODE_TAG}\.[A-Za-z0-9_-]+\.[0-9a-f]{8}\n$`);

// Flags that keep a headless Chromium from reaching outside this machine.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // The loss check's data channel to a server on loopback: browsers leave
  // loopback addresses out of WebRTC (RFC 8445) unless told otherwise.
  '--allow-loopback-in-peer-connection',
];

/**
 * Starts `linktriage serve` (on a free loopback port unless `listen` says
 * otherwise); resolves once it listens. The app comes from the built folder
 * unless `assets` is null (then from inside the binary); `bin` and `cwd`
 * run another copy of the binary somewhere else.
 */
export async function startServer({ listen = '127.0.0.1:0', args = [], assets = DIST, bin = BIN, cwd } = {}) {
  const from = assets === null ? [] : ['--assets', assets];
  const child = spawn(bin, ['serve', '--listen', listen, ...from, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not start:\n${output}`));
    }, 10_000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/serving at (https?:\/\/\S+\/)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: () => {
      child.removeAllListeners('exit');
      child.kill();
    },
  };
}

/** Runs `linktriage ARGS` (with `input` on its standard input) to completion; resolves with its exit code and output. */
export function runCli(args, input = '') {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (input) {
      // A command that exits without reading closes the pipe: not an error here.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Launches headless Chromium with the lab's flags. `hostMap` maps host names
 * onto loopback fakes ({'emis.test': '127.0.0.2:8443'}, or '~NOTFOUND' for a
 * DNS failure); every other name except localhost fails to resolve, so no
 * lookup ever leaves this machine.
 */
export function launchBrowser(hostMap = {}, extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${hostRules(hostMap)}`, ...extraArgs],
  });
}

/** Chromium's host rules: the names in `hostMap` to their addresses, every other name but loopback to nowhere. */
function hostRules(hostMap) {
  const rules = Object.entries(hostMap).map(([host, to]) => `MAP ${host} ${to}`);
  rules.push('MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.*', 'EXCLUDE [::1]');
  return rules.join(', ');
}

/**
 * Chromium driven over its own DevTools pipe rather than through Playwright,
 * for what Playwright hides: its attach keeps every page "visible", so a
 * page behind another tab is never hidden, never throttled and cannot be
 * frozen. The lab's flags and host map as `launchBrowser`'s, none of them
 * about throttling. Resolves with `send(method, params, sessionId)`,
 * `evaluate(sessionId, expression)`, `on(listener)` for events, and `close()`.
 */
export async function launchChromiumOverPipe(hostMap = {}) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const args = [...CHROMIUM_ARGS, `--host-resolver-rules=${hostRules(hostMap)}`];
  const profile = await mkdtemp(join(tmpdir(), 'linktriage-hidden-'));
  const child = spawn('/usr/bin/chromium', [...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const [, , , toChrome, fromChrome] = child.stdio;
  let buffer = '';
  let next = 0;
  const waiting = new Map();
  const listeners = [];
  fromChrome.on('data', (data) => {
    buffer += data;
    for (let end; (end = buffer.indexOf('\0')) >= 0; ) {
      const message = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (message.id !== undefined && waiting.has(message.id)) {
        waiting.get(message.id)(message);
        waiting.delete(message.id);
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });
  const send = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      next += 1;
      waiting.set(next, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
      toChrome.write(`${JSON.stringify({ id: next, method, params, sessionId })}\0`);
    });
  // The browser is up once it answers.
  for (let tries = 0; ; tries += 1) {
    try {
      await Promise.race([send('Browser.getVersion'), sleep(500).then(() => Promise.reject(new Error('no answer')))]);
      break;
    } catch (e) {
      if (tries > 40) throw e;
    }
  }
  // A page's value of `expression`, tried again while its context is being
  // made (just after it is attached to, or has resumed).
  const evaluate = async (sessionId, expression) => {
    for (let tries = 0; ; tries += 1) {
      try {
        const { result } = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
        return result.value;
      } catch (e) {
        if (tries > 20 || !/execution context/i.test(e.message)) throw e;
        await sleep(250);
      }
    }
  };
  return { send, evaluate, on: (f) => listeners.push(f), close: () => child.kill() };
}


/**
 * Opens the app and waits for the first result (`#report-text`), or, with
 * `complete`, for the speed tests that follow it too.
 */
export async function openAndFinish(context, url, { complete = false } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const selector = complete ? '#report-text[data-complete="true"]' : '#report-text';
  await page.waitForSelector(selector, { timeout: 30_000 });
  return { page, errors };
}

/**
 * Records every layout shift of each document `page` loads from now on
 * (a PerformanceObserver put in before the page's own scripts run).
 */
export async function watchLayoutShifts(page) {
  await page.addInitScript(() => {
    window.__layoutShifts = [];
    new PerformanceObserver((list) => {
      for (const shift of list.getEntries()) {
        if (!shift.hadRecentInput) window.__layoutShifts.push({ at: shift.startTime, value: shift.value });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/**
 * The page's cumulative layout shift so far, as Core Web Vitals and
 * Lighthouse define it: the largest session window of shifts (each less
 * than 1 s after the one before, 5 s at most), shifts just after the
 * user's input left out.
 */
export function layoutShift(page) {
  return page.evaluate(() => {
    let [largest, window_, start, last] = [0, 0, -Infinity, -Infinity];
    for (const { at, value } of window.__layoutShifts ?? []) {
      if (at - last > 1000 || at - start > 5000) [window_, start] = [0, at];
      window_ += value;
      last = at;
      largest = Math.max(largest, window_);
    }
    return largest;
  });
}

/**
 * Puts axe-core into `page`, through the DevTools protocol rather than as a
 * script element: the pages' Content-Security-Policy refuses inline scripts,
 * as it should.
 */
export async function injectAxe(page) {
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
}

/**
 * What axe-core finds against WCAG 2.2 A and AA in `page` as it is now, one
 * line a rule broken (empty when none), and how many rules passed.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await injectAxe(page);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] }),
  );
  return {
    violations: result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`),
    passes: result.passes.length,
  };
}

/**
 * A target list of the server alone, so that a verdict turns on what it
 * measures (in the lab no public host resolves); only `checks` if given.
 */
export function serverOnlyConfig(checks) {
  const only = checks ? `checks = ${JSON.stringify(checks)}\n` : '';
  return `name = "The server alone"\nversion = "1"\n\n[[target]]\nname = "Link Triage server"\nsegment = "auto"\nurl = "/"\nkind = "probe"\n${only}`;
}

/** Writes `text` to a new temporary file; resolves with its path. */
export async function tempFile(name, text) {
  const dir = await mkdtemp(join(tmpdir(), 'linktriage-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
