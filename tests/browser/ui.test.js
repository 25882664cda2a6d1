/*
 * ui.test.js - the help desk speaks the interface's language and fits a
 * phone.  In Uzbek and in Russian, at 1280 and at 360 pixels wide, against
 * the real murojaat binary: no code (status_check, in_review,
 * child_allowance, uz-Latn, audit.view...) shows on the inbox, a
 * conversation, the dashboard or the audit log; the applications table has
 * its headers; times are dd.mm.yyyy HH:MM in Tashkent; a date range typed
 * as dd.mm.yyyy asks the API for yyyy-mm-dd, and a day that does not exist
 * is refused in words; API errors (a reply the API refuses, a page an agent
 * may not see) are sentences of the interface's language.  At 360 pixels:
 * no page scrolls sideways, the header is one short line, controls are at
 * least 40 px high, and chart labels stay inside their chart without
 * touching each other.  Screenshots: build/screenshots/ui-*.png.
 */
'use strict';
const { check, eq, sql, startServer, launch, signIn, run, SHOTS, ROOT } = require('./lib');
const fs = require('fs');
const path = require('path');

const STR = {};
for (const l of ['uz-Latn', 'ru']) STR[l] = JSON.parse(fs.readFileSync(path.join(ROOT, 'gateway/web/i18n', l + '.json'), 'utf8'));

/* Codes that must never show as such (besides anything like word_word). */
const KNOWN = ['uz-Latn', 'uz-Cyrl', 'gsm7', 'ucs2', 'audit.view', 'message.label', 'supervisor', 'telegram',
  'aggregator', 'delivered', 'queued', 'received', 'sync', 'approved', 'pending', 'greeting', 'documents',
  'eligibility', 'dashboard', 'inbox', 'resolved', 'take', 'reply', 'view', 'cli'];

/* Today and tomorrow in Tashkent, as yyyy-mm-dd. */
function tashkentDay(offsetDays) {
  const p = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit' });
  for (const x of f.formatToParts(new Date(Date.now() + offsetDays * 86400000))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}
const dmy = (iso) => iso.slice(8, 10) + '.' + iso.slice(5, 7) + '.' + iso.slice(0, 4);

/* Raw codes in the header and the page (chart texts, option and group labels included). */
function rawCodes(page) {
  return page.evaluate((known) => {
    const extra = [...document.querySelectorAll('#main svg text, #main option, #main optgroup')]
      .map((e) => e.tagName === 'OPTGROUP' ? e.label : e.textContent)
      /* a canned reply: its name is ours; the text after it is the reply itself */
      .map((x) => x.split(' — ')[0]);
    const main = document.getElementById('main').cloneNode(true);
    main.removeAttribute('id');
    for (const o of main.querySelectorAll('option, optgroup')) o.remove();
    document.body.append(main);
    main.hidden = false;
    const text = document.querySelector('header').innerText + '\n' + main.innerText + '\n' + extra.join('\n');
    main.remove();
    const found = text.match(/\b[a-z]+_[a-z_]+\b/g) || [];
    for (const k of known) {
      const esc = k.replace(/[.]/g, '\\.');
      if (new RegExp('(^|[^\\w.\\-])' + esc + '($|[^\\w\\-])').test(text)) found.push(k);
    }
    return found;
  }, KNOWN);
}

/* Visible controls lower than 40 px (tolerance 1 px), as "tag#id: height". */
function smallTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, select, input, textarea, .top nav a, a.back')]
    .filter((e) => e.type !== 'hidden' && e.type !== 'checkbox' && e.offsetParent !== null)
    .map((e) => [e, e.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height < 39)
    .map(([e, r]) => `${e.tagName.toLowerCase()}#${e.id || e.className}: ${r.height.toFixed(1)}`));
}

/* Every chart: its scale, and text labels outside it or overlapping each other. */
function chartProblems(page, sel) {
  return page.evaluate((s) => [...document.querySelectorAll(s)].map((svg) => {
    const r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ s: t.textContent, b: t.getBoundingClientRect() }));
    const bad = [];
    for (const t of texts) {
      if (t.b.left < r.left - 0.5 || t.b.right > r.right + 0.5 || t.b.top < r.top - 0.5 || t.b.bottom > r.bottom + 0.5)
        bad.push('cut: ' + t.s);
    }
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].b, b = texts[j].b;
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        bad.push('overlap: ' + texts[i].s + ' / ' + texts[j].s);
    }
    return { id: svg.id, scale: r.width / vb.width, n: texts.length, bad };
  }), sel);
}

async function narrowChecks(page, what, width) {
  if (width > 400) return;
  const sw = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
  check(sw <= 360, `${what}: no sideways scroll at 360 px (scrollWidth ${sw})`);
  const hh = await page.evaluate(() => document.querySelector('header.top').getBoundingClientRect().height);
  check(hh <= 64, `${what}: header ${hh} px high, at most 64`);
  const small = await smallTargets(page);
  check(small.length === 0, `${what}: controls at least 40 px high: ${small.join(', ')}`);
}

async function noCodes(page, what) {
  const codes = await rawCodes(page);
  check(codes.length === 0, `${what}: no raw codes, found ${JSON.stringify(codes)}`);
}

run(async (c) => {
  const S = c.s = await startServer();
  S.staff(['add', 'sup1', '--role', 'supervisor']);
  S.staff(['add', 'agent1', '--role', 'agent']);
  await S.say('+998901234567', 'arizam holati AR-2025-000001', 'u1');
  await S.say('+998905556677', 'здравствуйте, какие документы нужны', 'u2');
  await S.say('+998903334455', 'qwzx blorp', 'u3');
  await S.say('+998907654321', 'operator bilan gaplashmoqchiman', 'u4');
  const applicant = sql(S.db, "SELECT id FROM contacts WHERE address = '+998901234567'");
  const today = tashkentDay(0), tomorrow = tashkentDay(1);
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = c.browser = await launch();
  let labelled = false;

  for (const lang of ['uz-Latn', 'ru']) {
    const T = STR[lang];
    for (const width of [1280, 360]) {
      const tag = `${lang}-${width}`;
      const { ctx, page } = await signIn(browser, S.base, 'sup1', { lang, viewport: { width, height: width > 400 ? 860 : 740 } });
      const asked = [];
      page.on('request', (r) => { if (r.url().includes('/api/conversations?')) asked.push(new URL(r.url()).searchParams); });

      /* inbox: names, a Tashkent time as dd.mm.yyyy HH:MM */
      await page.waitForSelector('#inbox-list li.conv');
      eq(await page.locator('#inbox-list li.conv').count(), 4, `${tag}: conversations`);
      const times = await page.locator('#inbox-list .time').allTextContents();
      check(times.length === 4 && times.every((x) => /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/.test(x) && x.startsWith(dmy(today))),
        `${tag}: inbox times are dd.mm.yyyy HH:MM of today in Tashkent: ${JSON.stringify(times)}`);
      const badges = await page.locator('#inbox-list .badge.ch').allTextContents();
      check(badges.every((b) => b === T['ch.sms']), `${tag}: channel by its name: ${JSON.stringify(badges)}`);
      const langOpts = await page.locator('#f-lang option').allTextContents();
      check(langOpts.includes(T['lang.uz-Cyrl']), `${tag}: language filter by names`);
      eq(await page.getAttribute('#f-from', 'type'), 'text', `${tag}: the day is typed, not the browser's own picker`);
      eq(await page.getAttribute('#f-from', 'placeholder'), T['date.hint'], `${tag}: the day's pattern shown`);
      await noCodes(page, `${tag} inbox`);
      await narrowChecks(page, `${tag} inbox`, width);
      await page.screenshot({ path: path.join(SHOTS, `ui-inbox-${tag}.png`), fullPage: true });

      /* a range typed as dd.mm.yyyy: the API is asked for yyyy-mm-dd */
      asked.length = 0;
      await page.fill('#f-from', dmy(today));
      await page.fill('#f-to', dmy(today).replace(/^0/, ''));	/* "7.12.2025" is the same day */
      await page.click('#f-apply');
      await page.waitForFunction(() => location.hash.includes('from='));
      await page.waitForSelector('#inbox-list li.conv');
      const q1 = asked.find((p) => p.get('from'));
      check(q1 && q1.get('from') === today && q1.get('to') === today, `${tag}: range asked as ${today}: ${q1 && q1.toString()}`);
      eq(await page.locator('#inbox-list li.conv').count(), 4, `${tag}: today's range holds every conversation`);
      eq(await page.inputValue('#f-from'), dmy(today), `${tag}: the field shows the day as dd.mm.yyyy after the search`);
      asked.length = 0;
      await page.fill('#f-from', dmy(tomorrow));
      await page.fill('#f-to', dmy(tomorrow));
      await page.click('#f-apply');
      await page.waitForFunction((d) => location.hash.includes('from=' + d), tomorrow);
      await page.waitForSelector('#main .flash');
      const q2 = asked.find((p) => p.get('from'));
      check(q2 && q2.get('from') === tomorrow && q2.get('to') === tomorrow, `${tag}: tomorrow asked as ${tomorrow}`);
      eq((await page.textContent('#main .flash')).trim(), T['inbox.empty'], `${tag}: nothing tomorrow`);
      /* a day that does not exist, and "to" before "from": said, and nothing asked */
      asked.length = 0;
      await page.fill('#f-from', '31.02.2025');
      await page.click('#f-apply');
      eq(await page.textContent('#f-from-err'), T['date.bad'], `${tag}: 31.02.2025 refused in words`);
      eq(await page.evaluate(() => document.getElementById('f-from').validity.valid), false, `${tag}: the field is invalid`);
      await page.fill('#f-from', '02.03.2025');
      await page.fill('#f-to', '01.03.2025');
      await page.click('#f-apply');
      eq(await page.textContent('#f-to-err'), T['date.order'], `${tag}: "to" before "from" refused in words`);
      await page.waitForTimeout(300);
      eq(asked.length, 0, `${tag}: no request for a bad range`);
      await narrowChecks(page, `${tag} inbox with errors`, width);

      /* a conversation: names, the applications with headers, dates */
      await page.goto(S.base + '#/c/' + applicant);
      await page.waitForSelector('#messages li.msg');
      await page.waitForSelector('#apps');
      const heads = ['app.number', 'app.programme', 'app.status', 'app.submitted', 'app.decided', 'app.payment', 'app.pinfl'].map((k) => T[k]);
      if (width > 700) {
        eq(JSON.stringify(await page.locator('#apps thead th').allTextContents()), JSON.stringify(heads), `${tag}: application table headers`);
        check(await page.locator('#apps thead th').first().isVisible(), `${tag}: the headers are visible`);
      } else {
        const lbls = await page.locator('#apps tbody tr:first-child td:not(.empty) .lbl').evaluateAll((els) =>
          els.filter((e) => e.offsetParent !== null).map((e) => e.textContent));
        check(lbls.length >= 5 && lbls.every((x) => heads.includes(x)), `${tag}: every value led by its header: ${JSON.stringify(lbls)}`);
      }
      const row = await page.locator('#apps tbody tr').filter({ hasText: 'AR-2025-000001' }).innerText();
      check(row.includes(T['prog.child_allowance']) && row.includes(T['app.st.approved']), `${tag}: programme and status by name: ${row}`);
      check(/\b01\.03\.2025\b/.test(row) && /\b04\.03\.2025\b/.test(row), `${tag}: decided and paid as dd.mm.yyyy: ${row}`);
      const meta = await page.locator('#messages li.msg.in .meta').first().textContent();
      check(meta.includes(T['intent.status_check']) && /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2} /.test(meta), `${tag}: message's intent by name, time as dd.mm.yyyy: ${meta}`);
      await page.waitForSelector('#reply-canned optgroup', { state: 'attached' });
      const canned = await page.locator('#reply-canned option').allTextContents();
      check(canned.some((x) => x.startsWith(T['canned.greeting'] + ' — ')), `${tag}: canned replies by name`);
      if (!labelled) {
        await page.selectOption('#messages li.msg.in .label-select >> nth=0', 'status_check');
        await page.waitForSelector('#messages li.msg.in .label-state:has-text("✓")');
        labelled = true;
      }
      await noCodes(page, `${tag} conversation`);
      await narrowChecks(page, `${tag} conversation`, width);
      await page.screenshot({ path: path.join(SHOTS, `ui-conversation-${tag}.png`), fullPage: true });

      /* an error of the API as a sentence: a reply over 1600 bytes */
      if (await page.locator('#btn-take').count()) {
        await page.click('#btn-take');
        await page.waitForSelector('#btn-release');
      }
      await page.fill('#reply-text', 'ж'.repeat(1000));
      await page.click('#reply-send');
      await page.waitForSelector('#conv-msg .flash');
      const said = (await page.textContent('#conv-msg .flash')).trim();
      eq(said, T['err.bad_text'], `${tag}: a refused reply said in the interface's language`);
      check(!/bytes|bad_text/.test(said), `${tag}: neither the code nor the English message`);

      /* dashboard: names, readable charts, labels apart */
      await page.goto(S.base + '#/dashboard?days=30');
      await page.waitForSelector('#chart-days');
      await page.waitForSelector('#model button');
      const intents = await page.locator('#chart-intents text').allTextContents();
      check(intents.includes(T['intent.status_check']), `${tag}: intents by name in the chart: ${JSON.stringify(intents)}`);
      const langs = await page.locator('#chart-langs text').allTextContents();
      check(langs.includes(T['lang.uz-Latn']) && langs.includes(T['lang.ru']), `${tag}: languages by name: ${JSON.stringify(langs)}`);
      const ticks = await page.locator('#chart-days text').allTextContents();
      check(ticks.includes(dmy(today).slice(0, 5)), `${tag}: the day under its bar as dd.mm: ${JSON.stringify(ticks)}`);
      await noCodes(page, `${tag} dashboard`);
      /* and charts of 30 and 90 busy days, from the same code */
      await page.evaluate(() => {
        const days = [];
        for (let i = 0; i < 90; i++) {
          const d = new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
          for (const ch of ['sms', 'telegram', 'ussd']) days.push({ day: d, channel: ch, in: 100 + i * 7, out: 90 + i, failed: i % 3 });
        }
        const box = document.createElement('div');
        box.className = 'charts';
        box.id = 'test-charts';
        box.append(stackedBars(days.slice(0, 90), (x) => x.in + x.out, '30', 'test-30'),
          stackedBars(days, (x) => x.in + x.out, '90', 'test-90'),
          hBars(['status_check', 'office_location', 'language_change', 'opt_in', 'human_operator', 'eligibility']
            .map((k, i) => ({ key: k, n: 100000 - i * 999 })), 'i', 'test-intents', iname));
        document.getElementById('main').append(box);
      });
      for (const ch of await chartProblems(page, '#main svg.chart')) {
        check(ch.n > 0 && ch.bad.length === 0, `${tag} chart ${ch.id}: ${ch.bad.slice(0, 4).join('; ')}`);
        check(ch.scale > 0.8 && ch.scale < 1.25, `${tag} chart ${ch.id}: drawn at its size (scale ${ch.scale.toFixed(2)})`);
      }
      await narrowChecks(page, `${tag} dashboard`, width);
      await page.evaluate(() => document.getElementById('test-charts').remove());
      await page.screenshot({ path: path.join(SHOTS, `ui-dashboard-${tag}.png`), fullPage: true });

      /* audit log: actions and details by name, times as dd.mm.yyyy HH:MM */
      await page.goto(S.base + '#/audit');
      await page.waitForSelector('#audit tbody tr');
      const audit = await page.textContent('#audit tbody');
      check(audit.includes(T['act.view']) && audit.includes(T['act.message.label']) && audit.includes(T['act.take']),
        `${tag}: audit actions by name`);
      check(audit.includes(T['ad.intent'] + ': ' + T['intent.status_check']), `${tag}: the label's intent by name in the detail`);
      const when = await page.locator('#audit tbody tr:first-child td:first-child').innerText();
      check(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/.test(when.trim()), `${tag}: audit time dd.mm.yyyy HH:MM: ${when}`);
      await noCodes(page, `${tag} audit`);
      await narrowChecks(page, `${tag} audit`, width);
      await page.screenshot({ path: path.join(SHOTS, `ui-audit-${tag}.png`), fullPage: true });
      /* the audit log's days typed as dd.mm.yyyy */
      const auditAsked = [];
      page.on('request', (r) => { if (r.url().includes('/api/audit?')) auditAsked.push(new URL(r.url()).searchParams); });
      await page.fill('#a-from', dmy(today));
      await page.fill('#a-to', dmy(today));
      await page.click('#a-apply');
      await page.waitForFunction(() => location.hash.includes('from='));
      await page.waitForSelector('#audit tbody tr');
      const qa = auditAsked.find((x) => x.get('from'));
      check(qa && qa.get('from') === today && qa.get('to') === today, `${tag}: audit range asked as ${today}: ${qa && qa.toString()}`);
      await page.fill('#a-from', dmy(tomorrow));
      await page.fill('#a-to', dmy(tomorrow));
      await page.click('#a-apply');
      await page.waitForFunction((d) => location.hash.includes('from=' + d), tomorrow);
      await page.waitForSelector('#main .flash');
      eq((await page.textContent('#main .flash')).trim(), T['a.empty'], `${tag}: no actions tomorrow`);
      eq(await page.locator('#audit tbody tr').count(), 0, `${tag}: no audit rows tomorrow`);
      /* a day the API refuses (a hand-made address): its 400 bad_date in words */
      await page.goto(S.base + '#/audit?from=2025-02-31');
      await page.waitForSelector('#main .flash.bad');
      eq((await page.textContent('#main .flash.bad')).trim(), T['err.bad_date'], `${tag}: the API's bad_date in the interface's language`);
      await noCodes(page, `${tag} audit with a range`);
      await narrowChecks(page, `${tag} audit with a range`, width);
      await ctx.close();

      /* an agent may not read the audit log: said in the interface's language */
      const ag = await signIn(browser, S.base, 'agent1', { lang, viewport: { width, height: 740 } });
      await ag.page.goto(S.base + '#/audit');
      await ag.page.waitForSelector('#main .flash.bad');
      const refused = (await ag.page.textContent('#main .flash.bad')).trim();
      eq(refused, T['err.forbidden'], `${tag}: a forbidden page said in the interface's language`);
      check(!/supervisors|forbidden/.test(refused), `${tag}: not the API's English`);
      eq(await ag.page.isVisible('#nav-audit'), false, `${tag}: no audit link for agents`);
      await noCodes(ag.page, `${tag} agent`);
      await narrowChecks(ag.page, `${tag} agent's refusal`, width);
      await ag.ctx.close();
    }
  }
});
