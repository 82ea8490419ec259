// Loss truth from the kernel (the loss lab: the server on an address of its
// own in a network namespace, Chromium inside it, nftables dropping a chosen
// share of the loss check's UDP one way): the share the page measures must be
// the share dropped, in the direction it was dropped; dropping all of it must
// read as UDP blocked. The benchmark (`cargo xtask bench loss`) repeats each
// setting for the truth table in BENCHMARKS.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLossLab, measuredLoss } from './loss-lab.mjs';

let lab;

before(async () => {
  lab = await startLossLab();
});

after(async () => {
  await lab?.close();
});

// What chance allows: a share measured on n probes lies within 3.5 standard
// deviations of the share dropped (one run in 2,000 outside), plus half a
// probe for the count being whole. On 250 probes: ±2.2 points at 1 %, ±5.0 at
// 20 %; the benchmark's pooled runs come closer.
const within = (p, n) => 3.5 * Math.sqrt((p * (1 - p)) / n) + 0.5 / n;

for (const way of ['out', 'back']) {
  for (const percent of [1, 5, 20]) {
    test(`${percent} % of the UDP dropped on the way ${way} is measured as that, on the way ${way}`, async (t) => {
      lab.drop(way, percent);
      const { segment, report } = await lab.run();
      const loss = measuredLoss(report);
      assert.ok(loss, `no loss measured:\n${report}`);
      const other = way === 'out' ? 'back' : 'out';
      const p = percent / 100;
      const share = loss[way].lost / loss[way].of;
      t.diagnostic(`dropped ${percent} % ${way}: measured ${(share * 100).toFixed(1)} % (${loss[way].lost} of ${loss[way].of}), ${other} ${loss[other].lost} of ${loss[other].of}`);
      assert.ok(loss[way].of >= 200, report);
      assert.ok(Math.abs(share - p) <= within(p, loss[way].of), `measured ${share} for ${p} dropped on ${loss[way].of}:\n${report}`);
      assert.ok(loss[other].lost <= 1, `loss ${other}, where nothing was dropped:\n${report}`);
      // Far over the limit (2 %) whatever chance does: the path is degraded.
      if (percent === 20) {
        assert.equal(segment, 'degraded', report);
        assert.match(report, /packets lost/, report);
      }
    });
  }
}

test('all of the UDP dropped is UDP blocked, not 100 % loss, and blames no part', async () => {
  lab.drop('out', 100);
  const { segment, report } = await lab.run();
  assert.match(report, /: UDP to the Link Triage server is blocked, so packet loss could not be measured\n/, report);
  assert.doesNotMatch(report, /packet loss over UDP/);
  assert.equal(segment, 'none', report);
});

test("a watch's data channel sees sustained loss as a lossy spell, on the way it was dropped, and the path as degraded", async (t) => {
  lab.drop('out', 20);
  // Three lossy minutes in a row make a spell: the watch's first three,
  // each counted 5 s after it ends.
  const report = await lab.watch(/\n- lost packets .*: Link Triage server, /, 320_000);
  lab.drop('out', 0);
  t.diagnostic(report.split('\n').filter((l) => /lost/.test(l)).join('\n'));
  assert.match(report, /^Link Triage report\nVerdict: The connection (is losing|lost) packets for \d+ min in \d+ min of watching, starting at /, report);
  const spell = report.match(/\n- lost packets .*: Link Triage server, [\d.]+ % of packets lost \((\d+) on the way there, (\d+) back; (\d+) sent\)\n/);
  assert.ok(spell, report);
  const [, out, back, sent] = spell.slice(0).map(Number);
  assert.ok(sent >= 3 * 100, `${sent} probes in the spell`);
  assert.ok(Math.abs(out / sent - 0.2) <= within(0.2, sent), `${out} of ${sent} lost on the way there, for 20 % dropped:\n${report}`);
  assert.ok(back <= 1, `loss back, where nothing was dropped:\n${report}`);
});
