// The one form (一张表) of a period for the clerk's village: every field saved when it is left,
// with If-Match, one save at a time so revisions follow each other; each field shows its state.

import { api, el, session } from './api.js';
import { toggleHistory } from './field_history.js';
import { signInAgain } from './relogin.js';
import { check, codesOf, display, input, parseType, words } from './fields.js';
import { ENTRY_STATUS, periodLabel, when } from './labels.js';
import { exact } from './numbers.js';
import * as outbox from './outbox.js';
import { register, remember } from './offline.js';
import { runPage, toLogin } from './page.js';

const STATES = { saved: '已保存', saving: '保存中…', failed: '保存失败', invalid: '有误', conflict: '有冲突', queued: '待同步' };

const state = { region: null, period: null, revision: 0, status: 'draft', fields: new Map(), rules: [], explanations: {}, queue: Promise.resolve() };

function setState(code, which, message = '') {
  const f = state.fields.get(code);
  if (!f) return;
  f.row.dataset.state = which;
  f.state.textContent = STATES[which] || '';
  f.error.textContent = message;
  f.error.hidden = !message;
  f.control.setAttribute('aria-invalid', which === 'invalid' ? 'true' : 'false');
}

/** Derived values as the server computed them (rounded to the indicator's scale); a missing one
 * says why when its inputs are on another period's form. */
function showDerived(derived) {
  for (const d of derived) {
    const f = state.fields.get(d.code);
    if (!f || !f.derived) continue;
    f.control.textContent = d.value === null ? '—' : exact(d.value);
    f.error.textContent = d.value === null && d.note ? d.note : '';
    f.error.hidden = !(d.value === null && d.note);
    f.error.classList.toggle('muted', Boolean(d.note));
  }
}

/** Rule results beside the fields each rule names: failing errors and warnings only. */
function showRules(results) {
  for (const f of state.fields.values()) f.rules.replaceChildren();
  for (const result of results) {
    if (result.outcome !== 'fail') continue;
    const rule = state.rules.find((r) => r.code === result.code);
    const codes = rule ? codesOf(rule.expression) : [];
    for (const code of codes) {
      const f = state.fields.get(code);
      if (!f) continue;
      f.rules.append(el('p', { class: `rule ${result.severity}`, 'data-rule': result.code }, `${result.severity === 'error' ? '错误' : '提醒'}：${result.message}`));
      // What the clerk said about it when submitting, for the reviewer (and the clerk, once returned).
      const why = result.severity === 'warning' && state.explanations[result.code];
      if (why) f.rules.append(el('p', { class: 'explanation', 'data-rule': result.code }, `填报说明：${why}`));
    }
  }
}

/** Calls the API; a 401 asks for the password in place and then tries once more. */
async function call(method, path, body, headers) {
  try {
    return await api(method, path, body, typeof headers === 'function' ? headers() : headers);
  } catch (e) {
    if (e.status !== 401) throw e;
    await signInAgain(state.subject);
    return api(method, path, body, typeof headers === 'function' ? headers() : headers);
  }
}

/**
 * A stale revision: someone saved this entry since it was read. When this field is as it was, the
 * save is simply made again on the new revision; when someone changed this very field, nothing is
 * overwritten: both values are shown and the clerk chooses.
 */
async function resolveStale(code, value) {
  const f = state.fields.get(code);
  const entry = await call('GET', `/api/v1/entries/${state.region}/${state.period}`);
  const theirs = entry.values.find((v) => v.code === code);
  const theirsText = theirs ? display(f.type, theirs.value) : '';
  state.revision = entry.revision;
  // What others saved meanwhile shows in every field the clerk has not touched since.
  for (const other of state.fields.values()) {
    if (other === f || other.derived) continue;
    const stored = entry.values.find((v) => v.code === other.field.code);
    const text = stored ? display(other.type, stored.value) : '';
    if (text !== other.base && other.control.value === other.base) {
      other.control.value = text;
      other.sent = text;
    }
    if (other.control.value === text) other.base = text;
  }
  showDerived(entry.derived);
  showRules(entry.rule_results);
  // The server already holds this very value: an earlier send arrived, only its answer was lost.
  if (theirsText === f.sent) {
    f.base = theirsText;
    setState(code, 'saved');
    return undefined;
  }
  if (theirsText === f.base) return save(code, value, true);
  setState(code, 'conflict', '');
  const mine = f.control.value;
  const keep = el('button', { type: 'button', class: 'keep-mine' }, '保留我的值');
  const take = el('button', { type: 'button', class: 'take-theirs' }, '采用对方的值');
  const box = el('div', { class: 'conflict', role: 'alert' },
    el('p', {}, `此项已被 ${theirs ? theirs.entered_by : '他人'} 改为“${theirs ? words(f.type, theirs.value) : '空'}”，您填写的是“${mine || '空'}”。请选择：`),
    el('div', { class: 'panel-buttons' }, take, keep));
  f.row.querySelector('.conflict')?.remove();
  f.row.append(box);
  f.base = theirsText;
  keep.addEventListener('click', () => { box.remove(); save(code, value, true); });
  take.addEventListener('click', () => {
    box.remove();
    f.control.value = theirsText;
    f.sent = theirsText;
    setState(code, 'saved');
  });
  return undefined;
}

/** Answers that settle an edit; any other (no network, a server fault) keeps it to send again. */
const FINAL = [400, 403, 404, 409, 412, 422, 428];

async function refreshBanner() {
  const waiting = await outbox.pending(state.region, state.period).catch(() => []);
  const banner = document.getElementById('sync-banner');
  if (!banner) return;
  banner.hidden = waiting.length === 0;
  banner.textContent = `有 ${waiting.length} 项修改等待同步，网络恢复后将按顺序自动发送`;
}

/**
 * Saves one field. The edit is written to the outbox first and removed only when the server has
 * answered it, so a lost connection or a closed tab loses nothing; `kept` is the outbox id of an
 * edit sent again.
 */
function save(code, value, now = false, kept = null) {
  setState(code, 'saving');
  const f = state.fields.get(code);
  const run = async () => {
    // Sent again from the outbox, but settled by another send meanwhile: nothing to do.
    if (kept !== null && !(await outbox.has(kept).catch(() => true))) {
      if (f.row.dataset.state === 'saving') setState(code, 'saved');
      return;
    }
    const id = kept ?? await outbox.keep({ region: state.region, period: state.period, code, value, text: f.sent, base: f.base })
      .catch(() => null);
    const settle = async () => { if (id !== null) await outbox.forget(id).catch(() => {}); };
    try {
      const started = performance.now();
      const answer = await call('PATCH', `/api/v1/entries/${state.region}/${state.period}`, { values: { [code]: value } },
        () => ({ 'if-match': `"${state.revision}"` }));
      // The save round trip, for scripts/bench-pages.py.
      performance.measure('onetable-save', { start: started, end: performance.now() });
      await settle();
      state.revision = answer.revision;
      document.getElementById('entry-status').textContent = statusLabel(answer);
      f.base = f.sent;
      setState(code, 'saved');
      showDerived(answer.derived);
      showRules(answer.rule_results);
    } catch (e) {
      if (!FINAL.includes(e.status)) {
        setState(code, 'queued', e.status === 0 ? '' : e.message);
      } else {
        await settle();
        if (e.status === 412) {
          await resolveStale(code, value);
        } else if (e.status === 422) {
          const detail = e.details.find((d) => d.field === code);
          setState(code, 'invalid', detail ? detail.message : e.message);
        } else {
          setState(code, 'failed', e.message);
        }
      }
    }
    await refreshBanner();
  };
  // A save made again from inside the queue runs at once; queued, it would wait for itself.
  return now ? run() : enqueue(run);
}

/** Sends what the outbox holds for this entry, in the order it was typed. */
let flushing = false;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (const edit of await outbox.pending(state.region, state.period)) {
      const f = state.fields.get(edit.code);
      if (!f) { await outbox.forget(edit.id); continue; }
      await save(edit.code, edit.value, false, edit.id);
      if (f.row.dataset.state === 'queued') break; // still offline: keep the order
    }
  } finally {
    flushing = false;
  }
}

/** After a reload or a closed tab: the edits not yet sent come back into their fields. */
async function restorePending() {
  for (const edit of await outbox.pending(state.region, state.period).catch(() => [])) {
    const f = state.fields.get(edit.code);
    if (!f) continue;
    f.control.value = edit.text;
    f.sent = edit.text;
    f.base = edit.base;
    setState(edit.code, 'queued');
  }
  await refreshBanner();
  window.addEventListener('online', () => { flush(); });
  setInterval(() => { if (navigator.onLine) flush(); }, 5000);
  await flush();
}

/** The form's state as the worklist says it: a form nothing was saved in yet has not started. */
function statusLabel(entry) {
  if (entry.revision === 0 && entry.status === 'draft') return ENTRY_STATUS.not_started;
  return ENTRY_STATUS[entry.status] || entry.status;
}

const editable = () => !state.reviewing && (state.status === 'draft' || state.status === 'returned');

/** After an answer that holds the whole entry (carry-forward, submit): every field shows it. */
function showEntry(entry) {
  state.explanations = entry.explanations || {};
  state.revision = entry.revision;
  state.status = entry.status;
  for (const f of state.fields.values()) {
    if (f.derived) continue;
    const stored = entry.values.find((v) => v.code === f.field.code);
    const text = stored ? display(f.type, stored.value) : '';
    if (text !== f.control.value || text !== f.sent) {
      f.control.value = text;
      f.sent = text;
      f.base = text;
      if (stored) setState(f.field.code, 'saved');
    }
    f.control.disabled = !editable();
  }
  const badge = document.getElementById('entry-status');
  badge.className = `status ${entry.status}`;
  badge.textContent = statusLabel(entry);
  showDerived(entry.derived);
  showRules(entry.rule_results);
  document.querySelectorAll('.confirm-section, #submit').forEach((b) => { b.hidden = !editable(); });
  const review = document.getElementById('review');
  if (review) review.hidden = state.status !== 'submitted';
}

/** Runs `work` after every save already queued, so revisions follow each other. */
function enqueue(work) {
  state.queue = state.queue.then(work, work);
  return state.queue;
}

/** "上期无变化，一键确认": shows which of last period's values will be copied, then copies them. */
function confirmPanel(codes, entry, where) {
  // In the form's order, as the clerk sees the fields.
  const previous = codes.map((code) => entry.carried_forward.find((c) => c.code === code)).filter((c) => c && state.fields.has(c.code));
  const panel = el('div', { class: 'confirm-panel', role: 'dialog', 'aria-label': '确认沿用上期数据' },
    el('p', {}, previous.length ? `将把以下 ${previous.length} 项上期数据复制到本期：` : '上期没有可沿用的数据'),
    el('ul', { class: 'copy-list' }, previous.map((c) => {
      const f = state.fields.get(c.code);
      return el('li', {}, `${f.field.name}：${words(f.type, c.value)}${f.field.unit ? ` ${f.field.unit}` : ''}`);
    })));
  const cancel = el('button', { type: 'button', class: 'cancel' }, '取消');
  const ok = el('button', { type: 'button', class: 'primary confirm-copy' }, '确认复制');
  ok.hidden = !previous.length;
  panel.append(el('div', { class: 'panel-buttons' }, cancel, ok));
  cancel.addEventListener('click', () => panel.remove());
  ok.addEventListener('click', () => {
    ok.disabled = true;
    enqueue(async () => {
      try {
        const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/carry-forward`,
          { codes: previous.map((c) => c.code) }, () => ({ 'if-match': `"${state.revision}"` }));
        panel.remove();
        showEntry(answer);
      } catch (e) {
        ok.disabled = false;
        panel.querySelector('p').textContent = e.message;
      }
    });
  });
  (where.closest('.section-head') || where).after(panel);
  panel.scrollIntoView({ block: 'center' });
}

/** The reasons a submit was refused, each linked to its field; explanations asked in place. */
function showRefusal(error, explanations) {
  const box = document.getElementById('submit-problems');
  box.replaceChildren(el('p', { class: 'error' }, error.message));
  const list = el('ul', { class: 'problems' });
  for (const d of error.details) {
    const rule = state.rules.find((r) => r.code === d.field);
    const code = rule ? codesOf(rule.expression).find((c) => state.fields.has(c)) : d.field;
    // A rule's own message: the API's adds how to explain over the API.
    const link = el('a', { href: `#f-${code}` }, rule ? rule.message : d.message);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const f = state.fields.get(code);
      if (f) { f.row.scrollIntoView({ block: 'center' }); f.control.focus(); }
    });
    const item = el('li', { 'data-problem': d.code, 'data-field': d.field }, link);
    if (d.code === 'explanation_required') {
      const id = `why-${d.field}`;
      const why = el('textarea', { id, rows: '2', maxlength: '500' });
      // After a return, what was said last time, to keep or change.
      if (explanations[d.field] === undefined && state.explanations[d.field]) explanations[d.field] = state.explanations[d.field];
      why.value = explanations[d.field] || '';
      why.addEventListener('input', () => { explanations[d.field] = why.value; });
      item.append(el('label', { for: id }, `说明原因（${rule ? rule.name : d.field}）`), why);
    }
    list.append(item);
  }
  box.append(list);
  box.hidden = false;
  box.scrollIntoView({ block: 'start' });
}

/** What happened, said where the person acted (a submit, a return, an approval). */
function announce(text, links = []) {
  const box = document.getElementById('outcome');
  box.replaceChildren(el('p', {}, text), ...links);
  box.hidden = false;
  box.scrollIntoView({ block: 'center' });
}

/** The fields left blank (derived ones aside), in the form's order. */
function blankFields() {
  return [...state.fields.values()].filter((f) => !f.derived && f.control.value.trim() === '');
}

/**
 * Before a submit with blank fields: they are listed, each a link to its field, and the clerk
 * decides (blank may be right: a village with no such thing).
 */
function askAboutBlanks(blanks, go) {
  document.getElementById('blank-check')?.remove();
  const back = el('button', { type: 'button', id: 'blank-back' }, '返回填写');
  const anyway = el('button', { type: 'button', class: 'primary', id: 'blank-submit' }, '确认无误，提交');
  const panel = el('div', { class: 'confirm-panel', id: 'blank-check', role: 'dialog', 'aria-label': '有未填写的项目' },
    el('p', {}, `还有 ${blanks.length} 项没有填写。空着也可能是对的（如本村没有此项），请确认：`),
    el('ul', { class: 'copy-list' }, blanks.map((f) => {
      const link = el('a', { href: `#f-${f.field.code}` }, f.field.name);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        panel.remove();
        f.row.scrollIntoView({ block: 'center' });
        f.control.focus();
      });
      return el('li', {}, link);
    })),
    el('div', { class: 'panel-buttons' }, back, anyway));
  back.addEventListener('click', () => {
    panel.remove();
    blanks[0].row.scrollIntoView({ block: 'center' });
    blanks[0].control.focus();
  });
  anyway.addEventListener('click', () => { panel.remove(); go(); });
  document.getElementById('submit').before(panel);
  panel.scrollIntoView({ block: 'center' });
}

function submitButton() {
  const explanations = {};
  const button = el('button', { type: 'button', id: 'submit', class: 'primary' }, '提交');
  const go = () => {
    button.disabled = true;
    enqueue(async () => {
      try {
        const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/submit`,
          { explanations }, () => ({ 'if-match': `"${state.revision}"` }));
        document.getElementById('submit-problems').hidden = true;
        showEntry(answer);
        announce('已提交，等待乡镇审核。审核通过或退回时，首页的待办会显示结果。', [el('a', { href: '/', id: 'back-home' }, '返回首页')]);
      } catch (e) {
        if (e.status === 422 && e.code === 'submission_refused') showRefusal(e, explanations);
        else document.getElementById('submit-problems').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
        document.getElementById('submit-problems').hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  };
  button.addEventListener('click', () => {
    const blanks = blankFields();
    if (blanks.length) askAboutBlanks(blanks, go); else go();
  });
  return button;
}

/** 通过 / 退回 for a reviewer: a return needs the comment the clerk will read. */
function reviewCard() {
  const comment = el('textarea', { id: 'review-comment', rows: '3', maxlength: '500' });
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const decide = (action) => enqueue(async () => {
    message.hidden = true;
    if (action === 'return' && !comment.value.trim()) {
      message.textContent = '退回时请填写退回意见，村填报员会看到';
      message.hidden = false;
      return;
    }
    try {
      const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/${action}`,
        { comment: comment.value.trim() || undefined }, () => ({ 'if-match': `"${state.revision}"` }));
      showEntry(answer);
      announce(action === 'approve' ? '已通过。这份报表的数据已计入汇总。' : '已退回，村填报员会在首页和报表上看到退回意见。',
        [el('a', { href: '/', id: 'back-queue' }, '返回待审核列表')]);
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
    }
  });
  const approve = el('button', { type: 'button', id: 'approve', class: 'primary' }, '通过');
  const back = el('button', { type: 'button', id: 'return' }, '退回');
  approve.addEventListener('click', () => decide('approve'));
  back.addEventListener('click', () => decide('return'));
  return el('section', { class: 'card submit-card', id: 'review' },
    el('label', { for: 'review-comment' }, '审核意见（退回时必填）'), comment, message,
    el('div', { class: 'panel-buttons' }, back, approve));
}

/**
 * What the form's history says at the top of the form: for the clerk of a returned form, the
 * reviewer's comment, where the fix is made; for a reviewer, the comment the form was last
 * returned with and every field changed since that return (or since the last approval), from
 * what to what.
 */
async function showHistoryNotes() {
  let page;
  try {
    page = await call('GET', `/api/v1/entries/${state.region}/${state.period}/history?limit=1000`);
  } catch (e) {
    // Offline, the form opens without its history notes.
    if (e.status === 0) return;
    throw e;
  }
  const events = page.items.filter((i) => i.kind === 'event');
  const lastReturn = events.find((e) => e.action === 'return');
  const lastApproval = events.find((e) => e.action === 'approve');
  const notes = document.getElementById('history-notes');
  if (lastReturn && (state.status === 'returned' || (state.reviewing && state.status === 'submitted'))) {
    notes.append(el('p', { class: 'return-comment', id: 'return-note' },
      `退回意见（${lastReturn.actor}，${when(lastReturn.at)}）：${lastReturn.comment || '（未填写）'}`));
  }
  if (!state.reviewing) return;
  // Since the later of the last return and the last approval.
  const since = [lastReturn, lastApproval].filter(Boolean).sort((a, b) => b.revision - a.revision)[0];
  if (!since) return;
  const changes = new Map();
  // Newest first: the first change seen of a field is its value now, the last its value then.
  for (const item of page.items) {
    if (item.kind !== 'value' || item.revision <= since.revision) continue;
    const seen = changes.get(item.indicator_code);
    changes.set(item.indicator_code, { now: seen ? seen.now : item.new_value, then: item.old_value });
  }
  const what = since.action === 'return' ? '退回' : '通过';
  const changed = [];
  for (const [code, change] of changes) {
    const f = state.fields.get(code);
    if (!f || change.now === change.then) continue;
    const link = el('a', { href: `#f-${code}` }, f.field.name);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      f.row.scrollIntoView({ block: 'center' });
    });
    changed.push(link);
    const text = (v) => (v === null || v === undefined || v === '' ? '空' : words(f.type, f.type.kind === 'boolean' ? v === 'true' : v));
    f.row.classList.add('changed');
    f.rules.before(el('p', { class: 'changed-note' }, `自上次${what}（${when(since.at)}）后修改：${text(change.then)} → ${text(change.now)}`));
  }
  notes.append(el('p', { class: 'muted', id: 'changed-count' },
    changed.length ? `自上次${what}后改动了 ${changed.length} 项（已在表中标出）：` : `自上次${what}后没有改动数据。`,
    ...changed.flatMap((link, i) => (i ? ['、', link] : [link]))));
}

function fieldRow(field, entry) {
  const type = parseType(field.value_type);
  const label = field.unit ? `${field.name}（${field.unit}）` : field.name;
  const id = `f-${field.code}`;
  const control = field.derived ? el('output', { id, class: 'derived' }, '—') : input(el, field, type);
  const previous = entry.carried_forward.find((c) => c.code === field.code);
  const note = el('span', { id: `${id}-note`, class: 'muted' },
    previous ? `上期：${words(type, previous.value)}` : '', field.derived ? '（自动计算）' : '');
  const row = el('div', { class: 'field', 'data-code': field.code },
    el('label', { for: id }, label, field.required ? el('span', { class: 'required', 'aria-label': '必填' }, ' *') : null),
    control,
    el('div', { class: 'field-foot' }, note, el('span', { class: 'save-state', role: 'status' }),
      field.derived ? null : el('button', { type: 'button', class: 'link history-button', 'aria-expanded': 'false' }, '修改记录')),
    el('p', { class: 'error', role: 'alert', hidden: true }),
    el('div', { class: 'rules' }));
  const f = { field, type, row, control, derived: field.derived, state: row.querySelector('.save-state'), error: row.querySelector('.error'), rules: row.querySelector('.rules') };
  state.fields.set(field.code, f);
  const historyButton = row.querySelector('.history-button');
  if (historyButton) historyButton.addEventListener('click', () => toggleHistory(f, historyButton, `/api/v1/entries/${state.region}/${state.period}`));
  if (!field.derived) {
    const stored = entry.values.find((v) => v.code === field.code);
    control.value = stored ? display(type, stored.value) : '';
    f.sent = control.value;
    f.base = control.value;
    control.addEventListener('change', () => {
      const text = control.value;
      if (text === f.sent) return;
      const checked = check(field, type, text);
      if (checked.error) return setState(field.code, 'invalid', checked.error);
      f.sent = text;
      save(field.code, checked.value);
    });
    // Enter moves on, as Tab does, on a desktop keyboard.
    control.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || control.tagName === 'TEXTAREA') return;
      event.preventDefault();
      const inputs = [...document.querySelectorAll('.field input, .field select')];
      const next = inputs[inputs.indexOf(control) + 1];
      if (next) next.focus(); else control.blur();
    });
    control.disabled = !editable();
  }
  return row;
}

async function main() {
  register();
  const current = await session();
  if (!current) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = me.region_name || '';
  const params = new URLSearchParams(location.search);
  state.reviewing = me.role === 'reviewer' || me.role === 'admin';
  state.subject = me.subject;
  state.region = (state.reviewing && params.get('region')) || me.region;
  state.period = new URLSearchParams(location.search).get('period') || '';
  const [form, entry, village] = await Promise.all([
    api('GET', `/api/v1/form?period=${encodeURIComponent(state.period)}`),
    api('GET', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}`),
    // A reviewer reads many villages' forms: the title names this one.
    state.reviewing ? api('GET', `/api/v1/regions/${state.region}`).catch(() => null) : null,
  ]);
  state.revision = entry.revision;
  state.status = entry.status;
  state.rules = form.rules;
  // For opening this form again with no network (see offline.js).
  remember('/api/v1/auth/session', current);
  remember('/api/v1/me', me);
  remember(`/api/v1/form?period=${encodeURIComponent(state.period)}`, form);
  remember(`/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}`, entry);
  const page = document.getElementById('main');
  const entered = (fields) => fields.filter((f) => !f.derived).map((f) => f.code);
  const confirmButton = (label, codes) => {
    const button = el('button', { type: 'button', class: 'confirm-section' }, label);
    button.addEventListener('click', () => {
      document.querySelectorAll('.confirm-panel').forEach((p) => p.remove());
      confirmPanel(codes, entry, button);
    });
    return button;
  };
  const allCodes = entered(form.sections.flatMap((s) => s.fields));
  page.replaceChildren(
    el('p', { id: 'sync-banner', class: 'sync-banner', role: 'status', hidden: true }),
    el('div', { class: 'form-head' },
      el('h1', {}, village ? `${village.name} · ${periodLabel(form.period)}报表` : `${periodLabel(form.period)}报表`),
      el('span', { class: `status ${entry.status}`, id: 'entry-status' }, statusLabel(entry))),
    el('div', { id: 'history-notes' }),
    entry.carried_forward.length ? confirmButton('全表上期无变化，一键确认', allCodes) : '',
    ...form.sections.map((section) => el('section', { class: 'card form-section', 'data-category': section.category },
      el('div', { class: 'section-head' },
        el('h2', {}, section.category),
        entry.carried_forward.some((c) => entered(section.fields).includes(c.code))
          ? confirmButton('上期无变化，一键确认', entered(section.fields)) : ''),
      section.fields.map((field) => fieldRow(field, entry)))),
    el('div', { id: 'outcome', class: 'saved-note', role: 'status', hidden: true }),
    state.reviewing ? reviewCard() : el('section', { class: 'card submit-card' },
      el('div', { id: 'submit-problems', role: 'alert', hidden: true }),
      submitButton()));
  showEntry(entry);
  // From navigation to a form that takes input, for scripts/bench-pages.py.
  performance.mark('onetable-form-editable');
  await showHistoryNotes();
  if (!state.reviewing) await restorePending();
}

runPage(main);
