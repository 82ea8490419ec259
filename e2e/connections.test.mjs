// Connections cut while in use, which the browser hides: when something on the
// path resets a kept-alive connection, Chromium quietly sends the request again
// on a new one, and every request succeeds, only later. In the real browser
// against the real server, hosts that cut one connection in two, one in five,
// or every one after its first answer, at the supplier and on the HSCN: each is
// counted and makes the path degraded where it begins; on a healthy run nothing
// is counted. The server's own target behind a relay that cuts is counted by
// the server's connection numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, tempFile } from './lab.mjs';
import { startCuttingHost, startCuttingRelay, startStatusHost, freePort } from './faults.mjs';

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
  };
  const relay = await startCuttingRelay(port, '127.0.0.4', { cutEvery: 2 });
  const config = [
    `name = "Connections lab"\nversion = "lab-1"\nallowed_origins = ${JSON.stringify([relay.url.replace(/\/$/, '')])}\n`,
    ...TARGETS.map(
      ([name, segment, url, kind]) =>
        `[[target]]\nname = "${name}"\nsegment = "${segment}"\nurl = "${url}"\nkind = "${kind}"\ntimeout_ms = 2500\n`,
    ),
  ].join('\n');
  const server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', await tempFile('connections.toml', config)] });
  lab = { server, hosts, relay };
});

after(async () => {
  lab?.server.stop();
  await Promise.all([...Object.values(lab?.hosts ?? {}), lab?.relay].map((h) => h?.close()));
});

/** Runs the checks with `hostMap` from `entry`; resolves with the verdict's segment and the report. */
async function run(hostMap, entry = lab.server.url) {
  const browser = await launchBrowser({
    'spine.hscn.test': lab.hosts.healthy.address,
    'api.supplier.test': lab.hosts.healthy.address,
    'ref.internet.test': lab.hosts.untimed.address ?? `127.0.0.3:${lab.hosts.untimed.port}`,
    ...hostMap,
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(entry);
    await page.waitForSelector('#report-text[data-complete="true"]', { timeout: 60_000 });
    const report = await page.textContent('#report-text');
    const segment = await page.getAttribute('#verdict', 'data-segment');
    assert.deepEqual(errors, []);
    return { segment, report };
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
  const cut = line.match(/connections: (\d+) of (\d+) CUT while in use; the browser quietly opened new ones and sent the requests again \(12 requests one after another/);
  return cut ? { cut: Number(cut[1]), of: Number(cut[2]) } : null;
}

test('a healthy run counts no connection cut, and says where it could not tell', async () => {
  const { segment, report } = await run({});
  assert.equal(segment, 'none', report);
  assert.match(connectionsLine(report, 'Link Triage server'), /: connections: none cut \(12 requests one after another on 1 connection, by the server's connection numbers\)$/, report);
  for (const host of ['Spine', 'Supplier API']) {
    assert.match(connectionsLine(report, host), /: connections: none cut \(12 requests one after another on 1 connection, by the browser's timing\)$/, report);
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
