// The `linktriage` command with real files: a good list passes, every bad
// one is refused with the file, the field and what is wrong, and the server
// will not start on one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { runCli, tempFile } from './lab.mjs';

const GOOD = `name = "Practice list"
version = "3"

[[target]]
name = "Probe"
segment = "lan"
url = "/"
kind = "probe"
`;

test('check-config accepts a good list and says what is in it', async () => {
  const file = await tempFile('good.toml', GOOD);
  const { code, stdout } = await runCli(['check-config', file]);
  assert.equal(code, 0);
  assert.match(stdout, /valid: "Practice list" version "3", 1 targets/);
});

const BAD = [
  ['unknown segment', GOOD.replace('"lan"', '"moon"'), /target\[0\]\.segment \(line 6, column 11\): unknown variant `moon`, expected one of `device`, `lan`, `hscn`, `internet`, `supplier`, `identity`, `auto`/],
  ['missing url', GOOD.replace('url = "/"\n', ''), /missing field `url`/],
  ['bad url', GOOD.replace('url = "/"', 'url = "ftp://x"'), /target\[0\]\.url: "ftp:\/\/x" must start with https:\/\/, http:\/\/ or \//],
  ['timeout out of range', GOOD + 'timeout_ms = 99999\n', /target\[0\]\.timeout_ms: 99999 is out of range; use 100 to 5000/],
  ['not TOML at all', '\u0000\u0001 garbage {', /line 1, column \d+:/],
  ['[target] written for [[target]]', GOOD.replace('[[target]]', '[target]'), /target \(line 4, column 1\): invalid type: map, expected a sequence; each target is a table of its own: write \[\[target\]\], with two brackets on each side, above each one/],
  ['a number written with its unit', GOOD + 'timeout_ms = "5 seconds"\n', /target\[0\]\.timeout_ms \(line 9, column 14\): .*; write a whole number without quotes or units \(the field's name gives its unit\), such as timeout_ms = 5000/],
];

for (const [what, text, expected] of BAD) {
  test(`check-config refuses a list with ${what}, naming the file and the field`, async () => {
    const file = await tempFile('bad.toml', text);
    const { code, stderr } = await runCli(['check-config', file]);
    assert.notEqual(code, 0);
    assert.ok(stderr.includes(file), `names the file: ${stderr}`);
    assert.match(stderr, expected);
  });
}

test('check-config warns of a plain-HTTP target, which a page served over HTTPS cannot check', async () => {
  const file = await tempFile('mixed.toml', `${GOOD}
[[target]]
name = "Vantage inside HSCN"
segment = "hscn"
url = "http://vantage.example.nhs.uk:8080/"
kind = "probe"
`);
  const { code, stdout, stderr } = await runCli(['check-config', file]);
  assert.equal(code, 0, 'a valid list: a page served over plain HTTP can check it');
  assert.match(stdout, /valid: "Practice list" version "3", 2 targets/);
  assert.match(stderr, /warning: target\[1\]\.url: "http:\/\/vantage\.example\.nhs\.uk:8080\/" is plain HTTP: a page served over HTTPS cannot check it \(the browser blocks it as mixed content\)/);
  const good = await runCli(['check-config', await tempFile('good.toml', GOOD)]);
  assert.equal(good.stderr, '', 'no warning for a list without one');
});

test('check-config --try asks each target and warns of a host whose answer a browser refuses to read', async () => {
  // Helmet's default: the answer arrives, the browser withholds it.
  const helmet = http.createServer((req, res) => {
    res.writeHead(200, { 'cross-origin-resource-policy': 'same-origin' });
    res.end('ok');
  });
  const open = http.createServer((req, res) => {
    res.writeHead(200, { 'cross-origin-resource-policy': 'cross-origin' });
    res.end('ok');
  });
  const port = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  const [helmetPort, openPort] = [await port(helmet), await port(open)];
  try {
    const file = await tempFile('try.toml', `${GOOD}
[[target]]
name = "Supplier behind Helmet"
segment = "supplier"
url = "http://127.0.0.1:${helmetPort}/"
kind = "reach"

[[target]]
name = "Internet reference"
segment = "internet"
url = "http://127.0.0.1:${openPort}/"
kind = "reach"
`);
    const { code, stdout, stderr } = await runCli(['check-config', file, '--try']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /target\[0\] "Probe": not tried: this server itself/);
    assert.match(stdout, /target\[2\] "Internet reference": answered HTTP 200; a page can read it/);
    assert.match(stderr, /warning: target\[1\] "Supplier behind Helmet" answers with Cross-Origin-Resource-Policy: same-origin and no Access-Control-Allow-Origin, so a browser refuses the page its answer/);
    assert.doesNotMatch(stderr, /Internet reference/);
  } finally {
    helmet.close();
    open.close();
  }
});

test('serve refuses to start on a bad list', async () => {
  const file = await tempFile('bad.toml', GOOD.replace('"probe"', '"prob"'));
  const { code, stderr } = await runCli(['serve', '--listen', '127.0.0.1:0', '--config', file]);
  assert.notEqual(code, 0);
  assert.match(stderr, /^error: \/.*\/bad\.toml: target\[0\]\.kind \(line 8, column 8\): unknown variant `prob`, expected one of `reach`, `probe`, `agent`\n$/);
});

test('a missing file is named', async () => {
  const { code, stderr } = await runCli(['check-config', '/nonexistent/list.toml']);
  assert.notEqual(code, 0);
  assert.match(stderr, /\/nonexistent\/list\.toml: cannot read the configuration/);
});

const GOLDEN = new URL('../crates/linktriage-core/tests/golden/', import.meta.url);
const code = readFileSync(new URL('v1-default-config-lab.code', GOLDEN), 'utf8');
const text = readFileSync(new URL('v1-default-config-lab.txt', GOLDEN), 'utf8');

test('decode prints a pasted report as JSON for ticket tooling', async () => {
  const { code: exit, stdout } = await runCli(['decode'], `Please see:\nCode: ${code}\nThanks`);
  assert.equal(exit, 0);
  const json = JSON.parse(stdout);
  assert.equal(json.format, 'link-triage-reports');
  assert.equal(json.version, 1);
  const [report, ...rest] = json.reports;
  assert.equal(rest.length, 0);
  assert.equal(report.config_name, 'NHS England default');
  assert.equal(report.verdict.findings[0].diagnosis, 'hscn');
});

test('decode --text prints each report as the clinician saw it, from a quoted and re-wrapped thread', async () => {
  const quoted = code.match(/.{1,60}/g).map((l) => `> ${l}`).join('\n');
  const { code: exit, stdout } = await runCli(['decode', '--text'], `On Monday:\n${quoted}\n> bye\n`);
  assert.equal(exit, 0);
  // The text as the clinician saw it, then the code itself.
  assert.equal(stdout, `${text}\nReport code (the IT service desk's Link Triage reads every figure back from it):\n${code}\n\n`);
});

test('decode names a damaged report and still prints the good one', async () => {
  const cut = code.slice(0, 200);
  const { code: exit, stdout, stderr } = await runCli(['decode'], `${cut}\n\n${code}\n`);
  assert.equal(exit, 0);
  assert.equal(JSON.parse(stdout).reports.length, 1);
  assert.match(stderr, /report 1 of 2: the report code is cut off \(its end is missing\): copy the whole report again \(line 1 of the input\)/);
});

test('decode fails plainly when nothing decodes', async () => {
  const nothing = await runCli(['decode'], 'no report here');
  assert.notEqual(nothing.code, 0);
  // The desk view's own words: the command reads pastes as the desk does.
  assert.match(nothing.stderr, /No Link Triage report was found in the paste\. A report ends with its code: the long line under "Report code", starting with LT\./);
  const broken = await runCli(['decode'], code.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /changed on the way \(its checksum does not match\)/);
  assert.match(broken.stderr, /none of the 1 report codes could be read/);
});

test('decode reads a paste saved by Windows PowerShell 5 (UTF-16 with a byte order mark)', async () => {
  const saved = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Ticket 123:\r\n${code}\r\n`, 'utf16le')]);
  const { code: exit, stdout, stderr } = await runCli(['decode', '--text'], saved);
  assert.equal(exit, 0, stderr);
  assert.equal(stdout, `${text}\nReport code (the IT service desk's Link Triage reads every figure back from it):\n${code.trim()}\n\n`);
});

test('decode refuses a paste larger than the desk view reads, with the desk view\'s message', async () => {
  const huge = `${code}\n${'x'.repeat(16 * 1024 * 1024)}`;
  const { code: exit, stdout, stderr } = await runCli(['decode'], huge);
  assert.notEqual(exit, 0);
  assert.equal(stdout, '');
  assert.match(stderr, /The paste is 17 MB, more than the 16 MB this page reads/);
});
