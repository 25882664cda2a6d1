/*
 * accounts.test.js - the Accounts page in a real browser, in Uzbek at
 * 1280 px and in Russian at 360 px: an admin adds an account (typed
 * password) and it signs in, changes its role, disables it (its open page
 * is signed out) and enables it, resets its password (typed, then
 * generated and shown once) and each new password signs in, adds an
 * account with a generated password, and is told in the page's language
 * when a name is bad or they are the last admin.  An agent has no
 * Accounts item and is refused.  The database is checked after each step;
 * screenshots go to build/screenshots/.  Ends "N passed, N failed".
 */
'use strict';
const { check, eq, sql, startServer, launch, signIn, run, sleep, SHOTS, ROOT } = require('./lib');
const fs = require('fs');
const path = require('path');

const STR = {};
for (const l of ['uz-Latn', 'ru', 'en'])
  STR[l] = JSON.parse(fs.readFileSync(path.join(ROOT, 'gateway', 'web', 'i18n', l + '.json'), 'utf8'));
const tr = (lang, key, p) => {
  let s = STR[lang][key];
  for (const [k, v] of Object.entries(p || {})) s = s.split('{' + k + '}').join(v);
  return s;
};

/* Poll the database (bounded) until q gives want. */
async function until(db, q, want, what) {
  let got;
  for (let i = 0; i < 100; i++) {
    got = sql(db, q);
    if (got === want) break;
    await sleep(50);
  }
  return eq(got, want, what);
}

/* Empty the message area, do act(), wait for the message that follows. */
async function said(page, act) {
  await page.evaluate(() => document.getElementById('acc-msg').replaceChildren());
  await act();
  await page.waitForSelector('#acc-msg .flash', { timeout: 10000 });
  return (await page.textContent('#acc-msg .flash')).trim();
}

/* The page fits its width: nothing sticks out to the right. */
async function fits(page, width, what) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(over <= 0, `${what}: the page is ${over}px wider than the screen`);
  const right = await page.evaluate(() => Math.max(...[...document.querySelectorAll('#acc-list button, #acc-list select, #acc-new input, #acc-new button')]
    .filter((e) => e.offsetParent !== null).map((e) => e.getBoundingClientRect().right)));
  check(right <= width, `${what}: a control ends at ${right}px of ${width}`);
}

async function round(S, browser, lang, viewport, sfx, k) {
  const alone = k === 0;	/* the first round: root1 is the only account */
  const { db, base } = S;
  const at = `${lang} ${viewport.width}px`;
  const { ctx, page } = await signIn(browser, base, 'root1', { lang, viewport });
  check(await page.isVisible('#nav-accounts'), `${at}: admins see Accounts`);
  eq((await page.textContent('#nav-accounts')).trim(), tr(lang, 'nav.accounts'), `${at}: the nav item's language`);
  await page.click('#nav-accounts');
  await page.waitForSelector('#acc-list li.acc[data-name="root1"]');
  eq((await page.textContent('main h1')).trim(), tr(lang, 'acc.title'), `${at}: the title`);
  eq(await page.textContent('#acc-add'), tr(lang, 'acc.create'), `${at}: the add button`);
  await fits(page, viewport.width, at);

  /* a bad name is told in the page's language, and nothing is added */
  let m = await said(page, async () => {
    await page.fill('#acc-new-name', 'Bad Name');
    await page.fill('#acc-new-pass', 'long enough password');
    await page.click('#acc-add');
  });
  eq(m, tr(lang, 'acc.err.bad_name'), `${at}: a bad name`);
  m = await said(page, async () => {
    await page.fill('#acc-new-name', 'ops-' + sfx);
    await page.fill('#acc-new-pass', 'short');
    await page.click('#acc-add');
  });
  eq(m, tr(lang, 'acc.err.bad_password'), `${at}: a short password`);
  eq(sql(db, "SELECT count(*) FROM staff"), String(1 + 2 * k), `${at}: nothing added`);

  /* the last admin may not disable themself */
  if (alone) {
    m = await said(page, () => page.click('li.acc[data-name="root1"] .acc-toggle'));
    eq(m, tr(lang, 'acc.err.last_admin'), `${at}: the last admin`);
    eq(sql(db, "SELECT disabled FROM staff WHERE username = 'root1'"), '0', `${at}: still enabled`);
  }

  /* add, with a typed password; the new account signs in */
  const name = 'ops-' + sfx, pw1 = 'first password ' + sfx;
  m = await said(page, async () => {
    await page.fill('#acc-new-name', name);
    await page.selectOption('#acc-new-role', 'agent');
    await page.fill('#acc-new-pass', pw1);
    await page.click('#acc-add');
  });
  eq(m, tr(lang, 'acc.added', { who: name, role: tr(lang, 'role.agent') }), `${at}: added`);
  await page.waitForSelector(`li.acc[data-name="${name}"]`);
  eq(sql(db, `SELECT role, disabled FROM staff WHERE username = '${name}'`), 'agent|0', `${at}: stored`);
  const other = await signIn(browser, base, name, { lang, viewport, password: pw1 });
  check(await other.page.isHidden('#nav-accounts'), `${at}: an agent has no Accounts item`);
  await other.page.goto(base + '#/accounts');
  await other.page.waitForSelector('main .flash.bad');
  eq((await other.page.textContent('main .flash.bad')).trim(), tr(lang, 'acc.err.forbidden'), `${at}: an agent is refused`);

  /* another role */
  m = await said(page, async () => {
    await page.selectOption(`#acc-role-${name}`, 'supervisor');
    await page.click(`li.acc[data-name="${name}"] .acc-role-save`);
  });
  eq(m, tr(lang, 'acc.role_done', { who: name, role: tr(lang, 'role.supervisor') }), `${at}: role changed`);
  await until(db, `SELECT role FROM staff WHERE username = '${name}'`, 'supervisor', `${at}: role stored`);

  /* disable: its open page is signed out; enable */
  m = await said(page, () => page.click(`li.acc[data-name="${name}"] .acc-toggle`));
  eq(m, tr(lang, 'acc.disabled_done', { who: name }), `${at}: disabled`);
  await page.waitForSelector(`li.acc.off[data-name="${name}"]`);
  eq(sql(db, `SELECT disabled FROM staff WHERE username = '${name}'`), '1', `${at}: disabled stored`);
  eq(sql(db, `SELECT count(*) FROM sessions WHERE staff_id = (SELECT id FROM staff WHERE username = '${name}')`),
    '0', `${at}: no session left`);
  await other.page.reload();
  await other.page.waitForSelector('#login-form', { timeout: 10000 });
  check(await other.page.isHidden('#nav'), `${at}: the disabled account's page is signed out`);
  await other.ctx.close();
  m = await said(page, () => page.click(`li.acc[data-name="${name}"] .acc-toggle`));
  eq(m, tr(lang, 'acc.enabled_done', { who: name }), `${at}: enabled`);
  await page.waitForSelector(`li.acc:not(.off)[data-name="${name}"]`);
  eq(sql(db, `SELECT disabled FROM staff WHERE username = '${name}'`), '0', `${at}: enabled stored`);

  /* a new password, typed */
  const pw2 = 'second password ' + sfx;
  m = await said(page, async () => {
    await page.click(`li.acc[data-name="${name}"] .acc-reset`);
    await page.fill(`li.acc[data-name="${name}"] .acc-pw`, pw2);
    await page.click(`li.acc[data-name="${name}"] .acc-pw-set`);
  });
  eq(m, tr(lang, 'acc.pw_done', { who: name }), `${at}: password set`);
  check(!(await page.isVisible('#acc-secret')), `${at}: a typed password is not shown`);
  let s2 = await signIn(browser, base, name, { lang, viewport, password: pw2 });
  eq(await s2.page.evaluate(() => fetch('/api/me').then((r) => r.json()).then((d) => d.role)), 'supervisor',
    `${at}: signs in with the typed password`);
  await s2.ctx.close();

  /* a new password, generated and shown once */
  m = await said(page, async () => {
    await page.click(`li.acc[data-name="${name}"] .acc-reset`);
    await page.click(`li.acc[data-name="${name}"] .acc-pw-gen`);
  });
  eq(m, tr(lang, 'acc.pw_done', { who: name }), `${at}: password generated`);
  const gen = (await page.textContent('#acc-secret-pw')).trim();
  check(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}$/.test(gen), `${at}: generated password ${gen}`);
  eq((await page.textContent('#acc-secret .hint')).trim(), tr(lang, 'acc.once'), `${at}: shown once, says so`);
  if (viewport.width < 600) await fits(page, viewport.width, at + ' with the password shown');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `accounts-${lang}-${viewport.width}.png`), fullPage: true });
  s2 = await signIn(browser, base, name, { lang, viewport, password: gen });
  check(await s2.page.isVisible('#nav'), `${at}: signs in with the generated password`);
  await s2.ctx.close();

  /* a new admin with a generated password */
  const adm = 'adm-' + sfx;
  m = await said(page, async () => {
    await page.fill('#acc-new-name', adm);
    await page.selectOption('#acc-new-role', 'admin');
    await page.check('#acc-new-gen');
    check(await page.isDisabled('#acc-new-pass'), `${at}: no typing when generated`);
    await page.click('#acc-add');
  });
  eq(m, tr(lang, 'acc.added', { who: adm, role: tr(lang, 'role.admin') }), `${at}: admin added`);
  const gen2 = (await page.textContent('#acc-secret-pw')).trim();
  s2 = await signIn(browser, base, adm, { lang, viewport, password: gen2 });
  check(await s2.page.isVisible('#nav-accounts'), `${at}: the new admin sees Accounts`);
  await s2.ctx.close();

  /* the audit log holds each change, by root1 */
  eq(sql(db, `SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE username = 'root1' AND ` +
    `action LIKE 'staff.%' AND detail LIKE '%${sfx}%' ORDER BY id)`),
  'staff.add staff.role staff.disable staff.enable staff.password staff.password staff.add', `${at}: audited`);
  await ctx.close();
}

run(async (c) => {
  const S = c.s = await startServer({ sms: false });
  S.staff(['add', 'root1', '--role', 'admin']);
  const browser = c.browser = await launch();
  /* Uzbek and Russian, each at a desktop's width and a phone's */
  await round(S, browser, 'uz-Latn', { width: 1280, height: 860 }, 'uz', 0);
  await round(S, browser, 'ru', { width: 360, height: 740 }, 'ru', 1);
  await round(S, browser, 'uz-Latn', { width: 360, height: 740 }, 'uzp', 2);
  await round(S, browser, 'ru', { width: 1280, height: 860 }, 'rud', 3);
});
