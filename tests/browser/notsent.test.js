/*
 * notsent.test.js - a reply that cannot be sent is never shown as simply
 * queued: with no SMS provider configured, an agent takes a conversation
 * over and replies in the browser; once the outbox has found no provider
 * the conversation shows the reply marked NOT SENT with the reason, in
 * Uzbek at 1280 px and in Russian at 360 px (the mark inside the screen),
 * while the citizen's own message carries no such mark.  Screenshots go to
 * build/screenshots/notsent-*.png.  Ends "N passed, N failed".
 */
'use strict';
const { check, eq, sleep, sql, startServer, launch, signIn, run, SHOTS } = require('./lib');
const fs = require('fs');
const path = require('path');

const PHONE = '+998901234567';
const TEXT = 'Assalomu alaykum, arizangiz ko\'rib chiqilmoqda.';

/* sql(q) until it gives want, at most 15 s. */
async function waitSql(db, q, want) {
  let got = sql(db, q);
  for (let i = 0; i < 150 && got !== want; i++) { await sleep(100); got = sql(db, q); }
  return got;
}

/* The reply's mark in the conversation, as the page shows it. */
async function mark(page, id) {
  const li = page.locator(`.msg[data-id="${id}"]`);
  const m = li.locator('.send-mark.not-sent');
  return {
    count: await m.count(),
    label: await m.locator('.not-sent-label').textContent().catch(() => null),
    why: await m.locator('.why').textContent().catch(() => null),
    reason: await m.getAttribute('data-reason').catch(() => null),
    box: await m.boundingBox().catch(() => null),
    cls: await li.getAttribute('class'),
  };
}

run(async (c) => {
  const S = c.s = await startServer({ sms: false, env: { MUROJAAT_SMS_QUIET_HOURS: '' } });
  const { db, say, base } = S;
  S.staff(['add', 'agent1', '--role', 'agent']);
  await say(PHONE, 'operator bilan gaplashmoqchiman', 'ns1');
  const cid = sql(db, `SELECT id FROM contacts WHERE address = '${PHONE}'`);
  check(/^\d+$/.test(cid), 'the citizen has a conversation');

  const browser = c.browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });

  /* Uzbek, 1280 px: take over and reply */
  const uz = await signIn(browser, base, 'agent1', { lang: 'uz-Latn' });
  await uz.page.goto(base + '#/c/' + cid);
  await uz.page.waitForSelector('#btn-take');
  await uz.page.click('#btn-take');
  await uz.page.waitForSelector('#reply-text:not([disabled])');
  await uz.page.fill('#reply-text', TEXT);
  await uz.page.click('#reply-send');
  await uz.page.waitForSelector('#conv-msg .flash');
  const mid = sql(db, "SELECT id FROM messages WHERE direction = 'out' AND intent = 'manual'");
  check(/^\d+$/.test(mid), 'the reply is stored');
  eq(await waitSql(db, `SELECT state || '|' || reason || '|' || attempts FROM outbox WHERE message_id = ${mid}`),
    'pending|no_provider|0', 'the reply waits for a provider');

  await uz.page.reload();
  await uz.page.waitForSelector(`.msg[data-id="${mid}"]`);
  const a = await mark(uz.page, mid);
  eq(a.count, 1, 'uz: the reply is marked');
  eq(a.label, 'YUBORILMADI', 'uz: NOT SENT');
  eq(a.reason, 'no_provider', 'uz: the reason code');
  check(a.why && a.why.startsWith('SMS provayderi sozlanmagan'), 'uz: the reason in Uzbek: ' + a.why);
  check(/\bnot-sent\b/.test(a.cls), 'uz: the message is outlined as not sent');
  const meta = await uz.page.locator(`.msg[data-id="${mid}"] .meta`).first().textContent();
  check(meta.includes('yetkazish: YUBORILMADI'), 'uz: the state in the meta line: ' + meta);
  check(!meta.includes('queued'), 'uz: no untranslated "queued"');
  eq(await uz.page.locator('.msg.in .send-mark').count(), 0, 'uz: the citizen\'s message has no mark');
  check(a.box && a.box.x >= 0 && a.box.x + a.box.width <= 1280, 'uz: the mark is on the screen');
  await uz.page.screenshot({ path: path.join(SHOTS, 'notsent-uz-1280.png'), fullPage: true });

  /* Russian, 360 px */
  const ru = await signIn(browser, base, 'agent1', { lang: 'ru', viewport: { width: 360, height: 740 } });
  await ru.page.goto(base + '#/c/' + cid);
  await ru.page.waitForSelector(`.msg[data-id="${mid}"]`);
  const b = await mark(ru.page, mid);
  eq(b.count, 1, 'ru: the reply is marked');
  eq(b.label, 'НЕ ОТПРАВЛЕНО', 'ru: NOT SENT');
  check(b.why && b.why.startsWith('SMS-провайдер не настроен'), 'ru: the reason in Russian: ' + b.why);
  check(b.box && b.box.x >= 0 && b.box.x + b.box.width <= 360, 'ru: the mark fits 360 px: ' + JSON.stringify(b.box));
  const overflow = await ru.page.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 360, 'ru: no sideways scrolling at 360 px (' + overflow + ')');
  await ru.page.locator(`.msg[data-id="${mid}"]`).scrollIntoViewIfNeeded();
  await ru.page.screenshot({ path: path.join(SHOTS, 'notsent-ru-360.png'), fullPage: true });

  /* the other two: Uzbek on a phone, Russian on a desktop */
  const WANT = { 'uz-Latn': ['YUBORILMADI', 'SMS provayderi sozlanmagan'], ru: ['НЕ ОТПРАВЛЕНО', 'SMS-провайдер не настроен'] };
  for (const [lang, width] of [['uz-Latn', 360], ['ru', 1280]]) {
    const at = `${lang} ${width}px`;
    const p = await signIn(browser, base, 'agent1', { lang, viewport: { width, height: 800 } });
    await p.page.goto(base + '#/c/' + cid);
    await p.page.waitForSelector(`.msg[data-id="${mid}"]`);
    const m = await mark(p.page, mid);
    eq(m.count, 1, `${at}: the reply is marked`);
    eq(m.label, WANT[lang][0], `${at}: NOT SENT`);
    check(m.why && m.why.startsWith(WANT[lang][1]), `${at}: the reason: ${m.why}`);
    check(m.box && m.box.x >= 0 && m.box.x + m.box.width <= width, `${at}: the mark is on the screen: ${JSON.stringify(m.box)}`);
    const wide = await p.page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= width, `${at}: no sideways scrolling (${wide})`);
    await p.ctx.close();
  }
});
