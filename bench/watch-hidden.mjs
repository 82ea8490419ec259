// The watch in a hidden tab, for MINUTES (default 12) at INTERVAL_S
// (default 2): how closely its samples keep to the plan, the page's CPU
// time per hour, the bytes a cycle sends and receives, the data channel's
// loss probes a minute (which an open channel keeps coming, where the
// page's own timers are held to one a minute), and how large the
// browser's record of an 8-hour watch grows.
//
// Chromium is driven over its own DevTools pipe, not through Playwright:
// Playwright's attach keeps every page "visible" (the page never learns it
// is hidden, and no throttling applies), and its launch adds the flags that
// turn background throttling off. Here the flags are the lab's, none of
// them about throttling; the watch page is a tab, and a blank tab brought
// to the front hides it. The page's `document.visibilityState` is recorded
// through the run, and the figures are refused unless it was hidden.
// Prints one JSON line.
import { startServer, tempFile, launchChromiumOverPipe } from '../e2e/lab.mjs';
import { startSwitchableHost } from '../e2e/faults.mjs';

const MINUTES = Number(process.env.MINUTES ?? 12);
const INTERVAL_S = Number(process.env.INTERVAL_S ?? 2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const hosts = [await startSwitchableHost('127.0.0.30'), await startSwitchableHost('127.0.0.31')];
const config = `name = "Hidden tab"
version = "bench"

[[target]]
name = "Link Triage server"
segment = "auto"
url = "/"
kind = "probe"

[[target]]
name = "HSCN gateway"
segment = "hscn"
url = "http://gateway.hscn.test/"
kind = "reach"

[[target]]
name = "Internet reference"
segment = "internet"
url = "http://a.internet.test/"
kind = "reach"
`;
const server = await startServer({ args: ['--config', await tempFile('hidden.toml', config)] });
const rules = { 'gateway.hscn.test': hosts[0].address, 'a.internet.test': hosts[1].address };
const browser = await launchChromiumOverPipe(rules);
const result = {};
try {
  const { targetInfos } = await browser.send('Target.getTargets');
  const blank = targetInfos.find((t) => t.type === 'page');
  const { targetId } = await browser.send('Target.createTarget', { url: `${server.url}/watch/#watch=${INTERVAL_S}s`, newWindow: false });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const evaluate = (expression) => browser.evaluate(sessionId, expression);

  // The bytes of every request the watch's worker makes, from the network
  // events of the page (and of the worker, where the browser reports them
  // there).
  const bytes = { sent: 0, received: 0, requests: 0 };
  browser.on((m) => {
    if (m.method === 'Target.attachedToTarget' && m.params.targetInfo.type === 'worker') {
      browser.send('Network.enable', {}, m.params.sessionId).catch(() => {});
      browser.send('Runtime.runIfWaitingForDebugger', {}, m.params.sessionId).catch(() => {});
    }
    if (m.method === 'Network.requestWillBeSentExtraInfo' && !/\/watch\//.test(m.params.headers?.[':path'] ?? '')) {
      bytes.requests += 1;
      bytes.sent += Object.entries(m.params.headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 40);
    }
    if (m.method === 'Network.loadingFinished') bytes.received += m.params.encodedDataLength;
    if (m.method === 'Network.loadingFailed') bytes.failed = (bytes.failed ?? 0) + 1;
  });
  // A dedicated worker's requests are the page's network events.
  await browser.send('Network.enable', {}, sessionId);
  await browser.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
  for (let tries = 0; (await evaluate("document.querySelector('#watch')?.dataset.state")) !== 'running'; tries += 1) {
    if (tries > 60) throw new Error('the watch did not start');
    await sleep(500);
  }
  await evaluate(`window.__visibility = [[Date.now(), document.visibilityState]];
    document.addEventListener('visibilitychange', () => window.__visibility.push([Date.now(), document.visibilityState]));
    true`);
  const cpu = async () => {
    const { processInfo } = await browser.send('SystemInfo.getProcessInfo');
    return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
  };
  // A control: a timer of the page itself, every 2 s, which the browser's
  // background throttling is for. If it is not throttled, nothing was.
  await evaluate('window.__ticks = []; setInterval(() => window.__ticks.push(Date.now()), 2000); true');
  // Hide it: the blank tab to the front.
  await browser.send('Target.activateTarget', { targetId: blank.targetId });
  await sleep(1_000);
  const hiddenFrom = Date.now();
  const cpuFrom = await cpu();
  const bytesFrom = { ...bytes };
  const seen = [];
  while (Date.now() - hiddenFrom < MINUTES * 60_000) {
    await sleep(30_000);
    seen.push(await evaluate('document.visibilityState'));
  }
  const hiddenFor = Date.now() - hiddenFrom;
  const cpuSeconds = (await cpu()) - cpuFrom;
  const visibility = await evaluate('window.__visibility');
  if (!seen.every((v) => v === 'hidden') || visibility.some(([at, v]) => at >= hiddenFrom && v !== 'hidden')) {
    throw new Error(`the page was not hidden throughout: ${JSON.stringify({ seen, visibility })}`);
  }
  // Every sample's time, from the page's own record in IndexedDB.
  const samples = await evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('linktriage-watch');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('samples').objectStore('samples').getAll();
      all.onsuccess = () => resolve(all.result.map(([at, target]) => [at, target]));
    };
  })`);
  const spacing = samples
    .filter(([at, target]) => target === 1 && at >= hiddenFrom)
    .map(([at]) => at)
    .sort((a, b) => a - b)
    .map((at, i, all) => (i === 0 ? null : at - all[i - 1]))
    .filter((d) => d !== null)
    .sort((a, b) => a - b);
  const pick = (q) => spacing[Math.min(spacing.length - 1, Math.floor(q * spacing.length))];
  // The page's own timer after the first 5 minutes hidden (intensive
  // throttling's grace period).
  const ticks = (await evaluate('window.__ticks')).filter((at) => at >= hiddenFrom + 5 * 60_000);
  const tickSpacing = ticks.slice(1).map((at, i) => at - ticks[i]).sort((a, b) => a - b);
  // The data channel's minutes (the header's loss row: seven numbers a
  // minute), those wholly after the first 5 minutes hidden: two probes a
  // second unless the page's timers were held to one a minute.
  const [startedAt, lossRow] = await evaluate(`new Promise((resolve) => {
    const open = indexedDB.open('linktriage-watch');
    open.onsuccess = () => {
      const all = open.result.transaction('watches').objectStore('watches').getAll();
      all.onsuccess = () => { const h = all.result.at(-1); resolve([h[0], h[9] ?? []]); };
    };
  })`);
  const lossMinutes = [];
  for (let i = 0; i + 7 <= lossRow.length; i += 7) {
    const [, minute, sent, reached, cameBack] = lossRow.slice(i, i + 7);
    if (startedAt + minute * 60_000 >= hiddenFrom + 5 * 60_000) lossMinutes.push({ sent, reached, cameBack });
  }
  const perMinute = lossMinutes.map((m) => m.sent).sort((a, b) => a - b);
  // A cycle is a sample of each target: as many as one target's samples.
  const cycles = spacing.length + 1;
  Object.assign(result, {
    hidden_minutes: Math.round(hiddenFor / 6_000) / 10,
    visibility_checks: seen.length,
    interval_ms: INTERVAL_S * 1000,
    samples_hidden: spacing.length + 1,
    expected: Math.floor(hiddenFor / (INTERVAL_S * 1000)),
    spacing_ms: { median: pick(0.5), p99: pick(0.99), max: spacing.at(-1), min: spacing[0] },
    loss_channel_after_5_min: {
      minutes: lossMinutes.length,
      probes_per_minute: { median: perMinute[Math.floor(perMinute.length / 2)] ?? null, min: perMinute[0] ?? null },
      lost: lossMinutes.reduce((n, m) => n + m.sent - m.cameBack, 0),
      counted: lossMinutes.filter((m) => m.reached >= 0).length,
    },
    page_timer_after_5_min: { ticks: ticks.length, median_ms: tickSpacing[Math.floor(tickSpacing.length / 2)] ?? null, max_ms: tickSpacing.at(-1) ?? null },
    renderer_cpu_seconds_per_hour: Math.round((cpuSeconds / hiddenFor) * 3_600_000 * 10) / 10,
    bytes_per_cycle: {
      sent: Math.round((bytes.sent - bytesFrom.sent) / cycles),
      received: Math.round((bytes.received - bytesFrom.received) / cycles),
      requests: Math.round(((bytes.requests - bytesFrom.requests) / cycles) * 10) / 10,
    },
  });

  // The browser's record of an 8-hour watch of 8 targets, written in the
  // page's own format (`probes::watch_store`), every 10 s and every 1 s:
  // what IndexedDB holds on disk afterwards.
  for (const everyS of [10, 1]) {
    const usage = await evaluate(`(async () => {
      const before = (await navigator.storage.estimate()).usage;
      const db = await new Promise((resolve) => { const o = indexedDB.open('linktriage-watch'); o.onsuccess = () => resolve(o.result); });
      const start = Date.now() - 8 * 3600e3 - ${everyS} * 1e6;
      const perTx = 5000;
      const total = 8 * 3600 / ${everyS} * 8;
      for (let from = 0; from < total; from += perTx) {
        await new Promise((resolve) => {
          const tx = db.transaction('samples', 'readwrite');
          const store = tx.objectStore('samples');
          for (let i = from; i < Math.min(total, from + perTx); i += 1) {
            const at = start + Math.floor(i / 8) * ${everyS} * 1000 + (i % 8) * 100;
            store.put([at, i % 8, true, 12.5], [start, at, i % 8]);
          }
          tx.oncomplete = resolve;
        });
      }
      db.close();
      await new Promise((r) => setTimeout(r, 2000));
      return [before, (await navigator.storage.estimate()).usage, total];
    })()`);
    result[`storage_8h_every_${everyS}s`] = { samples: usage[2], bytes: usage[1] - usage[0] };
  }
} finally {
  browser.close();
  server.stop();
  await Promise.all(hosts.map((h) => h.close()));
}
console.log(JSON.stringify(result));
