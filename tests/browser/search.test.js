/*
 * search.test.js - the inbox's search box in a real browser, in Uzbek and
 * Russian, at 1280 px and 360 px: a phone typed in a usual writing finds
 * the citizen whose own number it is (shown masked, never the one who
 * wrote that number in a message), and is audited with the number masked;
 * the bot's example in its replies (AR-2025-000001) is found only with the
 * checkbox "include the bot's replies", whose label comes from the
 * interface's catalogue.  Screenshots in build/screenshots/search-*.png.
 */
'use strict';
const { check, eq, sql, startServer, launch, signIn, run, ROOT, SHOTS } = require('./lib');
const fs = require('fs');
const path = require('path');

const EXAMPLE = 'AR-2025-000001';
const strings = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, 'gateway', 'web', 'i18n', lang + '.json'), 'utf8'));

/* Apply the filter form and wait for the page it asked for. */
async function apply(page, q, replies) {
  await page.evaluate(() => { const l = document.getElementById('inbox-list'); if (l) l.dataset.old = '1'; });
  await page.fill('#f-q', q);
  if (replies) await page.check('#f-replies'); else await page.uncheck('#f-replies');
  await page.click('#f-apply');
  const want = new URLSearchParams({ q }).toString();
  await page.waitForFunction(([w, r]) => location.hash.includes(w) && location.hash.includes('replies=1') === r,
    [want, replies], { timeout: 10000 });
  await page.waitForFunction(() => document.querySelector('#inbox-list:not([data-old])') &&
    (document.querySelector('#inbox-list li.conv') || document.querySelector('#main .flash')), null,
  { timeout: 10000 });
}

const ids = (page) => page.$$eval('#inbox-list li.conv', (els) => els.map((e) => e.dataset.id).sort());

run(async (c) => {
  const S = c.s = await startServer();
  const { db, base, say } = S;
  S.staff(['add', 'agent1', '--role', 'agent']);
  await say('+998901234567', 'arizam qayerda', 's1');
  await say('+998907777777', 'akamning raqami 90 123 45 67', 's2');
  await say('+998905550011', 'salom', 's3');
  const a = sql(db, "SELECT id FROM contacts WHERE address = '+998901234567'");
  const b = sql(db, "SELECT id FROM contacts WHERE address = '+998907777777'");
  check(Number(sql(db, `SELECT count(*) FROM messages WHERE contact_id = ${a} AND direction = 'out' ` +
    `AND body LIKE '%${EXAMPLE}%'`)) >= 1, 'the bot replied with its example');

  const browser = c.browser = await launch();
  const runs = [
    ['uz-Latn', 1280, '(90) 123-45-67'], ['uz-Latn', 360, '+998 90 123-45-67'],
    ['ru', 1280, '90 123 45 67'], ['ru', 360, '998901234567'],
  ];
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [lang, width, phone] of runs) {
    const tr = strings(lang);
    const what = `${lang} ${width}px`;
    const { ctx, page } = await signIn(browser, base, 'agent1', { lang, viewport: { width, height: 800 } });
    await page.waitForSelector('#inbox-list li.conv');

    /* the checkbox, labelled from the catalogue, off by default */
    eq((await page.textContent('label:has(#f-replies)')).trim(), tr['f.replies'], `${what}: checkbox label`);
    check(!(await page.isChecked('#f-replies')), `${what}: replies off by default`);
    eq(await page.getAttribute('#f-q', 'placeholder'), tr['f.q_hint'], `${what}: search hint`);

    /* a phone: the citizen whose own number it is, masked */
    await apply(page, phone, false);
    eq(JSON.stringify(await ids(page)), JSON.stringify([a]), `${what}: ${phone} finds its own contact`);
    eq(await page.textContent('#inbox-list li.conv .addr'), '+998 90 *** ** 67', `${what}: phone masked`);
    eq(await page.locator('#inbox-list li.conv .match').count(), 0, `${what}: no match text`);
    const shown = await page.textContent('#main');
    check(!/1234567|123 45 67/.test(shown.replace(phone, '')), `${what}: the number nowhere but the box`);
    check(!(await ids(page)).includes(b), `${what}: not the one who wrote it`);

    /* the bot's example: not a citizen's words; with the checkbox, found */
    await apply(page, EXAMPLE, false);
    eq(await page.locator('#inbox-list li.conv').count(), 0, `${what}: the bot's example without replies`);
    eq((await page.textContent('#main .flash')).trim(), tr['inbox.empty'], `${what}: told nothing matches`);
    await apply(page, EXAMPLE, true);
    eq(JSON.stringify(await ids(page)), JSON.stringify([a]), `${what}: with the bot's replies`);
    check((await page.textContent('#inbox-list li.conv .match')).includes(EXAMPLE), `${what}: the reply shown`);
    check(await page.isChecked('#f-replies'), `${what}: the checkbox stays checked`);

    /* fits the width; the checkbox on screen */
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= width + 1, `${what}: scrollWidth ${wide}`);
    const box = await page.locator('#f-replies').boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= width, `${what}: checkbox within the width`);
    await page.screenshot({ path: path.join(SHOTS, `search-${lang}-${width}.png`), fullPage: true });
    await ctx.close();
  }

  /* each phone search audited on the contact, the number masked */
  const rows = sql(db, "SELECT contact_id, detail FROM audit WHERE username = 'agent1' AND detail LIKE '%by=phone%'")
    .split('\n').filter(Boolean);
  eq(rows.length, runs.length, 'one audit row a phone search');
  check(rows.every((r) => r.startsWith(a + '|') && r.endsWith('by=phone q=+998 90 *** ** 67 found=1')),
    'audited on the contact, masked: ' + rows[0]);
});
