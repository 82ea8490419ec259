// The loss truth table: in the loss lab (e2e/loss-lab.mjs), each share of the
// loss check's UDP dropped one way by nftables, RUNS runs each. Prints one
// JSON line per setting: the share measured in each run that way, the pooled
// share (lost of all sent that way over the runs), and the most lost the other
// way in any run.
import { startLossLab, measuredLoss } from '../e2e/loss-lab.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const lab = await startLossLab();
try {
  for (const way of ['out', 'back']) {
    for (const percent of [0, 1, 5, 20]) {
      lab.drop(way, percent);
      const other = way === 'out' ? 'back' : 'out';
      const runs = [];
      let lost = 0;
      let of = 0;
      let otherLost = 0;
      for (let i = 0; i < RUNS; i++) {
        const loss = measuredLoss((await lab.run()).report);
        if (!loss) throw new Error(`no loss measured with ${percent} % dropped ${way}`);
        runs.push(Number(((loss[way].lost / loss[way].of) * 100).toFixed(1)));
        lost += loss[way].lost;
        of += loss[way].of;
        otherLost = Math.max(otherLost, loss[other].lost);
      }
      console.log(JSON.stringify({
        dropped: `${percent} % ${way}`,
        runs_percent: runs,
        pooled_percent: Number(((lost / of) * 100).toFixed(2)),
        pooled: `${lost} of ${of}`,
        most_lost_other_way: otherLost,
      }));
    }
  }
} finally {
  await lab.close();
}
