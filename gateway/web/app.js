/*
 * app.js - the help desk in the browser: plain DOM, no build step.
 * Every value from the server is put on the page as text (textContent,
 * attributes), never as HTML, so nothing a citizen writes can run here.
 * The API is /api/ (docs/api.md); writes carry the session's CSRF token.
 */
'use strict';

const S = { me: null, strings: {}, lang: 'uz-Latn', canned: null, labels: null };

/* ---- small helpers */

function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'cls') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const k of kids) el.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return el;
}

function t(key, params) {
  let str = S.strings[key] || key;
  for (const [k, v] of Object.entries(params || {})) str = str.split('{' + k + '}').join(String(v));
  return str;
}

function when(sec) {
  if (!sec) return '';
  const p = tashkent(sec);
  return dayOf(p.year, p.month, p.day) + ' ' + p.hour + ':' + p.minute;
}

/* ---- names, dates and errors in the interface's language */

/*
 * A code's name in the interface's language: the string kind.code, else
 * the code made readable ("needs_documents": "needs documents").
 */
function nm(kind, code) {
  if (code === null || code === undefined || code === '') return '';
  const v = S.strings[kind + '.' + code];
  return v !== undefined ? v : String(code).replace(/[_.]+/g, ' ').trim() || String(code);
}

/* The parts of a moment on the clock in Tashkent, 24-hour. */
const TASHKENT = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tashkent', year: 'numeric',
  month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
function tashkent(sec) {
  const p = {};
  for (const x of TASHKENT.formatToParts(new Date(sec * 1000))) p[x.type] = x.value;
  return p;
}

/* dd.mm.yyyy (uz, ru) or dd/mm/yyyy (en). */
function dayOf(y, m, d) {
  const sep = S.lang === 'en' ? '/' : '.';
  return d + sep + m + sep + y;
}

/* The API's "yyyy-mm-dd" (or a longer ISO time) as the interface writes a day. */
function dayText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return m ? dayOf(m[1], m[2], m[3]) : (iso || '');
}

/*
 * A typed day, "dd.mm.yyyy" (one-digit day or month, "/" "-" or a space
 * between them, or "yyyy-mm-dd" pasted), as the API's "yyyy-mm-dd"; null
 * when it is no day of 2000..2100.
 */
function parseDay(text) {
  const str = String(text || '').trim();
  let m = /^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/.exec(str), y, mo, d;
  if (m) [d, mo, y] = [+m[1], +m[2], +m[3]];
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str))) [y, mo, d] = [+m[1], +m[2], +m[3]];
  else return null;
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 2000 || y > 2100 || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return y + '-' + String(mo).padStart(2, '0') + '-' + String(d).padStart(2, '0');
}

/*
 * A day typed as dd.mm.yyyy whatever the browser's own locale (a native
 * date input would follow it): the text box people see, and under name a
 * hidden input holding the API's yyyy-mm-dd.  A text that is no day marks
 * the box invalid, so its form does not submit, and says why.
 */
function dateField(label, name, id, iso) {
  const hidden = h('input', { type: 'hidden', name, value: parseDay(iso) || '' });
  const box = h('input', { type: 'text', id, cls: 'date', inputmode: 'numeric', autocomplete: 'off',
    maxlength: 10, placeholder: t('date.hint'), title: t('date.hint'), value: iso ? dayText(parseDay(iso) || iso) : '',
    pattern: '\\s*(\\d{1,2}[.\\/ \\-]\\d{1,2}[.\\/ \\-]\\d{4}|\\d{4}-\\d{2}-\\d{2})\\s*' });
  const why = h('span', { cls: 'date-err bad', id: id + '-err', 'aria-live': 'polite' });
  const check = () => {
    const v = parseDay(box.value);
    hidden.value = v || '';
    const bad = box.value.trim() !== '' && !v ? t('date.bad') : box.dataset.order ? t('date.order') : '';
    box.setCustomValidity(bad);
    box.setAttribute('aria-invalid', bad ? 'true' : 'false');
    why.textContent = bad;
    return v;
  };
  box.addEventListener('input', () => { check(); box.dispatchEvent(new Event('day')); });
  box.addEventListener('change', () => { const v = check(); if (v) box.value = dayText(v); });
  box.check = check;
  box.day = () => hidden.value;
  return h('label', { cls: 'date-field' }, label, box, hidden, why);
}

/* From and to, both dd.mm.yyyy; "to" before "from" is refused. */
function dateRange(q, fromKey, toKey, idFrom, idTo) {
  const from = dateField(t('f.from'), fromKey, idFrom, q.get(fromKey) || '');
  const to = dateField(t('f.to'), toKey, idTo, q.get(toKey) || '');
  const a = from.querySelector('input.date'), b = to.querySelector('input.date');
  const order = () => {
    const bad = a.day() && b.day() && b.day() < a.day();
    if (bad) b.dataset.order = '1'; else delete b.dataset.order;
    b.check();
  };
  a.addEventListener('day', order);
  b.addEventListener('day', order);
  return [from, to];
}

/* The HTTP status of an answer whose body named no code, as one of the API's codes. */
const HTTP_CODES = { 400: 'bad_request', 401: 'login', 403: 'forbidden', 404: 'not_found', 405: 'method',
  409: 'held', 413: 'too_big', 415: 'content_type', 429: 'rate_limited', 500: 'internal', 503: 'internal' };

/* An API error ({status, data: {error, message}}) as a sentence in the interface's language. */
function errText(r) {
  const d = (r && r.data) || {};
  if (d.error === 'held' && d.held_by) return t('err.conflict', { who: d.held_by });
  let code = d.error && S.strings['err.' + d.error] !== undefined ? d.error : HTTP_CODES[r && r.status];
  if (!code && r && r.status >= 500) code = 'internal';
  if (code && S.strings['err.' + code] !== undefined) return t('err.' + code, { n: d.retry_after || '…' });
  return t('err.http', { n: r ? r.status : 0 });
}

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') {
    opt.headers['Content-Type'] = 'application/json';
    if (S.me) opt.headers['X-CSRF-Token'] = S.me.csrf;
    opt.body = JSON.stringify(body || {});
  }
  const r = await fetch('/api/' + path, opt);
  let data = null;
  try { data = await r.json(); } catch (e) { data = { error: '', retry_after: r.headers.get('Retry-After') }; }
  if (r.status === 401 && path !== 'login') { S.me = null; showLogin(); throw new Error('login'); }
  return { status: r.status, data };
}

function main() { return document.getElementById('main'); }
function show(...els) { main().replaceChildren(...els); }
function flash(text, cls) { return h('p', { cls: 'flash ' + (cls || ''), role: 'status' }, text); }

/* ---- language of the interface */

async function setLang(lang) {
  if (!['uz-Latn', 'ru', 'en'].includes(lang)) lang = 'uz-Latn';
  const r = await fetch('/i18n/' + lang + '.json');
  S.strings = await r.json();
  S.lang = lang;
  document.documentElement.lang = lang === 'uz-Latn' ? 'uz' : lang;
  try { localStorage.setItem('mj.lang', lang); } catch (e) { /* private mode */ }
  document.getElementById('ui-lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

/* ---- sign in and out */

function showLogin(msg) {
  document.getElementById('nav').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div', { id: 'login-msg' }, msg ? flash(msg, 'bad') : null);
  const form = h('form', { cls: 'card login', id: 'login-form' },
    h('h1', {}, t('login.title')),
    h('label', {}, t('login.user'), user),
    h('label', {}, t('login.pass'), pass),
    h('button', { type: 'submit', id: 'login-go' }, t('login.go')), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('POST', 'login', { username: user.value, password: pass.value });
    if (r.status === 200) { S.me = r.data; signedIn(); return; }
    out.replaceChildren(flash(r.status === 429 ? t('login.limited', { n: r.data.retry_after }) : t('login.bad'), 'bad'));
  });
  show(form);
  user.focus();
}

function signedIn() {
  document.getElementById('nav').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('nav-audit').hidden = S.me.role === 'agent';
  document.getElementById('nav-accounts').hidden = S.me.role !== 'admin';
  document.getElementById('nav-offices').hidden = S.me.role !== 'admin';
  document.getElementById('who').textContent = S.me.username + ' (' + nm('role', S.me.role) + ')';
  document.getElementById('logout').title = S.me.username + ' (' + nm('role', S.me.role) + ')';
  route();
}

async function logout() {
  await api('POST', 'logout', {});
  S.me = null;
  location.hash = '#/inbox';
  showLogin();
}

/* ---- teaching the bot: labels for citizens' messages */

/* An intent's name in the interface's language ("status check" if none). */
function iname(n) { return nm('intent', n); }

/* Asked once; every picker shares the one request. */
function labelList() {
  if (!S.labels) S.labels = api('GET', 'intents').then((r) => r.status === 200 ? r.data.labels : [])
    .catch(() => { S.labels = null; return []; });
  return S.labels;
}

/*
 * One click: the select posts as soon as an intent is chosen; a button for
 * the bot's own guess, when it had one.  done(label) after it is stored.
 */
function labelPicker(msgId, current, guess, done) {
  const out = h('span', { cls: 'label-pick' });
  const state = h('span', { cls: 'label-state' }, current ? '✓ ' + iname(current) : '');
  const sel = h('select', { cls: 'label-select', 'data-msg': msgId, 'aria-label': t('l.choose') },
    h('option', { value: '' }, current ? t('l.change') : t('l.choose')));
  const post = async (intent) => {
    const r = await api('POST', 'messages/' + msgId + '/label', { intent });
    if (r.status !== 200) { state.textContent = errText(r); return; }
    state.textContent = '✓ ' + iname(intent);
    sel.value = '';
    if (done) done(intent);
  };
  labelList().then((all) => { for (const l of all) sel.append(h('option', { value: l }, iname(l))); });
  sel.addEventListener('change', () => { if (sel.value) post(sel.value); });
  out.append(state, ' ', sel);
  if (!current && guess && guess !== 'unknown')
    out.append(' ', h('button', { type: 'button', cls: 'label-guess', on: { click: () => post(guess) } }, '✓ ' + iname(guess)));
  return out;
}

/* ---- inbox */

function filterForm(q) {
  const sel = (name, opts) => h('select', { name, id: 'f-' + name },
    h('option', { value: '' }, t('f.any')),
    opts.map(([v, label]) => h('option', { value: v, selected: q.get(name) === v }, label)));
  const chk = (name, label) => h('label', { cls: 'chk' },
    h('input', { type: 'checkbox', name, id: 'f-' + name, checked: q.get(name) === '1' }), label);
  const form = h('form', { cls: 'filters', id: 'filters' },
    chk('needs_human', t('f.human')), chk('unknown', t('f.unknown')), chk('review', t('f.review')),
    h('label', {}, t('f.channel'), sel('channel', ['sms', 'telegram', 'ussd', 'aggregator', 'chat'].map((c) => [c, nm('ch', c)]))),
    h('label', {}, t('f.lang'), sel('lang', ['uz-Latn', 'uz-Cyrl', 'ru', 'en'].map((l) => [l, nm('lang', l)]))),
    h('label', {}, t('f.status'), sel('status', [['open', t('st.open')], ['held', t('st.held')], ['resolved', t('st.resolved')]])),
    dateRange(q, 'from', 'to', 'f-from', 'f-to'),
    h('label', { cls: 'grow' }, t('f.q'), h('input', { type: 'search', name: 'q', id: 'f-q', value: q.get('q') || '', placeholder: t('f.q_hint') })),
    chk('replies', t('f.replies')),
    h('button', { type: 'submit', id: 'f-apply' }, t('f.apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === 'checkbox') { if (el.checked) p.set(el.name, '1'); } else if (el.value) p.set(el.name, el.value);
    }
    location.hash = '#/inbox?' + p.toString();
  });
  return form;
}

function convItem(c) {
  const badges = [h('span', { cls: 'badge ch' }, nm('ch', c.channel)), c.lang ? h('span', { cls: 'badge' }, nm('lang', c.lang)) : null,
    h('span', { cls: 'badge st-' + c.status }, t('st.' + c.status))];
  if (c.needs_human) badges.push(h('span', { cls: 'badge human' }, t('inbox.human')));
  if (c.held_by) badges.push(h('span', { cls: 'badge held' }, t('inbox.heldby', { who: c.held_by })));
  if (c.last_intent === 'unknown') badges.push(h('span', { cls: 'badge unknown' }, '?'));
  if (c.review > 0) badges.push(h('span', { cls: 'badge review' }, t('inbox.review', { n: c.review })));
  return h('li', { cls: 'conv', 'data-id': c.id },
    h('a', { href: '#/c/' + c.id, cls: 'conv-link' },
      h('div', { cls: 'row' }, h('strong', { cls: 'addr' }, c.address), h('span', { cls: 'time' }, when(c.last_at))),
      h('div', { cls: 'badges' }, badges),
      h('div', { cls: 'snippet' },
        h('span', { cls: 'dir ' + (c.last_dir === 'in' ? 'in' : 'out'),
          title: t(c.last_dir === 'in' ? 'inbox.dir_in' : 'inbox.dir_out') },
          c.last_dir === 'in' ? '\u2199 ' : '\u2197 '),
        c.snippet_dir === 'in' ? null : h('em', {}, t('inbox.bot_said') + ' '),
        c.snippet),
      c.match ? h('div', { cls: 'match' }, t('inbox.match') + ' ', c.match) : null));
}

async function showInbox(q) {
  const list = h('ul', { cls: 'inbox', id: 'inbox-list' });
  const more = h('button', { type: 'button', id: 'inbox-more', hidden: true }, t('inbox.more'));
  const status = h('div', {});
  show(filterForm(q), status, list, more);
  const seen = new Set();
  let cursor = null;
  async function page() {
    const p = new URLSearchParams(q);
    if (cursor) p.set('cursor', cursor);
    const r = await api('GET', 'conversations?' + p.toString());
    if (r.status !== 200) { status.replaceChildren(flash(errText(r), 'bad')); return; }
    for (const c of r.data.items) if (!seen.has(c.id)) { seen.add(c.id); list.append(convItem(c)); }
    if (seen.size === 0) status.replaceChildren(flash(t('inbox.empty')));
    cursor = r.data.next;
    more.hidden = !cursor;
  }
  more.addEventListener('click', page);
  await page();
}

/* ---- one conversation */

/* An outgoing message that is not sent: the mark and why, in the UI's language. */
function notSent(m) {
  const s = m.send;
  if (!s || s.state !== 'not_sent') return null;
  const key = s.reason === 'no_provider' && m.channel === 'telegram' ? 'no_provider_tg' : s.reason;
  const detail = m.error && s.reason !== 'no_provider' ? t('send.status', { s: m.error }) : null;
  return h('div', { cls: 'send-mark not-sent', 'data-reason': s.reason },
    h('strong', { cls: 'not-sent-label' }, t('send.not_sent')), ' ',
    h('span', { cls: 'why' }, t('send.why.' + key, { n: s.attempts })),
    detail ? h('span', { cls: 'detail' }, ' · ' + detail) : null);
}

function msgItem(m) {
  const meta = [m.direction === 'in' ? t('m.in') : t('m.out'), nm('ch', m.channel), nm('lang', m.lang),
    t('m.intent') + ': ' + iname(m.intent)];
  if (m.send) meta.push(t('m.delivery') + ': ' + t('send.' + m.send.state));
  if (m.segments) meta.push(t('m.segments') + ': ' + m.segments + ' (' + nm('enc', m.encoding) + ')');
  if (m.source) meta.push(t('m.source') + ': ' + nm('src', m.source) + (m.source === 'model' ? ' ' + Math.round(m.prob * 100) + '%' : ''));
  const teach = m.direction === 'in' ? h('div', { cls: 'meta teach' },
    m.label ? t('l.by', { who: m.label.by, t: when(m.label.at) }) + ' ' : '',
    labelPicker(m.id, m.label ? m.label.intent : '', m.review ? '' : m.intent)) : null;
  const mark = notSent(m);
  return h('li', { cls: 'msg ' + m.direction + ' d-' + m.delivery + (mark ? ' not-sent' : '') + (m.review && !m.label ? ' review' : ''), 'data-id': m.id },
    h('div', { cls: 'body' }, m.body),
    h('div', { cls: 'meta' }, when(m.created_at) + ' · ' + meta.join(' · ')),
    teach,
    mark || (m.error ? h('div', { cls: 'meta bad' }, m.error) : null));
}

async function cannedFor(lang) {
  if (!S.canned) {
    const r = await api('GET', 'canned');
    S.canned = r.status === 200 ? r.data : {};
  }
  return S.canned;
}

/* A canned reply in the picker: its name, then how it begins. */
function cannedName(it) {
  const text = String(it.text || '').replace(/\s+/g, ' ');
  return nm('canned', it.id) + ' — ' + (text.length > 48 ? text.slice(0, 47) + '…' : text);
}

/*
 * A table with column headers that becomes one block per row on a narrow
 * screen, each cell then led by its header (span.lbl), so nothing scrolls
 * sideways.  heads are i18n keys; rows are arrays of cell contents.
 */
function labelledTable(cls, id, heads, rows) {
  const names = heads.map((k) => t(k));
  return h('table', { cls: cls + ' stack', id },
    h('thead', {}, h('tr', {}, names.map((n) => h('th', { scope: 'col' }, n)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) =>
      h('td', { cls: v === '' || v === null ? 'empty' : null }, h('span', { cls: 'lbl', 'aria-hidden': 'true' }, names[i]), v))))));
}

/* The citizen's applications, every code by its name and every day as dd.mm.yyyy. */
function appsTable(apps) {
  return labelledTable('apps', 'apps', ['app.number', 'app.programme', 'app.status', 'app.submitted', 'app.decided', 'app.payment', 'app.pinfl'],
    apps.map((a) => [a.number, nm('prog', a.programme), nm('app.st', a.status), dayText(a.submitted),
      dayText(a.decided || ''), dayText(a.payment || ''), a.pinfl || '']));
}

async function showConversation(id) {
  const r = await api('GET', 'conversations/' + id);
  if (r.status !== 200) { show(flash(errText(r), 'bad')); return; }
  const v = r.data, c = v.contact;
  const note = h('div', { id: 'conv-msg' });
  const say = (text, cls) => note.replaceChildren(flash(text, cls));
  const act = async (verb, body) => {
    const res = await api('POST', 'conversations/' + id + '/' + verb, body);
    if (res.status !== 200) { say(errText(res), 'bad'); return null; }
    return res.data;
  };

  const phone = h('dd', { id: 'c-phone' }, c.phone || '—');
  const address = h('dd', { id: 'c-address' }, c.address);
  const info = h('dl', { cls: 'contact' },
    h('dt', {}, t('c.channel')), h('dd', {}, nm('ch', c.channel)),
    h('dt', {}, t('c.address')), address,
    h('dt', {}, t('c.phone')), phone,
    h('dt', {}, t('c.lang')), h('dd', {}, nm('lang', c.lang)),
    h('dt', {}, t('c.status')), h('dd', { id: 'c-status' }, t('st.' + c.status)));

  const buttons = [];
  if (v.can_reveal) buttons.push(h('button', { type: 'button', id: 'btn-reveal', on: { click: async () => {
    const d = await act('reveal');
    if (!d) return;
    phone.textContent = d.phone || '—';
    address.textContent = d.address;
    for (const m of d.messages) {
      const li = document.querySelector('.msg[data-id="' + CSS.escape(String(m.id)) + '"] .body');
      if (li) li.textContent = m.body;
    }
  } } }, t('c.reveal')));
  if (c.held_by_me) buttons.push(h('button', { type: 'button', id: 'btn-release', on: { click: async () => { if (await act('release')) showConversation(id); } } }, t('c.release')));
  else buttons.push(h('button', { type: 'button', id: 'btn-take', on: { click: async () => { if (await act('take')) showConversation(id); } } }, t('c.take')));
  if (c.status === 'resolved') buttons.push(h('button', { type: 'button', id: 'btn-reopen', on: { click: async () => { if (await act('reopen')) showConversation(id); } } }, t('c.reopen')));
  else buttons.push(h('button', { type: 'button', id: 'btn-resolve', on: { click: async () => { if (await act('resolve')) showConversation(id); } } }, t('c.resolve')));

  const holdText = c.held_by_me ? t('c.held_me', { t: when(c.held_until) }) :
    c.held_by ? t('c.held_other', { who: c.held_by }) : t('c.bot');

  const msgs = h('ul', { cls: 'messages', id: 'messages' }, v.messages.map(msgItem));

  /* the reply box, with the SMS cost while typing */
  const text = h('textarea', { id: 'reply-text', rows: 3, maxlength: 1600, disabled: !c.held_by_me || c.opted_out });
  const cost = h('span', { id: 'reply-cost', cls: 'cost' });
  let timer = null;
  const measure = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!text.value) { cost.textContent = ''; return; }
      const m = await api('GET', 'sms/measure?text=' + encodeURIComponent(text.value));
      if (m.status === 200) cost.textContent = t('c.segments', { n: m.data.segments, enc: nm('enc', m.data.encoding) });
    }, 150);
  };
  text.addEventListener('input', measure);
  const canned = h('select', { id: 'reply-canned', disabled: !c.held_by_me });
  canned.append(h('option', { value: '' }, t('c.canned')));
  cannedFor().then((all) => {
    const lang = all[c.lang] ? c.lang : 'uz-Latn';
    for (const [lg, items] of Object.entries(all)) {
      const g = h('optgroup', { label: nm('lang', lg) });
      for (const it of items) g.append(h('option', { value: it.text }, cannedName(it)));
      if (lg === lang) canned.prepend(g); else canned.append(g);
    }
    canned.prepend(canned.querySelector('option[value=""]'));
    canned.value = '';
  });
  canned.addEventListener('change', () => { if (canned.value) { text.value = canned.value; measure(); } });
  const send = h('button', { type: 'button', id: 'reply-send', disabled: !c.held_by_me || c.opted_out, on: { click: async () => {
    if (!text.value.trim()) return;
    const d = await act('reply', { text: text.value });
    if (!d) return;
    text.value = '';
    cost.textContent = '';
    if (d.message) msgs.append(msgItem(d.message));
    say(t('c.sent'), 'good');
  } } }, t('c.send'));
  const replyBox = h('section', { cls: 'card reply' }, h('h2', {}, t('c.reply')),
    !c.held_by_me ? h('p', { cls: 'hint' }, t('c.take_first')) : null,
    c.opted_out ? h('p', { cls: 'hint bad' }, t('c.opted_out')) : null,
    canned, text, h('div', { cls: 'row' }, c.channel !== 'telegram' ? cost : h('span'), send));

  /* notes and labels */
  const notes = h('ul', { cls: 'notes', id: 'notes' },
    v.notes.map((n) => h('li', {}, h('div', { cls: 'meta' }, n.by + ' · ' + when(n.at)), h('div', {}, n.body))));
  const noteText = h('textarea', { id: 'note-text', rows: 2, maxlength: 4000 });
  const noteBtn = h('button', { type: 'button', id: 'note-add', on: { click: async () => {
    if (!noteText.value.trim()) return;
    if (await act('notes', { text: noteText.value })) {
      notes.append(h('li', {}, h('div', { cls: 'meta' }, S.me.username + ' · ' + when(Date.now() / 1000)), h('div', {}, noteText.value)));
      noteText.value = '';
    }
  } } }, t('c.note_add'));
  const labels = h('input', { id: 'labels', value: v.labels.join(', ') });
  const labelsBtn = h('button', { type: 'button', id: 'labels-save', on: { click: async () => {
    const list = labels.value.split(',').map((x) => x.trim()).filter(Boolean);
    if (await act('labels', { labels: list })) say(t('c.labels_save') + ' ✓', 'good');
  } } }, t('c.labels_save'));

  const apps = v.applications.length === 0 ? h('p', { cls: 'hint' }, t('c.noapps')) : appsTable(v.applications);

  show(h('a', { href: '#/inbox', cls: 'back' }, t('c.back')),
    h('div', { cls: 'conv-grid' },
      h('div', { cls: 'col-main' }, h('p', { cls: 'hold', id: 'hold' }, holdText), note, msgs, replyBox),
      h('aside', { cls: 'col-side' },
        h('section', { cls: 'card' }, h('h2', {}, t('c.contact')), info, h('div', { cls: 'buttons' }, buttons)),
        h('section', { cls: 'card' }, h('h2', {}, t('c.labels')), labels, labelsBtn),
        h('section', { cls: 'card' }, h('h2', {}, t('c.notes')), notes, noteText, noteBtn))),
    h('section', { cls: 'card apps-card' }, h('h2', {}, t('c.apps')), apps));
  msgs.lastElementChild && msgs.lastElementChild.scrollIntoView({ block: 'nearest' });
}

/* ---- dashboard: SVG charts */

const COLORS = { sms: '#1f77b4', telegram: '#2ca02c', ussd: '#d62728', aggregator: '#9467bd', chat: '#ff7f0e' };
const color = (k, i) => COLORS[k] || ['#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'][i % 5];

/*
 * The width, in CSS pixels, a chart card's drawing gets on this screen
 * (one column below 900 px, two above), so the SVG's text is drawn at the
 * size it is read and nothing is shrunk to illegibility on a phone.
 */
function chartWidth() {
  const vw = Math.min(document.documentElement.clientWidth || window.innerWidth, 1200);
  const pad = vw <= 520 ? 8 : 16, card = 14;
  const w = vw < 900 ? vw - 2 * pad - 2 * card : (vw - 2 * pad - 16) / 2 - 2 * card;
  return Math.max(240, Math.floor(w));
}

function stackedBars(days, valueOf, title, id) {
  const byDay = new Map(), chans = new Set();
  for (const d of days) {
    if (!byDay.has(d.day)) byDay.set(d.day, {});
    byDay.get(d.day)[d.channel] = valueOf(d);
    chans.add(d.channel);
  }
  const keys = [...byDay.keys()].sort(), cl = [...chans].sort();
  const W = chartWidth(), H = 220, pad = 34, slot = (W - pad - 8) / Math.max(1, keys.length);
  const bw = Math.max(1, Math.min(40, slot - Math.min(4, slot * 0.3))), every = Math.ceil(36 / slot);
  const max = Math.max(1, ...keys.map((k) => cl.reduce((a, c) => a + (byDay.get(k)[c] || 0), 0)));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart', id });
  svg.append(s('line', { x1: pad, y1: H - pad, x2: W - 4, y2: H - pad, stroke: '#999' }));
  svg.append(s('text', { x: 2, y: 12, 'font-size': 11 }, String(max)));
  keys.forEach((k, i) => {
    let y = H - pad;
    const x = pad + 4 + i * slot;
    cl.forEach((c, j) => {
      const v = byDay.get(k)[c] || 0, bh = (H - pad * 2) * v / max;
      if (v > 0) {
        const r = s('rect', { x, y: y - bh, width: bw, height: bh, fill: color(c, j) });
        r.append(s('title', {}, `${dayText(k)} ${nm('ch', c)}: ${v}`));
        svg.append(r);
      }
      y -= bh;
    });
    if (i % every === 0 && x + bw / 2 + 16 <= W) svg.append(s('text', { x: x + bw / 2, y: H - pad + 14, 'font-size': 10, 'text-anchor': 'middle' }, dayText(k).slice(0, 5)));
  });
  const legend = h('div', { cls: 'legend' }, cl.map((c, j) => h('span', {}, h('i', { cls: 'sw', 'data-c': c }), nm('ch', c))));
  legend.querySelectorAll('i.sw').forEach((el, j) => { el.style.background = color(cl[j], j); });
  return h('section', { cls: 'card chart-card' }, h('h2', {}, title), svg, legend);
}

/* Bars by key, named by name(key); on a narrow drawing each name stands above its bar. */
function hBars(rows, title, id, name) {
  const W = chartWidth(), narrow = W < 440, row = narrow ? 36 : 22, H = Math.max(row, rows.length * row) + 4;
  const lx = narrow ? 0 : 170, by = narrow ? 17 : 4, bh = narrow ? 13 : row - 8;
  const max = Math.max(1, ...rows.map((r) => r.n));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart', id });
  rows.forEach((r, i) => {
    const bw = (W - lx - 60) * r.n / max;
    svg.append(s('text', { x: 0, y: i * row + (narrow ? 13 : 15), 'font-size': 12 }, (name ? name(r.key) : r.key) || '—'));
    svg.append(s('rect', { x: lx, y: i * row + by, width: Math.max(1, bw), height: bh, fill: color(r.key, i) }));
    svg.append(s('text', { x: lx + 4 + bw, y: i * row + by + bh - 2, 'font-size': 11 }, String(r.n)));
  });
  return h('section', { cls: 'card chart-card' }, h('h2', {}, title), svg);
}

function tile(label, value, id) {
  return h('div', { cls: 'tile', id }, h('div', { cls: 'v' }, value), h('div', { cls: 'l' }, label));
}

async function showDashboard(q) {
  const days = q.get('days') || '14';
  const r = await api('GET', 'dashboard?days=' + encodeURIComponent(days));
  if (r.status !== 200) { show(flash(errText(r), 'bad')); return; }
  const d = r.data;
  const secs = (v) => v === null ? '—' : (v < 90 ? t('d.secs', { n: Math.round(v) }) : t('d.mins', { n: Math.round(v / 60) }));
  const ranges = ['1', '7', '14', '30', '90', '365'];
  if (!ranges.includes(days)) ranges.push(days);
  const pick = h('select', { id: 'd-days' }, ranges.map((n) => h('option', { value: n, selected: n === days }, n)));
  pick.addEventListener('change', () => { location.hash = '#/dashboard?days=' + pick.value; });
  show(h('div', { cls: 'row' }, h('h1', {}, t('d.title')), h('label', {}, t('d.days') + ' ', pick)),
    h('div', { cls: 'tiles' },
      tile(t('d.unknown_rate'), (d.unknown_rate * 100).toFixed(1) + '%', 'd-unknown-rate'),
      tile(t('d.median_bot'), secs(d.reply_median_s.bot), 'd-median-bot'),
      tile(t('d.median_agent'), secs(d.reply_median_s.agent), 'd-median-agent'),
      tile(t('d.segments'), String(d.segments_sent), 'd-segments'),
      tile(t('d.failed'), String(d.failed), 'd-failed'),
      tile(t('d.ussd'), String(d.ussd_sessions), 'd-ussd')),
    h('div', { cls: 'charts' },
      stackedBars(d.days, (x) => x.in + x.out, t('d.per_day'), 'chart-days'),
      stackedBars(d.days, (x) => x.failed, t('d.failed_day'), 'chart-failed'),
      hBars(d.intents, t('d.intents'), 'chart-intents', iname),
      hBars(d.langs, t('d.langs'), 'chart-langs', (k) => nm('lang', k))),
    h('section', { cls: 'card' }, h('h2', {}, t('d.top_unknown') + ' (' + t('d.review', { n: d.review }) + ')' +
      (d.review >= d.unknown_top_scan ? ' — ' + t('d.top_scope', { n: d.unknown_top_scan }) : '')),
      h('ol', { cls: 'top-unknown', id: 'top-unknown' }, d.unknown_top.map((u) => {
        const li = h('li', {}, h('span', { cls: 'q' }, u.text), ' — ' + u.n + ' ' + t('d.times') + ' ');
        li.append(labelPicker(u.message_id, '', u.intent, () => li.classList.add('done')));
        return li;
      }))),
    S.me.role !== 'agent' ? modelCard() : null);
}

/* Supervisors: retrain, activate, roll back (bot/retrain.h). */
function modelCard() {
  const out = h('div', { id: 'model-msg' });
  const pct = (v) => v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%';
  const card = h('section', { cls: 'card', id: 'model' }, h('h2', {}, t('mdl.title')), out);
  const act = async (verb) => {
    out.replaceChildren(flash(t('mdl.working')));
    const r = await api('POST', 'model/' + verb, {});
    if (r.status !== 200) { out.replaceChildren(flash(errText(r), 'bad')); return; }
    out.replaceChildren(flash(verb === 'retrain' ? t('mdl.trained', { cv: pct(r.data.new_cv), cur: pct(r.data.current_cv), n: r.data.labels }) :
      t(verb === 'activate' ? 'mdl.activated' : 'mdl.rolledback'), 'good'));
  };
  api('GET', 'model').then((r) => {
    if (r.status !== 200) return;
    const m = r.data;
    out.replaceChildren(h('p', {}, t('mdl.current', { cv: pct(m.current_cv) })));
    card.append(h('div', { cls: 'buttons' },
      h('button', { type: 'button', id: 'model-retrain', disabled: !m.trainer, on: { click: () => act('retrain') } }, t('mdl.retrain')),
      h('button', { type: 'button', id: 'model-activate', on: { click: () => act('activate') } }, t('mdl.activate')),
      h('button', { type: 'button', id: 'model-rollback', on: { click: () => act('rollback') } }, t('mdl.rollback'))));
  });
  return card;
}

/*
 * An audit row's detail ("message=12 intent=status_check was=-") in the
 * interface's language: known keys named, intents, channels and languages
 * by their names, empty filters left out; anything else as written.
 */
function auditDetail(detail) {
  const words = String(detail || '').split(' ').filter(Boolean);
  const out = [];
  const VAL = { intent: iname, was: iname, channel: (v) => nm('ch', v), lang: (v) => nm('lang', v), by: (v) => nm('ad.by', v) };
  const FLAG = ['human', 'unknown', 'review', 'status', 'search'];
  for (let i = 0; i < words.length; i++) {
    const w = words[i], m = /^([a-z_]+)=(.*)$/.exec(w);
    if (w === 'force' && /^from=/.test(words[i + 1] || '')) { out.push(t('ad.force', { who: words[++i].slice(5) })); continue; }
    if (words.length === 1 && S.strings['ad.lim.' + w] !== undefined) { out.push(t('ad.lim.' + w)); continue; }
    if (!m || S.strings['ad.' + m[1]] === undefined) { out.push(w); continue; }
    if (m[2] === '-' || (m[2] === '0' && FLAG.includes(m[1]))) continue;
    out.push(t('ad.' + m[1]) + ': ' + (VAL[m[1]] ? VAL[m[1]](m[2]) : m[2]));
  }
  return out.join(' · ');
}

/* The audit log's days, typed as dd.mm.yyyy. */
function auditFilter(q) {
  const form = h('form', { cls: 'filters', id: 'audit-filters' }, dateRange(q, 'from', 'to', 'a-from', 'a-to'),
    h('button', { type: 'submit', id: 'a-apply' }, t('f.apply')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value) p.set(el.name, el.value);
    location.hash = '#/audit?' + p.toString();
  });
  return form;
}

async function showAudit(q) {
  q = q || new URLSearchParams();
  const p = new URLSearchParams({ limit: '200' });
  for (const k of ['from', 'to']) if (q.get(k)) p.set(k, q.get(k));
  const r = await api('GET', 'audit?' + p.toString());
  if (r.status !== 200) { show(h('h1', {}, t('a.title')), auditFilter(q), flash(errText(r), 'bad')); return; }
  show(h('h1', {}, t('a.title')), auditFilter(q), r.data.items.length === 0 ? flash(t('a.empty')) : null, labelledTable('audit', 'audit', ['a.when', 'a.who', 'a.what', 'a.conv', 'a.detail'],
    r.data.items.map((a) => [when(a.at), a.username === 'cli' ? t('a.cli') : a.username, nm('act', a.action),
      a.conversation ? h('a', { href: '#/c/' + a.conversation }, String(a.conversation)) : '',
      auditDetail(a.detail)])));
}

/* ---- Inson centres (admins): the reply citizens get, and corrections */

const OLANGS = ['uz-Latn', 'uz-Cyrl', 'ru', 'en'];

/* The message for a refused correction, in the interface's language. */
function officeError(d) {
  if (d.error === 'over_budget') return t('of.over', { lang: d.field });
  const f = (d.field || '').split('.')[0];
  if (f === 'phone') return t('of.bad.phone');
  if (f === 'days') return t('of.bad.days');
  if (f === 'opens' || f === 'closes') return t('of.bad.hours');
  if (f === 'address' || f === 'landmark') return t('of.bad.text') + ' (' + t('of.' + f) + ', ' + d.field.split('.')[1] + ')';
  return errText({ data: d });
}

/* Office days ("1-5", "1-6", "6") by the names of the days: "Du–Ju". */
function weekdays(days) {
  const m = /^([1-7])(?:-([1-7]))?$/.exec(String(days || ''));
  if (!m) return String(days || '');
  return t('wd.' + m[1]) + (m[2] ? '–' + t('wd.' + m[2]) : '');
}

function officeView(o) {
  const l = OLANGS.includes(S.lang) ? S.lang : 'uz-Latn';
  const row = (k, v) => [h('dt', {}, t(k)), h('dd', {}, v || '—')];
  return h('div', { cls: 'office-view' },
    h('dl', { cls: 'contact' },
      row('of.address', o.address[l]), row('of.landmark', o.landmark[l]),
      row('of.phone', o.phone), row('of.hours', weekdays(o.days) + ' ' + o.opens + '–' + o.closes)),
    h('p', { cls: 'meta' }, t('of.reply') + ' (' + t('of.segments', { n: o.segments[l] }) + '):'),
    h('p', { cls: 'office-reply' }, o.reply[l] || '—'));
}

function officeCard(o) {
  const l = OLANGS.includes(S.lang) ? S.lang : 'uz-Latn';
  const li = h('li', { cls: 'card office', 'data-district': o.district });
  const note = h('div', { cls: 'office-msg' });
  const inp = (name, value, attrs) => h('input', Object.assign({ name, value: value || '', id: 'of-' + o.district + '-' + name.replace('.', '-') }, attrs || {}));
  const field = (key, el) => h('label', {}, t(key), el);
  const render = (cur) => {
    const edit = h('button', { type: 'button', cls: 'office-edit', on: { click: () => form(cur) } }, t('of.edit'));
    li.replaceChildren(h('div', { cls: 'row' }, h('h2', {}, cur.name[l] || cur.district),
      cur.indicative ? h('span', { cls: 'badge unknown' }, t('of.indicative')) : null), officeView(cur), note, edit);
  };
  const form = (cur) => {
    const f = h('form', { cls: 'office-form' });
    f.append(h('div', { cls: 'office-grid' },
      field('of.phone', inp('phone', cur.phone, { inputmode: 'tel', placeholder: '+998 62 224 56 78' })),
      field('of.days', inp('days', cur.days, { placeholder: '1-5' })),
      field('of.opens', inp('opens', cur.opens, { placeholder: '09:00' })),
      field('of.closes', inp('closes', cur.closes, { placeholder: '18:00' }))));
    for (const lg of OLANGS)
      f.append(h('fieldset', { cls: 'office-lang' }, h('legend', {}, nm('lang', lg)),
        field('of.address', inp('address.' + lg, cur.address[lg], { maxlength: 199 })),
        field('of.landmark', inp('landmark.' + lg, cur.landmark[lg], { maxlength: 159 }))));
    const save = h('button', { type: 'submit', cls: 'office-save' }, t('of.save'));
    const cancel = h('button', { type: 'button', cls: 'office-cancel', on: { click: () => render(cur) } }, t('of.cancel'));
    f.append(note, h('div', { cls: 'buttons' }, save, cancel));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { address: {}, landmark: {} };
      for (const el of f.elements) {
        if (!el.name) continue;
        el.removeAttribute('aria-invalid');
        const [k, lg] = el.name.split('.');
        if (lg) body[k][lg] = el.value.trim(); else body[k] = el.value.trim();
      }
      const r = await api('POST', 'offices/' + encodeURIComponent(cur.district), body);
      if (r.status !== 200) {
        const bad = r.data.field && f.elements.namedItem(r.data.field);
        if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
        note.replaceChildren(flash(officeError(r.data), 'bad'));
        return;
      }
      render(r.data);
      note.replaceChildren(flash(t('of.saved'), 'good'));
    });
    li.replaceChildren(h('h2', {}, cur.name[l] || cur.district), f);
    f.elements.namedItem('phone').focus();
  };
  render(o);
  return li;
}

async function showOffices() {
  const r = await api('GET', 'offices');
  if (r.status !== 200) { show(flash(errText(r), 'bad')); return; }
  show(h('h1', {}, t('of.title')), h('p', { cls: 'hint' }, t('of.hint', { n: r.data.budget })),
    h('ul', { cls: 'offices', id: 'offices' }, r.data.offices.map(officeCard)));
}

/* ---- routing by location.hash */

/*
 * One page is drawn at a time, in the order asked: a page still waiting
 * for its data (the dashboard after a change of language, say) no longer
 * draws itself over the one asked for after it.
 */
let routing = Promise.resolve();
function route() {
  /* a page whose data does not come within 3 s does not hold the next one */
  const before = Promise.race([routing, new Promise((r) => setTimeout(r, 3000))]);
  routing = before.then(routeNow, routeNow);
  return routing;
}

async function routeNow() {
  if (!S.me) return;
  const hash = location.hash || '#/inbox';
  const [path, query] = hash.slice(1).split('?');
  const q = new URLSearchParams(query || '');
  try {
    let m;
    if ((m = path.match(/^\/c\/(\d+)$/))) await showConversation(m[1]);
    else if (path === '/dashboard') await showDashboard(q);
    else if (path === '/audit') await showAudit(q);
    else if (path === '/accounts') await showAccounts();
    else if (path === '/offices' && S.me.role === 'admin') await showOffices();
    else await showInbox(q);
  } catch (e) {
    if (e.message !== 'login') show(flash(e instanceof TypeError ? t('err.network') : t('err.generic', { m: e.message }), 'bad'));
  }
}

/* On a narrow screen the language list shows short names (UZ, RU, EN) so the header keeps to one line. */
function fitHeader() {
  const mq = window.matchMedia('(max-width: 520px)');
  const apply = () => {
    for (const o of document.querySelectorAll('#ui-lang option')) {
      if (!o.dataset.long) o.dataset.long = o.textContent;
      o.textContent = mq.matches ? o.dataset.short : o.dataset.long;
    }
  };
  mq.addEventListener('change', apply);
  apply();
  /* charts are drawn for the width: again when it changes much (a phone turned) */
  let drawn = window.innerWidth, timer = null;
  window.addEventListener('resize', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (Math.abs(window.innerWidth - drawn) < drawn * 0.15 || !(location.hash || '').startsWith('#/dashboard')) return;
      drawn = window.innerWidth;
      route();
    }, 250);
  });
}

async function start() {
  let lang = 'uz-Latn';
  try { lang = localStorage.getItem('mj.lang') || lang; } catch (e) { /* private mode */ }
  await setLang(lang);
  document.getElementById('ui-lang').addEventListener('change', async (ev) => { await setLang(ev.target.value); S.me ? route() : showLogin(); });
  document.getElementById('logout').addEventListener('click', logout);
  fitHeader();
  window.addEventListener('hashchange', route);
  const r = await fetch('/api/me', { credentials: 'same-origin' });
  if (r.status === 200) { S.me = await r.json(); signedIn(); } else showLogin();
}

start();
