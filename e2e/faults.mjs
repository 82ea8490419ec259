// Loopback fakes that reproduce real network faults for the tests: a proxy in
// front of the real server that can delay, inject headers, alter content,
// break WebSockets or shift the server's clock; a blackhole that accepts and
// never answers; a closed port; a host that answers with a chosen status.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import net from 'node:net';

/** Listens on `host` port 0; resolves with the server and its port. */
function listen(server, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server.address().port));
  });
}

function closer(server, sockets) {
  return () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function tracked(server) {
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A proxy on `host` in front of `upstream` (http://127.0.0.1:PORT).
 * faults: { delayMs, injectHeaders: {name: value}, alterPayload, breakWebSocket,
 *          shiftClockMs, failEveryOtherPing }
 */
export async function startProxy(upstream, host, faults = {}) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  let pings = 0;
  const server = http.createServer(async (req, res) => {
    if (faults.delayMs) await sleep(faults.delayMs);
    // A flapping path: every other round trip fails as a proxy reports a
    // lost upstream. (Dropping the connection would not show: Chromium
    // quietly retries an idempotent request on a reused connection.)
    if (faults.failEveryOtherPing && req.url.startsWith('/api/ping') && pings++ % 2 === 1) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream connection lost\n');
      return;
    }
    const headers = { ...req.headers, ...(faults.injectHeaders ?? {}) };
    const rewrite =
      (faults.alterPayload && req.url.startsWith('/api/payload')) ||
      (faults.shiftClockMs && req.url.startsWith('/api/whoami'));
    const upstreamRequest = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent },
      (upstreamResponse) => {
        if (!rewrite) {
          res.writeHead(upstreamResponse.statusCode, upstreamResponse.headers);
          upstreamResponse.pipe(res);
          return;
        }
        const chunks = [];
        upstreamResponse.on('data', (c) => chunks.push(c));
        upstreamResponse.on('end', () => {
          let out = Buffer.concat(chunks);
          if (faults.alterPayload) {
            // What a "web shield" does: inject a script into the page.
            const page = out.toString('utf8').replace('<head>', '<head><script src="https://shield.invalid/inject.js"></script>');
            out = Buffer.from(page, 'utf8');
          }
          if (faults.shiftClockMs) out = shiftServerClock(out, upstreamResponse.headers['content-type'], faults.shiftClockMs);
          res.writeHead(upstreamResponse.statusCode, { ...upstreamResponse.headers, 'content-length': out.length });
          res.end(out);
        });
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    req.pipe(upstreamRequest);
  });
  server.on('upgrade', (req, socket, head) => {
    if (faults.breakWebSocket) {
      // A proxy that does not speak WebSocket: it answers the upgrade with a
      // plain error, as many filtering proxies do.
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    const upstreamSocket = net.connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstreamSocket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('error', () => upstreamSocket.destroy());
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, port, close: closer(server, sockets) };
}

/** Accepts connections and never answers: a dead route that does not say so. */
export async function startBlackhole(host) {
  const server = net.createServer(() => {});
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, port, close: closer(server, sockets) };
}

/** A port on `host` that nothing listens on: connections are refused. */
export async function closedPort(host) {
  const server = net.createServer();
  const port = await listen(server, host);
  await new Promise((r) => server.close(r));
  return { url: `http://${host}:${port}`, port };
}

/**
 * Answers every request with `status` (after `delayMs`), allowing CORS so the
 * status is visible to the page.
 */
export async function startStatusHost(host, status, { delayMs = 0, cors = true } = {}) {
  const server = http.createServer(async (req, res) => {
    if (delayMs) await sleep(delayMs);
    const headers = { 'content-type': 'text/plain' };
    if (cors) headers['access-control-allow-origin'] = '*';
    res.writeHead(status, headers);
    res.end(`status ${status}\n`);
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { url: `http://${host}:${port}`, port, close: closer(server, sockets) };
}

/**
 * A host that can be cut off and brought back while a test runs: it answers
 * 200 (CORS allowed) until `refuse()`, then resets every connection it is
 * given, as a link cut by a firewall or a security product does, until
 * `answer()`. `switches` records when each change was made (ms since the epoch).
 */
export async function startSwitchableHost(host) {
  let refusing = false;
  const switches = [];
  const server = http.createServer((req, res) => {
    if (refusing) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' });
    res.end('up\n');
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return {
    url: `http://${host}:${port}`,
    address: `${host}:${port}`,
    port,
    switches,
    refuse() {
      refusing = true;
      switches.push({ refusing, at: Date.now() });
      // Connections kept alive from before are cut too.
      for (const socket of sockets) socket.destroy();
    },
    answer() {
      refusing = false;
      switches.push({ refusing, at: Date.now() });
    },
    close: closer(server, sockets),
  };
}

/** A free port on `host`, for a server whose own address must be known in advance. */
export async function freePort(host = '127.0.0.1') {
  return (await closedPort(host)).port;
}

/**
 * A self-signed certificate for `hostName`, made with openssl in `dir`.
 * Resolves with its key and certificate (PEM) and the base64 SHA-256 of its
 * public key, which Chromium's --ignore-certificate-errors-spki-list trusts.
 */
export function makeCertificate(dir, name, hostName) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${hostName}`, '-addext', `subjectAltName=DNS:${hostName}`,
  ], { stdio: 'ignore' });
  const pem = { key: readFileSync(key), cert: readFileSync(cert) };
  const spki = new crypto.X509Certificate(pem.cert).publicKey.export({ type: 'spki', format: 'der' });
  return { ...pem, spki: crypto.createHash('sha256').update(spki).digest('base64') };
}

/** An HTTPS host answering 200 (CORS allowed) with the given certificate. */
export async function startTlsHost(host, certificate) {
  const server = https.createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { address: `${host}:${port}`, port, close: closer(server, sockets) };
}

// A server whose clock is off: whoami's `server_time_ms` moved by `shiftMs`,
// in JSON or in the compact form the app reads (postcard), where it is the
// last field: an f64 in the final 8 bytes, little-endian.
function shiftServerClock(body, contentType, shiftMs) {
  if (contentType === 'application/x-postcard') {
    const out = Buffer.from(body);
    const at = out.length - 8;
    out.writeDoubleLE(out.readDoubleLE(at) + shiftMs, at);
    return out;
  }
  const who = JSON.parse(body.toString('utf8'));
  who.server_time_ms += shiftMs;
  return Buffer.from(JSON.stringify(who), 'utf8');
}

/**
 * A TCP relay on an address of its own to the server on `upstreamPort`: the
 * page's address stays the relay's while the server behind it is stopped
 * (`down()`: every connection reset, as a stopped server refuses them;
 * `up()` again) or replaced (`to(port)`), so that no other server can take
 * the address meanwhile. `bytes` counts what passed each way.
 */
export async function startRelay(upstreamPort, host = '127.0.0.1') {
  let upstream = upstreamPort;
  let answering = true;
  const bytes = { toBrowser: 0, toServer: 0 };
  const relayed = new Set();
  const cutAll = () => {
    for (const s of relayed) s.destroy();
  };
  const server = net.createServer((browserSide) => {
    if (!answering) {
      browserSide.resetAndDestroy();
      return;
    }
    const serverSide = net.connect(upstream, '127.0.0.1');
    for (const s of [browserSide, serverSide]) {
      relayed.add(s);
      s.on('close', () => relayed.delete(s));
      s.on('error', () => {});
    }
    browserSide.on('data', (b) => { bytes.toServer += b.length; });
    serverSide.on('data', (b) => { bytes.toBrowser += b.length; });
    browserSide.pipe(serverSide);
    serverSide.pipe(browserSide);
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return {
    port,
    url: `http://${host}:${port}/`,
    bytes,
    down() {
      answering = false;
      cutAll();
    },
    up() {
      answering = true;
    },
    /** New connections go to `port`; those open end with their server. */
    to(port) {
      upstream = port;
    },
    close: closer(server, sockets),
  };
}

/**
 * A slow line in front of the server on `upstreamPort`: a TCP relay on an
 * address of its own whose connections share one queue each way, drained
 * at `rateMbit`. With no `queueBytes` the buffer is deep (bufferbloat): it
 * takes whatever either end sends at once, so a transfer fills the queue
 * and every other connection's bytes (a round trip's answer) wait behind
 * it. With `queueBytes` it is a well-kept line: a sender whose bytes would
 * take the queue past that waits (TCP's own flow control), and the others'
 * bytes wait behind no more than it.
 */
export async function startQueuedLine(upstreamPort, host, { rateMbit, queueBytes = Infinity }) {
  const bytesPerMs = (rateMbit * 1e6) / 8 / 1000;
  // One direction of the line: the shared queue of [socket, chunk] (a null
  // chunk ends the socket), sent on as a token bucket allows, and what each
  // sender has that the queue has no room for yet (its own buffer: that
  // sender is paused meanwhile).
  const direction = () => {
    const queue = [];
    let queued = 0;
    const held = new Map();
    let credit = 0;
    let last = performance.now();
    let timer = null;
    // Into the queue, a piece from each sender in turn (the one that has
    // waited longest first), while there is room.
    const admit = () => {
      while (queued < queueBytes && held.size > 0) {
        const [from, waiting] = held.entries().next().value;
        held.delete(from);
        const chunk = waiting.chunks.shift();
        if (chunk === null) {
          queue.push([waiting.to, null]);
        } else {
          const n = Math.min(chunk.length, queueBytes - queued);
          queue.push([waiting.to, chunk.subarray(0, n)]);
          queued += n;
          if (n < chunk.length) waiting.chunks.unshift(chunk.subarray(n));
        }
        if (waiting.chunks.length > 0) held.set(from, waiting);
        else from.resume();
      }
    };
    const drain = () => {
      const now = performance.now();
      // A line idle for a while sends its next 16 KB at once, no more.
      credit = Math.min(credit + (now - last) * bytesPerMs, 16 * 1024);
      last = now;
      while (queue.length && credit > 0) {
        const [to, chunk] = queue[0];
        if (chunk === null) {
          to.end();
          queue.shift();
          continue;
        }
        const n = Math.min(chunk.length, Math.ceil(credit));
        if (!to.destroyed) to.write(chunk.subarray(0, n));
        credit -= n;
        queued -= n;
        if (n === chunk.length) queue.shift();
        else queue[0][1] = chunk.subarray(n);
      }
      admit();
      timer = queue.length ? setTimeout(drain, 2) : null;
    };
    return (from, to, chunk) => {
      if (!held.has(from)) held.set(from, { to, chunks: [] });
      held.get(from).chunks.push(chunk);
      from.pause();
      admit();
      if (!timer) drain();
    };
  };
  const toServer = direction();
  const toBrowser = direction();
  const server = net.createServer((browserSide) => {
    const serverSide = net.connect(upstreamPort, '127.0.0.1');
    for (const [from, to, line] of [
      [browserSide, serverSide, toServer],
      [serverSide, browserSide, toBrowser],
    ]) {
      from.on('data', (chunk) => line(from, to, chunk));
      from.on('end', () => line(from, to, null));
      from.on('error', () => to.destroy());
    }
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { port, url: `http://${host}:${port}/`, close: closer(server, sockets) };
}

/**
 * A host that cuts kept-alive connections as security software on a path
 * does: it answers 200 (CORS and timing allowed) but, of the requests that
 * come on a connection it has answered before, resets the connection
 * unanswered on every `cutEvery`-th (1: every request after a connection's
 * first; 0: never, a healthy host that keeps its connections open).
 * `cuts.made` counts the connections it cut.
 */
export async function startCuttingHost(host, { cutEvery = 0 } = {}) {
  const cuts = { made: 0 };
  const answered = new WeakMap();
  let keptAlive = 0;
  const server = http.createServer((req, res) => {
    const before = answered.get(req.socket) ?? 0;
    if (before > 0 && cutEvery > 0 && ++keptAlive % cutEvery === 0) {
      cuts.made += 1;
      req.socket.resetAndDestroy();
      return;
    }
    answered.set(req.socket, before + 1);
    res.writeHead(200, {
      'access-control-allow-origin': '*',
      'timing-allow-origin': '*',
      'content-type': 'text/plain',
    });
    res.end('ok\n');
  });
  // Kept open well beyond a run: only the cuts end a connection.
  server.keepAliveTimeout = 120_000;
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { address: `${host}:${port}`, url: `http://${host}:${port}`, port, cuts, close: closer(server, sockets) };
}

/**
 * An HTTPS host with the given certificate that, of every request it
 * receives (on any connection, with keep-alive), closes the connection
 * unanswered on every `closeEvery`-th (0: never): the fault this product was
 * born from, as security software in front of a supplier does it. With
 * `corsAndTiming` it sends Access-Control-Allow-Origin and
 * Timing-Allow-Origin; without, neither, as most real hosts do.
 * `closes.made` counts the requests it closed on.
 */
export async function startClosingTlsHost(host, certificate, { closeEvery = 0, corsAndTiming = true } = {}) {
  const closes = { made: 0 };
  let received = 0;
  const server = https.createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    if (closeEvery > 0 && ++received % closeEvery === 0) {
      closes.made += 1;
      req.socket.destroy();
      return;
    }
    const headers = { 'content-type': 'text/plain' };
    if (corsAndTiming) Object.assign(headers, { 'access-control-allow-origin': '*', 'timing-allow-origin': '*' });
    res.writeHead(200, headers);
    res.end('ok\n');
  });
  server.keepAliveTimeout = 120_000;
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { address: `${host}:${port}`, port, closes, close: closer(server, sockets) };
}

/**
 * A TCP relay on `host` to the server on `upstreamPort`, one server
 * connection for each of the browser's (so the server's connection numbers
 * are the browser's), that resets a browser's connection on every
 * `cutEvery`-th request sent on it after its first, before passing it on:
 * what a security product on the path does, hidden from the page by the
 * browser's quiet retry.
 */
export async function startCuttingRelay(upstreamPort, host, { cutEvery }) {
  const cuts = { made: 0 };
  let keptAlive = 0;
  const startsARequest = (chunk) => /^(GET|POST|HEAD|OPTIONS|PUT|DELETE) \//.test(chunk.subarray(0, 8).toString('latin1'));
  const server = net.createServer((browserSide) => {
    const serverSide = net.connect(upstreamPort, '127.0.0.1');
    let requests = 0;
    let upgraded = false;
    for (const s of [browserSide, serverSide]) s.on('error', () => {});
    browserSide.on('close', () => serverSide.destroy());
    serverSide.on('close', () => browserSide.destroy());
    browserSide.on('data', (chunk) => {
      if (!upgraded && startsARequest(chunk)) {
        requests += 1;
        // A WebSocket's frames are not requests.
        upgraded = /\r\nupgrade: websocket/i.test(chunk.toString('latin1'));
        if (requests > 1 && ++keptAlive % cutEvery === 0) {
          cuts.made += 1;
          browserSide.resetAndDestroy();
          serverSide.destroy();
          return;
        }
      }
      serverSide.write(chunk);
    });
    serverSide.pipe(browserSide);
  });
  const sockets = tracked(server);
  const port = await listen(server, host);
  return { port, url: `http://${host}:${port}/`, cuts, close: closer(server, sockets) };
}
