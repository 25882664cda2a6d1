/*
 * dash.test.js - the dashboard over a year: a store with messages on every
 * day of the last 365 (written behind the server's back, so the server's
 * roll-up takes them up on the next request) and today's through Kannel's
 * webhook; GET /api/dashboard?days=365 checked against the messages
 * themselves, then the page for 365 days in Uzbek and Russian, at 1280 and
 * 360 px: every tile, every bar of the charts and the list of texts not
 * understood show the API's numbers, and nothing is wider than the screen.
 * Ends "N passed, N failed".
 */
'use strict';
const { check, eq, sql, startServer, launch, signIn, run, SHOTS, ROOT } = require('./lib');
const fs = require('fs');
const path = require('path');

const DAY = 86400;

/*
 * A year of messages in time order, two days of each week quiet: each
 * citizen's message (ids 2k + 1) answered by the bot or now and then by an
 * agent (2k + 2); delivery failures, SMS in segments, USSD sessions, texts
 * not understood.  busy_timeout: the server's indexer may hold the lock.
 */
function fillYear(db) {
  const now = Math.floor(Date.now() / 1000);
  const start = Math.floor((now + 18000) / DAY) * DAY - 18000 - 364 * DAY;
  sql(db, `PRAGMA busy_timeout = 10000; INSERT INTO contacts (channel, address, created_at, updated_at)
    SELECT CASE value % 4 WHEN 0 THEN 'sms' WHEN 1 THEN 'telegram' WHEN 2 THEN 'ussd' ELSE 'aggregator' END,
      '+9989170' || printf('%05d', value), 0, 0
    FROM (WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < 60) SELECT value FROM s)`);
  /* 6 a day, at hours that include both sides of midnight */
  sql(db, `PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE;
    CREATE TEMP TABLE k AS WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 365 * 6 - 1)
      SELECT k, k / 6 AS d, (SELECT id FROM contacts WHERE address = '+9989170' || printf('%05d', 1 + k % 60)) AS c,
        ${start} + (k / 6) * ${DAY} + CASE k % 6 WHEN 0 THEN 0 WHEN 5 THEN ${DAY - 1} ELSE (k % 6) * 9000 END AS at
      FROM s WHERE (k / 6) % 7 NOT IN (5, 6) OR k / 6 = 364;
    INSERT INTO messages (id, contact_id, direction, channel, channel_msg_id, req, body, lang, intent, delivery,
      created_at, review)
    SELECT 2 * k + 1, c, 'in', (SELECT channel FROM contacts WHERE id = c),
      CASE WHEN (SELECT channel FROM contacts WHERE id = c) = 'ussd' THEN 'at/S' || (k / 12) || '/' || printf('%016x', k) END,
      'y' || k, CASE WHEN k % 7 = 3 THEN 'qwzx ' || (k % 5) ELSE 'arizam holati' END,
      CASE k % 3 WHEN 0 THEN 'uz-Latn' WHEN 1 THEN 'ru' ELSE 'uz-Cyrl' END,
      CASE WHEN k % 7 = 3 THEN 'unknown' WHEN k % 11 = 0 THEN 'human_operator' ELSE 'status_check' END,
      'received', at, k % 7 = 3
    FROM k;
    INSERT INTO messages (id, contact_id, direction, channel, req, reply_to, body, lang, intent, delivery,
      segments, created_at)
    SELECT 2 * k + 2, c, 'out', (SELECT channel FROM contacts WHERE id = c), 'y' || k,
      CASE WHEN k % 9 = 0 THEN NULL ELSE 2 * k + 1 END, 'javob', 'uz-Latn',
      CASE WHEN k % 9 = 0 THEN 'manual' ELSE 'status_check' END,
      CASE WHEN k % 13 = 0 THEN 'failed' WHEN (SELECT channel FROM contacts WHERE id = c) = 'sms' THEN 'sync'
        ELSE 'sent' END,
      CASE WHEN (SELECT channel FROM contacts WHERE id = c) IN ('sms', 'aggregator') THEN 1 + k % 2 END,
      at + CASE WHEN k % 9 = 0 THEN 600 + k % 3000 ELSE k % 3 END
    FROM k;
    COMMIT`);
}

run(async (c) => {
  const S = c.s = await startServer();
  const { db, say } = S;
  S.staff(['add', 'sup1', '--role', 'supervisor']);
  fillYear(db);
  /* today through the webhook: the group commit's roll-up */
  await say('+998901112233', 'salom', 'd0');
  await say('+998905556677', 'qwzx 1', 'd1');
  await say('+998905556677', 'qwzx 1', 'd2');
  const browser = c.browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });

  let api = null;
  for (const lang of ['uz-Latn', 'ru']) {
    for (const width of [1280, 360]) {
      const what = `${lang} ${width}px`;
      const { ctx, page } = await signIn(browser, S.base, 'sup1', { lang, viewport: { width, height: 900 } });
      const r = await page.evaluate(async () => {
        const res = await fetch('/api/dashboard?days=365');
        return { status: res.status, data: await res.json() };
      });
      eq(r.status, 200, `${what}: the API answers`);
      const d = r.data;
      if (api === null) {
        api = d;
        /* the API against the messages themselves */
        const from = d.from, to = d.to;
        eq(to - from, 365 * DAY, 'a range of 365 days');
        eq(d.inbound, Number(sql(db, `SELECT count(*) FROM messages WHERE direction = 'in' AND created_at >= ${from} AND created_at < ${to}`)), 'inbound as in the store');
        eq(d.unknown, Number(sql(db, `SELECT count(*) FROM messages WHERE direction = 'in' AND intent = 'unknown' AND created_at >= ${from} AND created_at < ${to}`)), 'not understood as in the store');
        eq(d.segments_sent, Number(sql(db, `SELECT sum(segments) FROM messages WHERE direction = 'out' AND delivery IN ('sent', 'delivered', 'sync') AND created_at >= ${from} AND created_at < ${to}`)), 'SMS segments as in the store');
        eq(d.failed, Number(sql(db, `SELECT count(*) FROM messages WHERE delivery = 'failed' AND created_at >= ${from} AND created_at < ${to}`)), 'failures as in the store');
        eq(d.ussd_sessions, Number(sql(db, `SELECT count(DISTINCT substr(channel_msg_id, 1, length(channel_msg_id) - 17)) FROM messages WHERE channel = 'ussd' AND direction = 'in' AND channel_msg_id IS NOT NULL AND created_at >= ${from} AND created_at < ${to}`)), 'USSD sessions as in the store');
        eq(new Set(d.days.map((x) => x.day)).size, Number(sql(db, `SELECT count(DISTINCT date(created_at + 18000, 'unixepoch')) FROM messages WHERE created_at >= ${from} AND created_at < ${to}`)), 'days as in the store');
        check(d.days.length > 250 && d.ussd_sessions > 10 && d.reply_median_s.agent > 0, 'a year of data: ' + d.days.length + ' day rows');
        eq(Number(sql(db, "SELECT last_id FROM index_state WHERE name = 'dash'")), Number(sql(db, 'SELECT max(id) FROM messages')), 'the roll-up took everything up');
      } else {
        eq(JSON.stringify(d.days), JSON.stringify(api.days), `${what}: the same answer again`);
      }

      await page.goto(S.base + '#/dashboard?days=365');
      await page.waitForSelector('#chart-days rect');
      eq(await page.inputValue('#d-days'), '365', `${what}: 365 days chosen`);
      const tile = async (id) => (await page.textContent(`#${id} .v`)).trim();
      eq(await tile('d-unknown-rate'), (d.unknown_rate * 100).toFixed(1) + '%', `${what}: not-understood rate`);
      eq(await tile('d-segments'), String(d.segments_sent), `${what}: SMS segments`);
      eq(await tile('d-failed'), String(d.failed), `${what}: failures`);
      eq(await tile('d-ussd'), String(d.ussd_sessions), `${what}: USSD sessions`);
      check((await tile('d-median-bot')).startsWith(String(Math.round(d.reply_median_s.bot))), `${what}: bot's median`);
      check((await tile('d-median-agent')).startsWith(String(d.reply_median_s.agent < 90 ? Math.round(d.reply_median_s.agent) : Math.round(d.reply_median_s.agent / 60))), `${what}: agents' median`);
      if (lang === 'ru') check(/(с|мин)$/.test(await tile('d-median-agent')), `${what}: the unit in Russian`);

      /* each bar: "day channel: value", all of the API's and no other */
      const bars = async (id) => (await page.$$eval(`#${id} rect title`, (ts) => ts.map((t) => t.textContent))).sort();
      /* as the page names them: dd.mm.yyyy, channels by their names */
      const T = JSON.parse(fs.readFileSync(path.join(ROOT, 'gateway', 'web', 'i18n', lang + '.json'), 'utf8'));
      const named = (kind, k) => (k ? T[kind + '.' + k] || k : '—');
      const dmy = (iso) => iso.split('-').reverse().join('.');
      const want = (f) => d.days.filter((x) => f(x) > 0).map((x) => `${dmy(x.day)} ${named('ch', x.channel)}: ${f(x)}`).sort();
      eq(JSON.stringify(await bars('chart-days')), JSON.stringify(want((x) => x.in + x.out)), `${what}: messages per day`);
      eq(JSON.stringify(await bars('chart-failed')), JSON.stringify(want((x) => x.failed)), `${what}: failures per day`);
      const inside = await page.$eval('#chart-days', (svg) => {
        const w = svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('rect')].every((r) => Number(r.getAttribute('x')) + Number(r.getAttribute('width')) <= w);
      });
      check(inside, `${what}: every day's bar inside the chart`);
      /* horizontal bars: name, then the number */
      const pairs = async (id) => page.$$eval(`#${id} text`, (ts) => {
        const out = [];
        for (let i = 0; i + 1 < ts.length; i += 2) out.push(ts[i].textContent + '=' + ts[i + 1].textContent);
        return out;
      });
      eq(JSON.stringify(await pairs('chart-intents')), JSON.stringify(d.intents.map((x) => named('intent', x.key) + '=' + x.n)), `${what}: intents`);
      eq(JSON.stringify(await pairs('chart-langs')), JSON.stringify(d.langs.map((x) => named('lang', x.key) + '=' + x.n)), `${what}: languages`);
      /* the texts not understood, with their counts, and how many to label */
      const top = await page.$$eval('#top-unknown li', (ls) => ls.map((l) => l.querySelector('.q').textContent + '=' + l.textContent.match(/— (\d+)/)[1]));
      eq(JSON.stringify(top), JSON.stringify(d.unknown_top.map((u) => u.text + '=' + u.n)), `${what}: texts not understood`);
      check(d.unknown_top.length >= 5, `${what}: the list is not empty`);
      check((await page.textContent('section:has(#top-unknown) h2')).includes(`${d.review}`), `${what}: the number to label`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      check(wide <= width + 1, `${what}: fits the screen (scrollWidth ${wide})`);
      await page.screenshot({ path: path.join(SHOTS, `dashboard-365-${lang}-${width}.png`), fullPage: true });
      await ctx.close();
    }
  }
});
