// The fault lab: real faults made on one machine, and the verdict each must
// give, end to end in the real browser against the real server. Configured
// host names are mapped onto loopback fakes by Chromium's
// --host-resolver-rules; each scenario changes the mapping, the page's way
// in (through a faulty proxy or not), or the browser itself.
// docs/fault-lab.md is the same table for people; a test keeps them in step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, tempFile, axeViolations } from './lab.mjs';
import {
  startProxy, startBlackhole, closedPort, startStatusHost, freePort, makeCertificate, startTlsHost,
} from './faults.mjs';

const REACH_TIMEOUT_MS = 2500;
const TARGETS = [
  // [name, segment, url, kind]
  ['Link Triage server (this computer)', 'device', '/', 'probe'],
  ['Practice file server', 'lan', 'http://files.lan.test/', 'reach'],
  ['Practice printer', 'lan', 'http://printer.lan.test/', 'reach'],
  ['HSCN gateway', 'hscn', 'http://gateway.hscn.test/', 'reach'],
  ['Spine', 'hscn', 'http://spine.hscn.test/', 'reach'],
  ['Internet reference A', 'internet', 'http://a.internet.test/', 'reach'],
  ['Internet reference B', 'internet', 'http://b.internet.test/', 'reach'],
  ['Supplier API', 'supplier', 'https://api.supplier.test/', 'reach'],
  ['Supplier identity', 'supplier', 'http://id.supplier.test/', 'reach'],
  ['CIS2 sign-in', 'identity', 'http://cis2.identity.test/', 'reach'],
];
const HOSTS = TARGETS.map(([, , url]) => url).filter((u) => u !== '/').map((u) => new URL(u).hostname);
const hostsOf = (suffix) => HOSTS.filter((h) => h.endsWith(suffix));
const all = (hosts, to) => Object.fromEntries(hosts.map((h) => [h, to]));

let lab;

// Each scenario: its fault, how it is made, and the verdict it must give.
const SCENARIOS = [
  { name: 'everything healthy', expected: 'none' },
  { name: 'DNS failure for the HSCN hosts', hosts: () => all(hostsOf('.hscn.test'), '~NOTFOUND'), expected: 'hscn' },
  { name: 'DNS failure for the internet references', hosts: () => all(hostsOf('.internet.test'), '~NOTFOUND'), expected: 'internet' },
  { name: 'practice hosts refuse connections', hosts: () => all(hostsOf('.lan.test'), lab.refused), expected: 'lan' },
  { name: 'supplier hosts refuse connections', hosts: () => all(hostsOf('.supplier.test'), lab.refused), expected: 'supplier' },
  { name: 'identity host is a blackhole', hosts: () => ({ 'cis2.identity.test': lab.blackhole }), expected: 'identity' },
  { name: 'supplier certificate not trusted', hosts: () => ({ 'api.supplier.test': lab.tlsUntrusted }), expected: 'supplier' },
  { name: 'supplier answers HTTP 503', hosts: () => ({ 'id.supplier.test': lab.failing }), expected: 'supplier' },
  { name: 'supplier answers slowly', hosts: () => ({ 'id.supplier.test': lab.slow }), expected: 'degraded' },
  { name: 'flapping path: every other round trip fails', entry: 'flapping', expected: 'degraded' },
  { name: 'proxy injects headers', entry: 'injecting', expected: 'security' },
  { name: 'proxy alters content', entry: 'altering', expected: 'security' },
  { name: 'proxy breaks WebSockets', entry: 'noWebSocket', expected: 'security' },
  { name: 'server clock ten minutes off', entry: 'skewed', expected: 'device' },
  { name: 'browser offline', setup: goOfflineBeforeTheChecks, expected: 'device' },
  { name: 'bandwidth-starved link (1 Mbit/s)', setup: throttleTo1Mbit, expected: 'degraded' },
  { name: 'one internet reference of two down', hosts: () => ({ 'b.internet.test': '~NOTFOUND' }), expected: 'unknown' },
  { name: 'nothing beyond this computer answers', hosts: () => all(HOSTS, '~NOTFOUND'), expected: 'lan' },
];

async function goOfflineBeforeTheChecks(context, page) {
  await page.route('**/api/config*', async (route) => {
    await context.setOffline(true);
    await route.abort('internetdisconnected');
  });
}

async function throttleTo1Mbit(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 10,
    downloadThroughput: 125_000,
    uploadThroughput: 125_000,
  });
}

before(async () => {
  const port = await freePort();
  const upstream = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'linktriage-lab-'));
  const trusted = makeCertificate(dir, 'trusted', 'api.supplier.test');
  const untrusted = makeCertificate(dir, 'untrusted', 'api.supplier.test');
  const fakes = {
    ok: await startStatusHost('127.0.0.2', 200),
    failing: await startStatusHost('127.0.0.3', 503),
    slow: await startStatusHost('127.0.0.4', 200, { delayMs: 2000 }),
    refused: await closedPort('127.0.0.5'),
    blackhole: await startBlackhole('127.0.0.6'),
    tlsTrusted: await startTlsHost('127.0.0.7', trusted),
    tlsUntrusted: await startTlsHost('127.0.0.8', untrusted),
  };
  const proxies = {
    flapping: await startProxy(upstream, '127.0.0.9', { failEveryOtherPing: true }),
    injecting: await startProxy(upstream, '127.0.0.10', { injectHeaders: { via: '1.1 practice-web-filter' } }),
    altering: await startProxy(upstream, '127.0.0.11', { alterPayload: true }),
    noWebSocket: await startProxy(upstream, '127.0.0.12', { breakWebSocket: true }),
    skewed: await startProxy(upstream, '127.0.0.13', { shiftClockMs: -10 * 60 * 1000 }),
  };
  const address = (f) => f.address ?? new URL(f.url).host;
  const config = [
    `name = "Fault lab"\nversion = "lab-1"\nallowed_origins = ${JSON.stringify([upstream, ...Object.values(proxies).map((p) => p.url)])}\n`,
    ...TARGETS.map(
      ([name, segment, url, kind]) =>
        `[[target]]\nname = "${name}"\nsegment = "${segment}"\nurl = "${url}"\nkind = "${kind}"\ntimeout_ms = ${REACH_TIMEOUT_MS}\n`,
    ),
  ].join('\n');
  const server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', await tempFile('lab.toml', config)] });
  lab = {
    server,
    fakes,
    proxies,
    trustedSpki: trusted.spki,
    healthyHosts: { ...all(HOSTS, address(fakes.ok)), 'api.supplier.test': address(fakes.tlsTrusted) },
    refused: address(fakes.refused),
    blackhole: address(fakes.blackhole),
    failing: address(fakes.failing),
    slow: address(fakes.slow),
    tlsUntrusted: address(fakes.tlsUntrusted),
  };
});

after(async () => {
  lab?.server.stop();
  await Promise.all([...Object.values(lab?.fakes ?? {}), ...Object.values(lab?.proxies ?? {})].map((f) => f.close?.()));
});

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: verdict ${scenario.expected}`, async () => {
    const hosts = { ...lab.healthyHosts, ...(scenario.hosts?.() ?? {}) };
    const browser = await launchBrowser(hosts, [`--ignore-certificate-errors-spki-list=${lab.trustedSpki}`]);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await scenario.setup?.(context, page);
      const entry = scenario.entry ? `${lab.proxies[scenario.entry].url}/` : lab.server.url;
      // The verdict is what is waited for, not the page's load event (which
      // an offline browser may never fire).
      await page.goto(entry, { waitUntil: 'commit' });
      // The verdict settles when every check is done, or when the list of checks could not even be had.
      await page.waitForFunction(
        () => document.querySelector('#config-error') || document.querySelector('#report-text[data-complete="true"]'),
        null,
        { timeout: 40_000 },
      );
      const segment = await page.getAttribute('#verdict', 'data-segment');
      // Read what is there now: an offline page has no report to wait for.
      const report = await page.evaluate(() => (document.querySelector('#report-text') ?? document.querySelector('main')).textContent);
      assert.equal(segment, scenario.expected, `verdict for "${scenario.name}":\n${report}`);
      // Each verdict's page, as its clinician sees it, is as accessible
      // as the healthy one.
      const { violations, passes } = await axeViolations(page);
      assert.deepEqual(violations, [], `WCAG 2.2 AA for "${scenario.name}"`);
      assert.ok(passes > 10, 'axe ran its rules');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}

test('docs/fault-lab.md lists every scenario with its verdict', async () => {
  const doc = await readFile(new URL('../docs/fault-lab.md', import.meta.url), 'utf8');
  for (const { name, expected } of SCENARIOS) {
    const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`));
    assert.ok(row, `no row for "${name}"`);
    assert.ok(row.trimEnd().endsWith(`| \`${expected}\` |`), `row for "${name}" should end with \`${expected}\`: ${row}`);
  }
  assert.ok(SCENARIOS.length >= 15);
});
