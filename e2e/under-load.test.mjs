// Round trips under load on two slow lines of the same rate (faults.mjs,
// startQueuedLine), one well kept and one with a deep buffer: each
// transfer's line in the report grades the round trip while it ran against
// idle. On the well-kept line it is no fault; behind the deep buffer the
// round trip grows by far more (C or worse), and at D or worse the path is
// degraded. (A path on loopback alone is too fast to grade:
// its timed transfers are over in a few round trips.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, openAndFinish, tempFile } from './lab.mjs';
import { startQueuedLine, freePort } from './faults.mjs';

// Above the speed at which a line is too slow for a clinical system (2 Mbit/s).
const RATE_MBIT = 3;

let server;
let lines = [];
let browser;
let report;
let segment;

before(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // 4 KB: a round trip waits behind 11 ms of someone else's bytes at most.
  const wellKept = await startQueuedLine(port, '127.0.0.12', { rateMbit: RATE_MBIT, queueBytes: 4 * 1024 });
  const bloated = await startQueuedLine(port, '127.0.0.13', { rateMbit: RATE_MBIT });
  lines = [wellKept, bloated];
  const target = (name, url) =>
    `[[target]]\nname = "${name}"\nsegment = "hscn"\nurl = "${url}"\nkind = "probe"\nchecks = ["round_trips", "download", "upload"]\n`;
  const config = await tempFile(
    'under-load.toml',
    [
      `name = "Fault lab: under load"\nversion = "test-1"\nallowed_origins = ["${origin}"]\n`,
      target('Well-kept line', wellKept.url),
      target('Bloated line', bloated.url),
    ].join('\n'),
  );
  server = await startServer({ listen: `127.0.0.1:${port}`, args: ['--config', config] });
  browser = await launchBrowser();
  const { page, errors } = await openAndFinish(await browser.newContext(), server.url, { complete: true });
  report = await page.textContent('#report-text');
  segment = await page.getAttribute('#verdict', 'data-segment');
  assert.deepEqual(errors, [], 'no error in the page');
});

after(async () => {
  await browser?.close();
  server?.stop();
  await Promise.all(lines.map((l) => l.close()));
});

/** A target's transfer: the idle and loaded round trip, the grade and the count. */
function underLoad(target, direction) {
  const found = report.split('\n').find((l) => l.startsWith(`- ${target} [`) && l.includes(`: ${direction} `)) ?? '';
  const m = found.match(/round trip ([\d.]+) ms idle, ([\d.]+) ms during the \w+ \(bufferbloat grade ([A-F]\+?), (\d+) round trips\)/);
  assert.ok(m, `no graded round trips under load for ${target}'s ${direction}:\n${report}`);
  return { idle: Number(m[1]), loaded: Number(m[2]), grade: m[3], count: Number(m[4]) };
}

const increase = (g) => g.loaded - g.idle;

test('a well-kept line keeps its round trip under load: no fault either way, B or better downloading', (t) => {
  for (const direction of ['download', 'upload']) {
    const g = underLoad('Well-kept line', direction);
    t.diagnostic(`${direction}: ${JSON.stringify(g)}`);
    // Chromium's own upload path adds a few tens of milliseconds under
    // load: C is the most an upload may read here, never a fault.
    const allowed = direction === 'download' ? ['A+', 'A', 'B'] : ['A+', 'A', 'B', 'C'];
    assert.ok(allowed.includes(g.grade), `${direction}: ${JSON.stringify(g)}\n${report}`);
    assert.ok(g.count >= 3, `${direction}: ${JSON.stringify(g)}`);
  }
  assert.doesNotMatch(report, /Evidence:[^]*- Well-kept line:/, report);
});

test('behind a deep buffer the round trip grows while the transfers run, and a D or F degrades the path', (t) => {
  for (const direction of ['download', 'upload']) {
    const g = underLoad('Bloated line', direction);
    t.diagnostic(`${direction}: ${JSON.stringify(g)}`);
    // Each timed transfer lasts about 400 ms and sits in the buffer whole:
    // round trips wait behind most of it, far longer than on the well-kept
    // line of the same rate.
    assert.ok(['C', 'D', 'F'].includes(g.grade), `${direction}: ${JSON.stringify(g)}\n${report}`);
    assert.ok(increase(g) >= increase(underLoad('Well-kept line', direction)) + 100, `${direction}: ${JSON.stringify(g)}\n${report}`);
    assert.ok(g.count >= 3, `${direction}: ${JSON.stringify(g)}`);
  }
  const graded = ['download', 'upload'].map((d) => underLoad('Bloated line', d).grade);
  if (graded.some((g) => g === 'D' || g === 'F')) {
    assert.equal(segment, 'degraded', report);
    assert.match(report, /- Bloated line: round trip .* every click on the clinical system waits that much longer/, report);
  } else {
    assert.equal(segment, 'none', report);
  }
});
