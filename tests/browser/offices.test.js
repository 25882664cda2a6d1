/*
 * offices.test.js - the help desk's Inson centres page in a real browser,
 * in Uzbek and Russian at 1280 and 360 px: an admin sees the 13 Khorezm
 * centres with the answer citizens get, a wrong phone is refused in the
 * page's language with the field marked, a correction is saved, the next
 * SMS answer carries it and the audit log has it; an agent has no such
 * page.  Screenshots in build/screenshots/offices-*.png.
 */
'use strict';
const { check, eq, sql, launch, signIn, run, startServer, SHOTS, ROOT } = require('./lib');
const fs = require('fs');
const path = require('path');

const strings = (lang) => JSON.parse(fs.readFileSync(path.join(ROOT, 'gateway', 'web', 'i18n', lang + '.json'), 'utf8'));

/* What each run corrects: a district, and what citizens of it write. */
const EDITS = {
  'uz-Latn': { district: 'xiva_sh', ask: 'Xiva', phone: '+998 62 375 11 22', want: '+998623751122',
    landmark: 'Ota darvoza roʻparasida', sms: "Ota darvoza ro'parasida" },
  ru: { district: 'gurlan', ask: 'где центр инсон в Гурлене', phone: '+998 (62) 453-10-20', want: '+998624531020',
    landmark: 'напротив хокимията', sms: 'напротив хокимията' },
};

run(async (c) => {
  const S = c.s = await startServer();
  S.staff(['add', 'admin1', '--role', 'admin']);
  S.staff(['add', 'agent1', '--role', 'agent']);
  const browser = c.browser = await launch();
  fs.mkdirSync(SHOTS, { recursive: true });

  for (const lang of ['uz-Latn', 'ru']) {
    const T = strings(lang);
    for (const width of [1280, 360]) {
      const what = `${lang} ${width}px`;
      const { ctx, page } = await signIn(browser, S.base, 'admin1', { lang, viewport: { width, height: 860 } });
      check(await page.isVisible('#nav-offices'), `${what}: the admin sees ${T['nav.offices']}`);
      eq(await page.textContent('#nav-offices'), T['nav.offices'], `${what}: the link in the page's language`);
      await page.click('#nav-offices');
      await page.waitForSelector('#offices li.office');
      eq(await page.textContent('main h1'), T['of.title'], `${what}: title`);
      eq(await page.locator('#offices li.office').count(), 13, `${what}: every Khorezm centre`);
      const card = page.locator('#offices li.office[data-district="xiva_sh"]');
      const reply = await card.locator('.office-reply').textContent();
      check(reply.startsWith(lang === 'ru' ? 'Центр Инсон, г. Хива' : 'Inson markazi, Xiva shahri'), `${what}: the reply in ${lang}: ${reply}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `${what}: no sideways scrolling (${overflow}px)`);
      const hours = (await page.locator('#offices li.office[data-district="xonqa"] .office-view dd').nth(3).textContent()).trim();
      eq(hours, `${T['wd.1']}–${T['wd.5']} 09:00–18:00`, `${what}: days by their names`);

      if (width === (lang === 'ru' ? 360 : 1280)) {
        const e = EDITS[lang];
        const item = page.locator(`#offices li.office[data-district="${e.district}"]`);
        await item.locator('.office-edit').click();
        const id = (n) => `#of-${e.district}-${n}`;
        await page.waitForSelector(id('phone'));
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(over <= 0, `${what}: the form fits (${over}px)`);
        await page.fill(id('phone'), '62 375');
        await item.locator('.office-save').click();
        await item.locator('.office-msg .flash.bad').waitFor();
        eq(await item.locator('.office-msg').textContent(), T['of.bad.phone'], `${what}: a wrong phone told in ${lang}`);
        eq(await page.getAttribute(id('phone'), 'aria-invalid'), 'true', `${what}: the phone field marked`);
        eq(sql(S.db, `SELECT count(*) FROM audit WHERE action = 'office.edit'`), lang === 'ru' ? '1' : '0', `${what}: nothing saved`);
        await page.fill(id('phone'), e.phone);
        await page.fill(id(lang === 'ru' ? 'landmark-ru' : 'landmark-uz-Latn'), e.landmark);
        await page.fill(id('days'), '1-6');
        await page.screenshot({ path: path.join(SHOTS, `offices-edit-${lang}-${width}.png`), fullPage: true });
        await item.locator('.office-save').click();
        await item.locator('.office-msg .flash.good').waitFor();
        eq(await item.locator('.office-msg').textContent(), T['of.saved'], `${what}: saved, told in ${lang}`);
        const shown = await item.locator('.office-reply').textContent();
        check(shown.includes(e.want) && shown.includes(e.landmark), `${what}: the new answer shown: ${shown}`);
        eq(sql(S.db, `SELECT phone, days FROM offices WHERE district = '${e.district}'`), `${e.want}|1-6`, `${what}: stored`);
        eq(sql(S.db, `SELECT username || ' ' || detail FROM audit WHERE action = 'office.edit' ORDER BY id DESC LIMIT 1`),
          `admin1 district=${e.district} changed=phone,days,landmark.${lang}`, `${what}: audited`);
        const r = await S.say('+99893888000' + (lang === 'ru' ? '1' : '2'), e.ask, 'of-' + lang);
        check(r.body.includes(e.want) && r.body.includes(e.sms), `${what}: the next SMS answer carries it: ${r.body}`);
      }
      await page.screenshot({ path: path.join(SHOTS, `offices-${lang}-${width}.png`), fullPage: width !== 1280 });
      await ctx.close();
    }
  }

  /* an agent: no link, and the address leads to the inbox */
  const { ctx, page } = await signIn(browser, S.base, 'agent1', { lang: 'ru', viewport: { width: 360, height: 860 } });
  check(!(await page.isVisible('#nav-offices')), 'an agent sees no offices link');
  await page.goto(S.base + '#/offices');
  await page.waitForSelector('#inbox-list');
  eq(await page.locator('#offices').count(), 0, 'an agent gets no offices page');
  await ctx.close();
});
