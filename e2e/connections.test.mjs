// Connections cut while in use, which the browser hides: when something on the
// path resets a kept-alive connection, Chromium quietly sends the request again
// on a new one, and every request succeeds, only later. In the real browser
// against the real server, hosts that cut one connection in two, one in five,
// or every one after its first answer, at the supplier and on the HSCN: each is
// counted and makes the path degraded where it begins; on a healthy run nothing
// is counted. The server's own target behind a relay that cuts is counted by
// the server's connection numbers. An HTTPS supplier that closes every second
// or third request it receives unanswered reads degraded there, with or
// without CORS and timing headers (the requests sent at once show what the
// browser's retries hide); a healthy one without those headers never does.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, tempFile } from './lab.mjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCuttingHost, startCuttingRelay, startClosingTlsHost, startStatusHost, freePort, makeCertificate } from './faults.mjs';

const TARGETS = [
  // [name, segment, url]
  ['Link Triage server', 'auto', '/', 'probe'],
  ['Spine', 'hscn', 'http://spine.hscn.test/', 'reach'],
  ['Supplier API', 'supplier', 'http://api.supplier.test/', 'reach'],
  ['Internet reference', 'internet', 'http://ref.internet.test/', 'reach'],
];

let lab;

before(async () => {
  const port = await freePort();
  const hosts = {
    healthy: await startCuttingHost('127.0.0.2'),
    // Without Timing-Allow-Origin: on loopback, durations cannot tell.
    untimed: await startStatusHost('127.0.0.3', 200),
    // Neither CORS nor timing allowed, as most real hosts.
    bare: await startStatusHost('127.0.0.7', 200, { cors: false }),
  };
  const relay = await startCuttingRelay(port, '127.0.0.4', { cutEvery: 2 });
  const config = (targets) =>
    [
      `name = "Connections lab"\nversion = "lab-1"\nallowed_origins = ${JSON.stringify([relay.url.replace(/\/$/, '')])}\n`,
      ...targets.map(
        ([name, segment, url, kind]) =>
          `[[target]]\nname = "${name}"\nsegment = "${segment}"\nurl = "${url}"\nkind = "${kind}"\ntimeout_ms = 2500\n`,
      ),
    ].join('\n');
  const server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', await tempFile('connections.toml', config(TARGETS))] });
  // The same list with the supplier over HTTPS.
  const overTls = TARGETS.map(([name, ...rest]) => (name === 'Supplier API' ? [name, 'supplier', 'https://api.supplier.test/', 'reach'] : [name, ...rest]));
  const httpsSupplierServer = await startServer({ args: ['--config', await tempFile('connections-tls.toml', config(overTls))] });
  lab = { server, httpsSupplierServer, hosts, relay };
});

after(async () => {
  lab?.server.stop();
  lab?.httpsSupplierServer.stop();
  await Promise.all([...Object.values(lab?.hosts ?? {}), lab?.relay].map((h) => h?.close()));
});

/**
 * Runs the checks with `hostMap` from `entry`; resolves with the first
 * verdict's headline, the final verdict's segment and the report.
 */
async function run(hostMap, entry = lab.server.url, browserArgs = []) {
  const browser = await launchBrowser(
    {
      'spine.hscn.test': lab.hosts.healthy.address,
      'api.supplier.test': lab.hosts.healthy.address,
      'ref.internet.test': lab.hosts.untimed.address ?? `127.0.0.3:${lab.hosts.untimed.port}`,
      ...hostMap,
    },
    browserArgs,
  );
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(entry);
    const first = (await (await page.waitForSelector('#verdict', { timeout: 60_000 })).textContent()).trim();
    await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 60_000 });
    const report = await page.textContent('#report-text');
    const segment = await page.getAttribute('#verdict', 'data-segment');
    assert.deepEqual(errors, []);
    return { first, segment, report };
  } finally {
    await browser.close();
  }
}

/** The report's line counting `target`'s connections. */
function connectionsLine(report, target) {
  return report.split('\n').find((l) => l.startsWith(`- ${target} [`) && /cut connections|connections: /.test(l)) ?? '';
}

/** How many of how many connections the line says were cut. */
function cutOf(line) {
  const cut = line.match(/connections: (\d+) of (\d+) CUT while in use; the browser quietly opened new ones and sent the requests again/);
  return cut ? { cut: Number(cut[1]), of: Number(cut[2]) } : null;
}

test('a healthy run counts no connection cut, and says where it could not tell', async () => {
  const { segment, report } = await run({});
  assert.equal(segment, 'none', report);
  assert.match(connectionsLine(report, 'Link Triage server'), /: connections: none cut \(\d+ requests on 1 connection, by the server's connection numbers\)$/, report);
  for (const host of ['Spine', 'Supplier API']) {
    assert.match(connectionsLine(report, host), /: connections: none cut \(\d+ requests on 1 connection, by the browser's timing\)$/, report);
  }
  assert.match(connectionsLine(report, 'Internet reference'), /: could not test cut connections \(the host does not share its timing/, report);
  assert.doesNotMatch(report, /CUT/);
});

// [how often, the least the page must count of its 12 requests]
const CUTTERS = [
  ['one connection in two', 2, 4],
  ['one connection in five', 5, 2],
  ['every connection after its first answer', 1, 10],
];

for (const [target, hostName, segmentWord] of [
  ['Supplier API', 'api.supplier.test', 'the clinical system supplier'],
  ['Spine', 'spine.hscn.test', 'the NHS network link'],
]) {
  for (const [how, cutEvery, least] of CUTTERS) {
    test(`${target} behind security software that cuts ${how}: counted, and degraded from there`, async (t) => {
      const cutter = await startCuttingHost('127.0.0.5', { cutEvery });
      try {
        const { segment, report } = await run({ [hostName]: cutter.address });
        const counted = cutOf(connectionsLine(report, target));
        assert.ok(counted, `no count of cut connections for ${target}:\n${report}`);
        t.diagnostic(`${counted.cut} of ${counted.of} counted; the host cut ${cutter.cuts.made}`);
        assert.ok(counted.cut >= least, `${counted.cut} cut, at least ${least} expected:\n${report}`);
        // The page counts no more than the host cut (some were cut under the
        // reachability check before the count began).
        assert.ok(counted.cut <= cutter.cuts.made, `${counted.cut} counted, ${cutter.cuts.made} cut`);
        assert.equal(segment, 'degraded', report);
        assert.match(report, new RegExp(`slow or unreliable, starting at ${segmentWord}`), report);
        assert.match(report, new RegExp(`\\n- ${target}: ${counted.cut} of ${counted.of} connections were cut while in use and the browser quietly retried`), report);
        // The other hosts kept theirs.
        for (const other of ['Spine', 'Supplier API'].filter((t) => t !== target)) {
          assert.match(connectionsLine(report, other), /: connections: none cut/, report);
        }
      } finally {
        await cutter.close();
      }
    });
  }
}

test("the server's own connections cut on the way, counted by its connection numbers", async (t) => {
  const { segment, report } = await run({}, lab.relay.url);
  const counted = cutOf(connectionsLine(report, 'Link Triage server'));
  assert.ok(counted, report);
  t.diagnostic(`${counted.cut} of ${counted.of} counted; the relay cut ${lab.relay.cuts.made}`);
  assert.match(connectionsLine(report, 'Link Triage server'), /by the server's connection numbers\)$/, report);
  assert.ok(counted.cut >= 4, report);
  assert.equal(segment, 'degraded', report);
  assert.match(report, /slow or unreliable, starting at this computer/, report);
});

describe('a supplier over HTTPS closing connections unanswered, as the host behind the seed outage did', () => {
  let certificate;
  before(async () => {
    certificate = makeCertificate(await mkdtemp(join(tmpdir(), 'linktriage-closing-')), 'supplier', 'api.supplier.test');
  });
  const trusting = () => [`--ignore-certificate-errors-spki-list=${certificate.spki}`];
  const https = (host) => ({ 'api.supplier.test': host.address });

  for (const closeEvery of [2, 3]) {
    for (const corsAndTiming of [true, false]) {
      test(`closing one request in ${closeEvery} it receives, ${corsAndTiming ? 'with' : 'without'} CORS and timing headers: degraded at the supplier, first verdict not settled`, async (t) => {
        const host = await startClosingTlsHost('127.0.0.6', certificate, { closeEvery, corsAndTiming });
        try {
          const { first, segment, report } = await run(https(host), lab.httpsSupplierServer.url, trusting());
          t.diagnostic(`the host closed ${host.closes.made}; ${connectionsLine(report, 'Supplier API')}`);
          assert.doesNotMatch(first, /^Everything checked is working/, report);
          assert.equal(segment, 'degraded', report);
          assert.match(report, /slow or unreliable, starting at the clinical system supplier/, report);
          assert.match(report, /\n- Supplier API: (\d+ of \d+ connections were cut while in use|\d+ of \d+ requests were cut off with no answer)/, report);
          assert.match(connectionsLine(report, 'Supplier API'), /CUT/, report);
        } finally {
          await host.close();
        }
      });
    }
  }

  test('answering every request without CORS or timing headers, as most real hosts do: never called slow', async () => {
    const host = await startClosingTlsHost('127.0.0.6', certificate, { corsAndTiming: false });
    try {
      const bare = `127.0.0.7:${lab.hosts.bare.port}`;
      const hosts = { ...https(host), 'spine.hscn.test': bare, 'ref.internet.test': bare };
      const { segment, report } = await run(hosts, lab.httpsSupplierServer.url, trusting());
      assert.equal(segment, 'none', report);
      assert.doesNotMatch(report, /CUT|slow or unreliable/, report);
    } finally {
      await host.close();
    }
  });
});
