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
  const d = new Date(sec * 1000);
  const loc = { 'uz-Latn': 'uz', ru: 'ru', en: 'en-GB' }[S.lang] || 'en-GB';
  return d.toLocaleString(loc, { timeZone: 'Asia/Tashkent', dateStyle: 'short', timeStyle: 'short' });
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
  try { data = await r.json(); } catch (e) { data = { error: 'bad_json', message: String(e) }; }
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
  document.getElementById('who').textContent = S.me.username + ' (' + S.me.role + ')';
  route();
}

async function logout() {
  await api('POST', 'logout', {});
  S.me = null;
  location.hash = '#/inbox';
  showLogin();
}

/* ---- teaching the bot: labels for citizens' messages */

/* An intent's name in the interface's language ("status_check" if none). */
function iname(n) { return S.strings['intent.' + n] || n; }

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
    if (r.status !== 200) { state.textContent = t('err.generic', { m: r.data.message }); return; }
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
    h('label', {}, t('f.channel'), sel('channel', [['sms', 'SMS'], ['telegram', 'Telegram'], ['ussd', 'USSD'], ['aggregator', 'aggregator'], ['chat', 'chat']])),
    h('label', {}, t('f.lang'), sel('lang', [['uz-Latn', 'uz-Latn'], ['uz-Cyrl', 'uz-Cyrl'], ['ru', 'ru'], ['en', 'en']])),
    h('label', {}, t('f.status'), sel('status', [['open', t('st.open')], ['held', t('st.held')], ['resolved', t('st.resolved')]])),
    h('label', {}, t('f.from'), h('input', { type: 'date', name: 'from', id: 'f-from', value: q.get('from') || '' })),
    h('label', {}, t('f.to'), h('input', { type: 'date', name: 'to', id: 'f-to', value: q.get('to') || '' })),
    h('label', { cls: 'grow' }, t('f.q'), h('input', { type: 'search', name: 'q', id: 'f-q', value: q.get('q') || '' })),
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
  const badges = [h('span', { cls: 'badge ch' }, c.channel), c.lang ? h('span', { cls: 'badge' }, c.lang) : null,
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
    if (r.status !== 200) { status.replaceChildren(flash(t('err.generic', { m: r.data.message }), 'bad')); return; }
    for (const c of r.data.items) if (!seen.has(c.id)) { seen.add(c.id); list.append(convItem(c)); }
    if (seen.size === 0) status.replaceChildren(flash(t('inbox.empty')));
    cursor = r.data.next;
    more.hidden = !cursor;
  }
  more.addEventListener('click', page);
  await page();
}

/* ---- one conversation */

function msgItem(m) {
  const meta = [m.direction === 'in' ? t('m.in') : t('m.out'), m.channel, m.lang,
    t('m.intent') + ': ' + m.intent, t('m.delivery') + ': ' + m.delivery];
  if (m.segments) meta.push(t('m.segments') + ': ' + m.segments + ' (' + m.encoding + ')');
  if (m.source) meta.push(t('m.source') + ': ' + t('src.' + m.source) + (m.source === 'model' ? ' ' + Math.round(m.prob * 100) + '%' : ''));
  const teach = m.direction === 'in' ? h('div', { cls: 'meta teach' },
    m.label ? t('l.by', { who: m.label.by, t: when(m.label.at) }) + ' ' : '',
    labelPicker(m.id, m.label ? m.label.intent : '', m.review ? '' : m.intent)) : null;
  return h('li', { cls: 'msg ' + m.direction + ' d-' + m.delivery + (m.review && !m.label ? ' review' : ''), 'data-id': m.id },
    h('div', { cls: 'body' }, m.body),
    h('div', { cls: 'meta' }, when(m.created_at) + ' · ' + meta.join(' · ')),
    teach,
    m.error ? h('div', { cls: 'meta bad' }, m.error) : null);
}

async function cannedFor(lang) {
  if (!S.canned) {
    const r = await api('GET', 'canned');
    S.canned = r.status === 200 ? r.data : {};
  }
  return S.canned;
}

async function showConversation(id) {
  const r = await api('GET', 'conversations/' + id);
  if (r.status !== 200) { show(flash(t('err.generic', { m: r.data.message }), 'bad')); return; }
  const v = r.data, c = v.contact;
  const note = h('div', { id: 'conv-msg' });
  const say = (text, cls) => note.replaceChildren(flash(text, cls));
  const act = async (verb, body) => {
    const res = await api('POST', 'conversations/' + id + '/' + verb, body);
    if (res.status === 409) { say(res.data.held_by ? t('err.conflict', { who: res.data.held_by }) : res.data.message, 'bad'); return null; }
    if (res.status !== 200) { say(t('err.generic', { m: res.data.message }), 'bad'); return null; }
    return res.data;
  };

  const phone = h('dd', { id: 'c-phone' }, c.phone || '—');
  const address = h('dd', { id: 'c-address' }, c.address);
  const info = h('dl', { cls: 'contact' },
    h('dt', {}, t('c.channel')), h('dd', {}, c.channel),
    h('dt', {}, t('c.address')), address,
    h('dt', {}, t('c.phone')), phone,
    h('dt', {}, t('c.lang')), h('dd', {}, c.lang),
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
      if (m.status === 200) cost.textContent = t('c.segments', { n: m.data.segments, enc: m.data.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2' });
    }, 150);
  };
  text.addEventListener('input', measure);
  const canned = h('select', { id: 'reply-canned', disabled: !c.held_by_me });
  canned.append(h('option', { value: '' }, t('c.canned')));
  cannedFor().then((all) => {
    const lang = all[c.lang] ? c.lang : 'uz-Latn';
    for (const [lg, items] of Object.entries(all)) {
      const g = h('optgroup', { label: lg });
      for (const it of items) g.append(h('option', { value: it.text }, it.id));
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

  const apps = v.applications.length === 0 ? h('p', { cls: 'hint' }, t('c.noapps')) :
    h('div', { cls: 'scroll' }, h('table', { cls: 'apps' }, h('tbody', {}, v.applications.map((a) =>
      h('tr', {}, h('td', {}, a.number), h('td', {}, a.programme), h('td', {}, a.status),
        h('td', {}, a.submitted), h('td', {}, a.decided || ''), h('td', {}, a.pinfl))))));

  show(h('a', { href: '#/inbox', cls: 'back' }, t('c.back')),
    h('div', { cls: 'conv-grid' },
      h('div', { cls: 'col-main' }, h('p', { cls: 'hold', id: 'hold' }, holdText), note, msgs, replyBox),
      h('aside', { cls: 'col-side' },
        h('section', { cls: 'card' }, h('h2', {}, t('c.contact')), info, h('div', { cls: 'buttons' }, buttons)),
        h('section', { cls: 'card' }, h('h2', {}, t('c.labels')), labels, labelsBtn),
        h('section', { cls: 'card' }, h('h2', {}, t('c.notes')), notes, noteText, noteBtn),
        h('section', { cls: 'card' }, h('h2', {}, t('c.apps')), apps))));
  msgs.lastElementChild && msgs.lastElementChild.scrollIntoView({ block: 'nearest' });
}

/* ---- dashboard: SVG charts */

const COLORS = { sms: '#1f77b4', telegram: '#2ca02c', ussd: '#d62728', aggregator: '#9467bd', chat: '#ff7f0e' };
const color = (k, i) => COLORS[k] || ['#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'][i % 5];

function stackedBars(days, valueOf, title, id) {
  const byDay = new Map(), chans = new Set();
  for (const d of days) {
    if (!byDay.has(d.day)) byDay.set(d.day, {});
    byDay.get(d.day)[d.channel] = valueOf(d);
    chans.add(d.channel);
  }
  const keys = [...byDay.keys()].sort(), cl = [...chans].sort();
  /* every day inside the chart, a year too: thin bars without gaps */
  const W = 640, H = 220, pad = 34, slot = (W - pad - 8) / Math.max(1, keys.length);
  const bw = Math.min(40, slot > 8 ? slot - 4 : slot * 0.8);
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
        r.append(s('title', {}, `${k} ${c}: ${v}`));
        svg.append(r);
      }
      y -= bh;
    });
    if (keys.length <= 16 || i % Math.ceil(keys.length / 8) === 0) svg.append(s('text', { x, y: H - pad + 14, 'font-size': 10 }, k.slice(5)));
  });
  const legend = h('div', { cls: 'legend' }, cl.map((c, j) => h('span', {}, h('i', { cls: 'sw', 'data-c': c }), c)));
  legend.querySelectorAll('i.sw').forEach((el, j) => { el.style.background = color(cl[j], j); });
  return h('section', { cls: 'card chart-card' }, h('h2', {}, title), svg, legend);
}

function hBars(rows, title, id) {
  const W = 600, row = 22, H = Math.max(row, rows.length * row) + 4;
  const max = Math.max(1, ...rows.map((r) => r.n));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart', id });
  rows.forEach((r, i) => {
    const bw = (W - 230) * r.n / max;
    svg.append(s('text', { x: 0, y: i * row + 15, 'font-size': 12 }, r.key || '—'));
    svg.append(s('rect', { x: 170, y: i * row + 4, width: Math.max(1, bw), height: row - 8, fill: color(r.key, i) }));
    svg.append(s('text', { x: 174 + bw, y: i * row + 15, 'font-size': 11 }, String(r.n)));
  });
  return h('section', { cls: 'card chart-card' }, h('h2', {}, title), svg);
}

function tile(label, value, id) {
  return h('div', { cls: 'tile', id }, h('div', { cls: 'v' }, value), h('div', { cls: 'l' }, label));
}

async function showDashboard(q) {
  const days = q.get('days') || '14';
  const r = await api('GET', 'dashboard?days=' + encodeURIComponent(days));
  if (r.status !== 200) { show(flash(t('err.generic', { m: r.data.message }), 'bad')); return; }
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
      hBars(d.intents, t('d.intents'), 'chart-intents'),
      hBars(d.langs, t('d.langs'), 'chart-langs')),
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
    if (r.status !== 200) { out.replaceChildren(flash(t('err.generic', { m: r.data.message }), 'bad')); return; }
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

async function showAudit() {
  const r = await api('GET', 'audit?limit=200');
  if (r.status !== 200) { show(flash(t('err.generic', { m: r.data.message }), 'bad')); return; }
  show(h('h1', {}, t('a.title')), h('div', { cls: 'scroll' }, h('table', { cls: 'audit', id: 'audit' },
    h('thead', {}, h('tr', {}, ['a.when', 'a.who', 'a.what', 'a.conv', 'a.detail'].map((k) => h('th', {}, t(k))))),
    h('tbody', {}, r.data.items.map((a) => h('tr', {},
      h('td', {}, when(a.at)), h('td', {}, a.username), h('td', {}, a.action),
      h('td', {}, a.conversation ? h('a', { href: '#/c/' + a.conversation }, String(a.conversation)) : ''),
      h('td', {}, a.detail)))))));
}

/* ---- routing by location.hash */

async function route() {
  if (!S.me) return;
  const hash = location.hash || '#/inbox';
  const [path, query] = hash.slice(1).split('?');
  const q = new URLSearchParams(query || '');
  try {
    let m;
    if ((m = path.match(/^\/c\/(\d+)$/))) await showConversation(m[1]);
    else if (path === '/dashboard') await showDashboard(q);
    else if (path === '/audit') await showAudit();
    else await showInbox(q);
  } catch (e) {
    if (e.message !== 'login') show(flash(t('err.generic', { m: e.message }), 'bad'));
  }
}

async function start() {
  let lang = 'uz-Latn';
  try { lang = localStorage.getItem('mj.lang') || lang; } catch (e) { /* private mode */ }
  await setLang(lang);
  document.getElementById('ui-lang').addEventListener('change', async (ev) => { await setLang(ev.target.value); S.me ? route() : showLogin(); });
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  const r = await fetch('/api/me', { credentials: 'same-origin' });
  if (r.status === 200) { S.me = await r.json(); signedIn(); } else showLogin();
}

start();
