// The README's screenshots can always be made again: each view at each
// width, from the real app, with the verdict each view is meant to show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { takeScreenshots, SCREENS, VIEWS } from './screenshots.mjs';

test('every main view is screenshot at a laptop\'s and a phone\'s width, showing the verdict it is meant to', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'linktriage-screens-'));
  const shown = await takeScreenshots(dir);
  const segments = Object.fromEntries(shown.map((s) => [`${s.view}-${s.width}`, s.segment]));
  for (const view of VIEWS) {
    for (const [width, height] of SCREENS) {
      const png = PNG.sync.read(await readFile(join(dir, `${view}-${width}.png`)));
      assert.deepEqual([png.width, png.height], [width, height], `${view} at ${width} px`);
    }
  }
  for (const [width] of SCREENS) {
    assert.equal(segments[`clinician-healthy-${width}`], 'none');
    assert.equal(segments[`clinician-hscn-fault-${width}`], 'hscn');
    assert.equal(segments[`desk-thread-${width}`], 'hscn');
  }
  // On a laptop's screen and on a small phone's, the verdict comes first.
  for (const { view, width, unseen } of shown.filter((s) => s.unseen)) {
    assert.deepEqual(unseen, [], `${view} at ${width} px: below the fold`);
  }
  assert.equal(shown.filter((s) => s.unseen).length, 4);
  // Nothing jumps as the checks, the verdict and the report arrive (a
  // cumulative layout shift of 0.1 is "good" to Core Web Vitals; this page
  // is read in a hurry, so it is held to half of that).
  for (const { view, width, shift } of shown.filter((s) => s.shift !== undefined)) {
    console.log(`layout shift of ${view} at ${width} px: ${shift.toFixed(4)}`);
    assert.ok(shift <= 0.05, `${view} at ${width} px moved by ${shift.toFixed(3)}`);
  }
  assert.equal(shown.filter((s) => s.shift !== undefined).length, 6);
  // With nothing wrong found, watching is the next step: beside the verdict.
  for (const { view, width, watchFirst } of shown.filter((s) => s.view.startsWith('clinician-') && s.watchFirst !== undefined)) {
    assert.equal(watchFirst, view === 'clinician-healthy', `${view} at ${width} px: Keep watching beside the verdict`);
  }
});
