// Several servers: vantage points (the page from one Link Triage server, a
// second elsewhere on the path, here HSCN, named in the target list as a
// probe: every check runs against both; with the second stopped, the
// verdict names its segment), and instances of one deployment behind a
// balancer, which share nothing and need not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openAndFinish, tempFile } from './lab.mjs';
import { createServer, connect } from 'node:net';
import { freePort } from './faults.mjs';

let practice;
let hscn;
let browser;

const target = (name, segment, url) =>
  `[[target]]\nname = "${name}"\nsegment = "${segment}"\nurl = "${url}"\nkind = "probe"\n`;

before(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // The far server lets pages of the practice's server read its answers.
  const far = await tempFile('hscn.toml', `name = "HSCN vantage"\nversion = "1"\nallowed_origins = ["${origin}"]\n\n${target('Itself', 'hscn', '/')}`);
  hscn = await startServer({ listen: '127.0.0.2:0', args: ['--config', far] });
  const list = await tempFile('practice.toml', [
    'name = "Two vantage points"\nversion = "1"\n',
    target('Practice server', 'lan', '/'),
    target('HSCN server', 'hscn', hscn.url),
  ].join('\n'));
  practice = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', list] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  practice?.stop();
  hscn?.stop();
});

async function run() {
  const context = await browser.newContext();
  const { page, errors } = await openAndFinish(context, practice.url, { complete: true });
  const report = await page.textContent('#report-text');
  const segment = await page.getAttribute('#verdict', 'data-segment');
  await context.close();
  assert.deepEqual(errors, []);
  return { report, segment };
}

test('every check runs against both servers, each placed on its own segment', async () => {
  const { report, segment } = await run();
  for (const [name, place] of [['Practice server', 'lan'], ['HSCN server', 'hscn']]) {
    for (const check of [/HTTP round trip median [\d.]+ ms .*; 20 of 20 answered/, /WebSocket round trip median [\d.]+ ms .*; 10 of 10 answered/, /clock/, /download [\d.]+ Mbit\/s/]) {
      const found = report.split('\n').some((l) => l.startsWith(`- ${name} [${place}]`) && check.test(l));
      assert.ok(found, `${name}: ${check} in\n${report}`);
    }
  }
  assert.equal(segment, 'none', report);
});

test('with the far server stopped, the verdict names its segment', async () => {
  hscn.stop();
  const { report, segment } = await run();
  assert.equal(segment, 'hscn', report);
  assert.match(report, /^Verdict: The NHS network link \(HSCN\) looks down\.$/m);
  assert.match(report, /^- HSCN server \[hscn\]: HTTP NO ANSWER to any of 20 round trips$/m);
  assert.match(report, /^- Practice server \[lan\]: HTTP round trip median [\d.]+ ms .*; 20 of 20 answered/m);
});

/** A TCP balancer on loopback that hands each new connection to the next backend in turn. */
function startRoundRobin(backends) {
  const counts = backends.map(() => 0);
  let next = 0;
  const server = createServer((client) => {
    const i = next++ % backends.length;
    counts[i] += 1;
    const { hostname, port } = new URL(backends[i]);
    const upstream = connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/`,
    counts,
    close: () => server.close(),
  })));
}

test('two instances behind a balancer that spreads one page load over both: every check works', async () => {
  const instances = [await startServer({ listen: '127.0.0.11:0' }), await startServer({ listen: '127.0.0.12:0' })];
  const balancer = await startRoundRobin(instances.map((i) => i.url));
  try {
    const context = await browser.newContext();
    const { page, errors } = await openAndFinish(context, balancer.url, { complete: true });
    const report = await page.textContent('#report-text');
    await context.close();
    assert.deepEqual(errors, []);
    assert.ok(balancer.counts.every((n) => n > 0), `both instances served: ${balancer.counts}`);
    for (const check of [/HTTP round trip median [\d.]+ ms .*; 20 of 20 answered/, /WebSocket round trip median [\d.]+ ms .*; 10 of 10 answered/, /download [\d.]+ Mbit\/s/, /no sign of a proxy/]) {
      assert.ok(report.split('\n').some((l) => l.startsWith('- Link Triage server [') && check.test(l)), `${check} in\n${report}`);
    }
  } finally {
    balancer.close();
    instances.forEach((i) => i.stop());
  }
});
