/*
 * lib.js - what every browser test shares: checks that count, a loopback
 * Kannel sendsms peer, the real murojaat binary on a fresh store, Debian's
 * Chromium through playwright-core, and a clean finish (the server stopped
 * by its PID, its log checked for sanitizer reports).
 */
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.MUROJAAT_BIN || path.join(ROOT, 'build', 'san', 'murojaat');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'build', 'screenshots');
const PW = 'browser test password';

const tally = { passed: 0, failed: 0 };
function check(cond, what) {
  if (cond) { tally.passed++; return true; }
  tally.failed++;
  const where = (new Error().stack.split('\n')[2] || '').trim();
  console.log(`FAIL ${what} (${where})`);
  return false;
}
function eq(got, want, what) {
  return check(got === want, `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

function get(port, p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* A loopback Kannel sendsms that records what it is asked to send. */
function sendsmsPeer(port) {
  const got = [];
  const srv = http.createServer((req, res) => {
    got.push(new URL(req.url, 'http://x').searchParams);
    res.writeHead(202, { 'Content-Type': 'text/plain' });
    res.end('0: Accepted for delivery');
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve({ srv, got })));
}

function sql(db, q) {
  return execFileSync('sqlite3', ['-separator', '|', db, q], { encoding: 'utf8' }).trim();
}

/*
 * The server on a fresh store in a temporary folder.  opts.env adds to
 * (or, with a value of null, removes from) the environment; opts.sms false
 * starts no sendsms peer and sets no Kannel URL.  Returns
 * { dir, db, port, env, base, peer, srv, bin, say(from, text, id), staff(args, input) }.
 */
async function startServer(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'murojaat-browser-'));
  const db = path.join(dir, 'murojaat.db');
  const port = await freePort();
  let peer = null;
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MUROJAAT_'))),
    MUROJAAT_PORT: String(port), MUROJAAT_DB: db, MUROJAAT_DEMO_APPS: '500',
    ASAN_OPTIONS: 'detect_leaks=1',
  };
  if (opts.sms !== false) {
    const smsPort = await freePort();
    peer = await sendsmsPeer(smsPort);
    env.MUROJAAT_KANNEL_SENDSMS_URL = `http://127.0.0.1:${smsPort}/cgi-bin/sendsms?username=u&password=p`;
  }
  for (const [k, v] of Object.entries(opts.env || {})) {
    if (v === null) delete env[k]; else env[k] = v;
  }
  fs.writeFileSync(path.join(dir, 'murojaat.conf'), opts.conf || '# browser test\n');
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const srv = spawn(BIN, ['--config', path.join(dir, 'murojaat.conf'), 'serve'].concat(opts.args || []),
    { cwd: dir, env, stdio: ['ignore', log, log] });
  for (let i = 0; i < 600; i++) {
    try { if ((await get(port, '/healthz')).status === 200) break; } catch (e) { /* not yet */ }
    if (srv.exitCode !== null) throw new Error('server exited ' + srv.exitCode);
    await sleep(50);
  }
  const staff = (args, input) => execFileSync(BIN, ['--config', path.join(dir, 'murojaat.conf'), 'staff'].concat(args),
    { input: input === undefined ? PW + '\n' : input, env, cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const say = (from, text, id) => get(port, '/sms/kannel?' + new URLSearchParams({ from, to: '1234', id, text }));
  return { dir, db, port, env, base: `http://127.0.0.1:${port}/`, peer, srv, bin: BIN, say, staff };
}

async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/* A page signed in as user, in UI language lang, at the viewport given. */
async function signIn(browser, base, user, opts = {}) {
  const ctx = await browser.newContext({ viewport: opts.viewport || { width: 1280, height: 860 } });
  const page = await ctx.newPage();
  page.on('dialog', async (d) => { await d.dismiss(); });
  if (opts.lang) await ctx.addInitScript((l) => localStorage.setItem('mj.lang', l), opts.lang);
  await page.goto(base);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', user);
  await page.fill('#login-pass', opts.password || PW);
  await page.click('#login-go');
  await page.waitForSelector('#nav:not([hidden])');
  return { ctx, page };
}

/* Stops what startServer started (by its PID), checks the log, prints the tally, exits. */
async function finish(s, browser) {
  if (browser) await browser.close().catch(() => {});
  if (s) {
    if (s.peer) s.peer.srv.close();
    if (s.srv.exitCode === null) s.srv.kill('SIGTERM');
    await new Promise((r) => { if (s.srv.exitCode !== null) r(); else s.srv.on('exit', r); });
    const text = fs.readFileSync(path.join(s.dir, 'server.log'), 'utf8');
    if (!check(s.srv.exitCode === 0 && !/AddressSanitizer|runtime error:|LeakSanitizer/.test(text),
      'server exited cleanly (' + s.srv.exitCode + ')')) console.log(text.slice(-4000));
    if (!process.env.KEEP_BROWSER) fs.rmSync(s.dir, { recursive: true, force: true });
  }
  console.log(`browser: ${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
}

/* Runs body(); anything it throws is one failure, and finish always runs. */
async function run(body) {
  const ctx = { s: null, browser: null };
  try {
    await body(ctx);
  } catch (e) {
    tally.failed++;
    console.log('FAIL raised: ' + (e && e.stack || e));
  }
  await finish(ctx.s, ctx.browser);
}

module.exports = { ROOT, BIN, CHROMIUM, SHOTS, PW, tally, check, eq, freePort, get, sleep,
  sendsmsPeer, sql, startServer, launch, signIn, finish, run };
