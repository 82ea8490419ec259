// The end-to-end lab: the real `linktriage` server on loopback and Debian's
// Chromium driven by playwright-core. Shared by the tests and the benchmarks.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const BIN = process.env.LINKTRIAGE_BIN ?? 'target/release/linktriage';
const DIST = process.env.LINKTRIAGE_DIST ?? 'dist';

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
];

/** Starts `linktriage serve` on a free loopback port; resolves once it listens. */
export async function startServer(extraArgs = []) {
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--assets', DIST, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 10_000);
    const read = (chunk) => {
      output += chunk;
      const match = output.match(/serving at (http:\/\/\S+\/)/);
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

/** Runs `linktriage ARGS` to completion; resolves with its exit code and output. */
export function runCli(args) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Launches headless Chromium with the lab's flags plus any given. */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Opens the app and waits until the checks have finished. */
export async function openAndFinish(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#report-text', { timeout: 15_000 });
  return { page, errors };
}
