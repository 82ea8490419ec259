// The loss lab: the real server on an address of its own in a network
// namespace made for it, Chromium inside that namespace, and an nftables rule
// that drops a chosen share of the loss check's UDP one way (`numgen random`),
// or all of it. Shared by the loss truth test and its benchmark. Needs root.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, CHROMIUM_ARGS, startServer, tempFile, serverOnlyConfig } from './lab.mjs';

const ADDRESS = '10.199.0.1';
const PORT = 18_443;
// Not `lt`: a table of that name may be another tool's.
const TABLE = 'linktriage_loss';

// Opens the TAP device lt0 (TUNSETIFF, IFF_TAP | IFF_NO_PI) and holds it.
const HOLD_TAP = [
  'import fcntl, os, struct, time',
  "fd = os.open('/dev/net/tun', os.O_RDWR)",
  "fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', b'lt0', 0x0002 | 0x1000))",
  'time.sleep(86400)',
].join('\n');

/**
 * Makes the namespace, starts the server and Chromium in it; resolves with
 * `drop(way, percent)` ('out' to the server or 'back' from it; 0 for none,
 * 100 for all), `run()` (the checks once: the verdict's segment and the
 * report), `watch(done, timeoutMs)` (a watch until its report matches
 * `done`: the report) and `close()`.
 */
export async function startLossLab() {
  assert.equal(process.getuid?.(), 0, 'the loss lab makes a network namespace, which needs root');
  const namespace = `linktriage-loss-${process.pid}`;
  const inNamespace = (command, args, input) =>
    execFileSync('ip', ['netns', 'exec', namespace, command, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
  const made = { tap: null, server: null, browser: null };
  const close = async () => {
    await made.browser?.close();
    made.server?.stop();
    made.tap?.kill();
    try {
      execFileSync('ip', ['netns', 'delete', namespace], { stdio: 'ignore' });
    } catch {
      // Never made.
    }
  };
  try {
    execFileSync('ip', ['netns', 'add', namespace]);
    inNamespace('ip', ['link', 'set', 'lo', 'up']);
    // An interface that is not loopback, with the server's address: a TAP
    // device (these machines' kernels have neither dummy nor veth devices),
    // held open so that it has a carrier and Chromium counts itself online.
    // Packets between two local addresses still go by loopback.
    inNamespace('ip', ['tuntap', 'add', 'dev', 'lt0', 'mode', 'tap']);
    made.tap = spawn('ip', ['netns', 'exec', namespace, 'python3', '-c', HOLD_TAP], { stdio: 'ignore' });
    inNamespace('ip', ['addr', 'add', `${ADDRESS}/24`, 'dev', 'lt0']);
    inNamespace('ip', ['link', 'set', 'lt0', 'up']);
    for (let tries = 0; !inNamespace('ip', ['link', 'show', 'lt0']).toString().includes('LOWER_UP'); tries += 1) {
      assert.ok(tries < 50, 'the TAP device never had a carrier');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Both ends are in the namespace: every packet each way passes its input hook.
    inNamespace('nft', ['-f', '-'], `table inet ${TABLE} {\n  chain input {\n    type filter hook input priority 0; policy accept;\n  }\n}\n`);
    const dir = await mkdtemp(join(tmpdir(), 'linktriage-loss-'));
    const wrapper = async (name, program) => {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\nexec ip netns exec ${namespace} ${program} "$@"\n`);
      await chmod(path, 0o755);
      return path;
    };
    made.server = await startServer({
      bin: await wrapper('linktriage', resolve(BIN)),
      listen: `${ADDRESS}:${PORT}`,
      // The server alone, with only what the loss check needs beside it.
      args: ['--config', await tempFile('server-only.toml', serverOnlyConfig(['round_trips', 'loss']))],
    });
    made.browser = await chromium.launch({ executablePath: await wrapper('chromium', '/usr/bin/chromium'), args: CHROMIUM_ARGS });
  } catch (e) {
    await close();
    throw e;
  }

  const drop = (way, percent) => {
    inNamespace('nft', ['flush', 'chain', 'inet', TABLE, 'input']);
    if (percent === 0) return;
    const port = way === 'out' ? `udp dport ${PORT}` : `udp sport ${PORT}`;
    const share = percent === 100 ? '' : `numgen random mod 100 < ${percent} `;
    inNamespace('nft', ['add', 'rule', 'inet', TABLE, 'input', ...`${port} ${share}drop`.split(' ')]);
  };

  const run = async () => {
    const context = await made.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(made.server.url);
      await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 60_000 });
      assert.deepEqual(errors, []);
      return {
        segment: await page.getAttribute('#verdict', 'data-segment'),
        report: await page.textContent('#report-text'),
      };
    } finally {
      await context.close();
    }
  };

  // A watch every 10 s until its report (made again each minute) says
  // what `done` looks for: the report's text.
  const watch = async (done, timeoutMs) => {
    const context = await made.browser.newContext();
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${made.server.url}/watch/#watch=10s`);
      await page.waitForSelector('#watch[data-state="running"]', { timeout: 20_000 });
      // The text that matched, taken in the same moment: the report is
      // made again each minute, and the context closes on return.
      const matched = await page.waitForFunction(
        (source) => {
          const text = document.querySelector('#report-text[data-complete="true"]')?.textContent ?? '';
          return new RegExp(source).test(text) && text;
        },
        done.source,
        { timeout: timeoutMs, polling: 1_000 },
      );
      const report = await matched.jsonValue();
      assert.deepEqual(errors, []);
      return report;
    } finally {
      await context.close();
    }
  };

  return { drop, run, watch, close };
}

/** The loss each way that a report's line gives: `{ out: {lost, of}, back: {lost, of} }`, or null. */
export function measuredLoss(report) {
  const line = report.split('\n').find((l) => l.startsWith('- Link Triage server [') && l.includes('packet loss over UDP')) ?? '';
  const m = line.match(/ [\d.]+ % out \((\d+) of (\d+) lost\), [\d.]+ % back \((\d+) of (\d+) lost\)/);
  if (!m) return null;
  const [, lostOut, sent, lostBack, reached] = m.map(Number);
  return { out: { lost: lostOut, of: sent }, back: { lost: lostBack, of: reached } };
}
