// Round trips under load, against lines of a known rate and buffer: two TCP
// relays per rate whose connections share one queue each way (faults.mjs,
// startQueuedLine), one with a deep buffer and one holding 4 KB, RUNS runs
// of the whole page each. Prints one JSON line per rate: for each line and
// direction, the increase over idle in each run (ms), their median, and the
// grades.
import { reports, median } from './run-app.mjs';
import { startQueuedLine } from '../e2e/faults.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const RATES_MBIT = [3, 10];
const LINES = { 'Deep buffer': Infinity, 'Well kept': 4 * 1024 };

for (const rateMbit of RATES_MBIT) {
  const relays = [];
  try {
    const texts = await reports(async (origin) => {
      const port = Number(new URL(origin).port);
      const targets = [];
      for (const [name, queueBytes] of Object.entries(LINES)) {
        const relay = await startQueuedLine(port, `127.0.0.${20 + relays.length}`, { rateMbit, queueBytes });
        relays.push(relay);
        targets.push(
          `[[target]]\nname = "${name}"\nsegment = "hscn"\nurl = "${relay.url}"\nkind = "probe"\nchecks = ["round_trips", "download", "upload"]\n`,
        );
      }
      return [`name = "Round trips under load"\nversion = "bench"\nallowed_origins = ["${origin}"]\n`, ...targets].join('\n');
    }, RUNS);
    const figures = { rate_mbit: rateMbit, runs: RUNS };
    for (const name of Object.keys(LINES)) {
      figures[name] = {};
      for (const direction of ['download', 'upload']) {
        // From the report's line, as the desk reads it.
        const graded = texts.map(({ text }) => {
          const line = text.split('\n').find((l) => l.startsWith(`- ${name} [`) && l.includes(`: ${direction} `)) ?? '';
          const m = line.match(/round trip ([\d.]+) ms idle, ([\d.]+) ms during the \w+ \(bufferbloat grade ([A-F]\+?)/);
          if (!m) throw new Error(`no graded ${direction} for ${name} in:\n${text}`);
          return { increase: +(Number(m[2]) - Number(m[1])).toFixed(1), grade: m[3] };
        });
        const increases = graded.map((g) => g.increase);
        figures[name][direction] = { increase_ms: increases, median_ms: median(increases), grades: graded.map((g) => g.grade) };
      }
    }
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.all(relays.map((r) => r.close()));
  }
}
