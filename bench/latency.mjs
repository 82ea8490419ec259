// Latency truth: round trips through a proxy that adds a known delay (0, 20,
// 50 and 100 ms) must read as that delay, within 1 ms or 3 %, whichever is
// larger. Also the loopback floor, straight to the server.
import { reports, median, result } from './run-app.mjs';
import { startProxy } from '../e2e/faults.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const DELAYS = [0, 20, 50, 100];
const proxies = [];

const texts = await reports(async (origin) => {
  const lines = [`name = "Latency truth"\nversion = "bench"\nallowed_origins = ["${origin}"]\n`];
  lines.push('[[target]]\nname = "direct"\nsegment = "lan"\nurl = "/"\nkind = "probe"\nsamples = 50\nchecks = ["round_trips", "web_socket"]\n');
  for (const [i, delay] of DELAYS.entries()) {
    const proxy = await startProxy(origin, `127.0.0.${i + 2}`, { delayMs: delay });
    proxies.push(proxy);
    lines.push(`[[target]]\nname = "plus ${delay} ms"\nsegment = "lan"\nurl = "${proxy.url}/"\nkind = "probe"\nsamples = 50\nchecks = ["round_trips"]\n`);
  }
  return lines.join('\n');
}, RUNS);
await Promise.all(proxies.map((p) => p.close()));

const rows = [];
const summary = (target, check, field) =>
  median(texts.map((r) => {
    const found = result(r, target, check);
    return (found.summary ?? found.round_trips.summary)[field];
  }));
const round = (v) => +v.toFixed(2);
for (const check of ['round_trips', 'web_socket']) {
  rows.push({
    path: `loopback, straight to the server (${check === 'round_trips' ? 'HTTP' : 'WebSocket'})`,
    median_ms: round(summary('direct', check, 'median')),
    p90_ms: round(summary('direct', check, 'p90')),
  });
}
// The proxy itself costs about a millisecond; that is part of the path, so
// the truth for each delay is the delay plus the 0 ms row.
const baseline = summary('plus 0 ms', 'round_trips', 'median');
for (const delay of DELAYS) {
  const measured = summary(`plus ${delay} ms`, 'round_trips', 'median');
  const truth = delay + baseline;
  const allowed = Math.max(1, 0.03 * delay);
  rows.push({
    path: `through the proxy, ${delay} ms added`,
    median_ms: round(measured),
    truth_ms: round(truth),
    error_ms: round(measured - truth),
    allowed_ms: allowed,
    within: Math.abs(measured - truth) <= allowed,
  });
}
console.log(JSON.stringify({ runs: RUNS, rows }, null, 1));
