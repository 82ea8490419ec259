// Throughput truth, run inside a network namespace whose loopback is shaped
// by tbf to RATE_MBIT (cargo xtask bench sets it up): download and upload
// must read about 94 to 96 % of the shaped rate (TCP goodput). The full
// speed test, where the page offers it: at 100 Mbit/s the test the page
// runs by itself stops at 1 MiB a transfer, too short to time.
import { reports, median, result } from './run-app.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const RATE = Number(process.env.RATE_MBIT);
const texts = await reports(
  (origin) =>
    `name = "Throughput truth"\nversion = "bench"\nallowed_origins = ["${origin}"]\n\n` +
    '[[target]]\nname = "server"\nsegment = "lan"\nurl = "/"\nkind = "probe"\nchecks = ["round_trips", "download", "upload"]\n',
  RUNS,
  { fullSpeed: true },
);
const figures = { rate_mbit: RATE, runs: RUNS };
for (const direction of ['download', 'upload']) {
  // As the report quotes it: a high percentile of the full-size transfers.
  const each = texts.map((r) => {
    const samples = [...result(r, 'server', direction).samples_mbps].sort((a, b) => a - b);
    return +samples[Math.ceil(0.9 * samples.length) - 1].toFixed(2);
  });
  const m = median(each);
  figures[direction] = { runs_mbit: each, median_mbit: m, share_of_rate: +(m / RATE).toFixed(3) };
}
console.log(JSON.stringify(figures));
