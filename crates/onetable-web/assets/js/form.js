// The one form (一张表) of a period for the clerk's village: every field saved when it is left,
// with If-Match, one save at a time so revisions follow each other; each field shows its state.

import { api, el, session } from './api.js';
import { check, codesOf, display, input, parseType } from './fields.js';
import { periodLabel } from './labels.js';

const STATES = { saved: '已保存', saving: '保存中…', failed: '保存失败', invalid: '有误' };
const STATUS = { draft: '填报中', submitted: '已提交，待审核', returned: '已退回', approved: '已通过' };

const state = { region: null, period: null, revision: 0, status: 'draft', fields: new Map(), rules: [], queue: Promise.resolve() };

function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

function setState(code, which, message = '') {
  const f = state.fields.get(code);
  if (!f) return;
  f.row.dataset.state = which;
  f.state.textContent = STATES[which] || '';
  f.error.textContent = message;
  f.error.hidden = !message;
  f.control.setAttribute('aria-invalid', which === 'invalid' ? 'true' : 'false');
}

function showDerived(derived) {
  for (const d of derived) {
    const f = state.fields.get(d.code);
    if (f && f.derived) f.control.textContent = d.value === null ? '—' : String(d.value);
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
      if (f) f.rules.append(el('p', { class: `rule ${result.severity}`, 'data-rule': result.code }, `${result.severity === 'error' ? '错误' : '提醒'}：${result.message}`));
    }
  }
}

function save(code, value) {
  setState(code, 'saving');
  const run = async () => {
    try {
      const answer = await api('PATCH', `/api/v1/entries/${state.region}/${state.period}`, { values: { [code]: value } },
        { 'if-match': `"${state.revision}"` });
      state.revision = answer.revision;
      setState(code, 'saved');
      showDerived(answer.derived);
      showRules(answer.rule_results);
    } catch (e) {
      if (e.status === 422) {
        const detail = e.details.find((d) => d.field === code);
        setState(code, 'invalid', detail ? detail.message : e.message);
      } else {
        setState(code, 'failed', e.message);
        if (e.status === 401) toLogin();
      }
    }
  };
  state.queue = state.queue.then(run);
  return state.queue;
}

function fieldRow(field, entry) {
  const type = parseType(field.value_type);
  const label = field.unit ? `${field.name}（${field.unit}）` : field.name;
  const id = `f-${field.code}`;
  const control = field.derived ? el('output', { id, class: 'derived' }, '—') : input(el, field, type);
  const previous = entry.carried_forward.find((c) => c.code === field.code);
  const note = el('span', { id: `${id}-note`, class: 'muted' },
    previous ? `上期：${display(type, previous.value)}` : '', field.derived ? '（自动计算）' : '');
  const row = el('div', { class: 'field', 'data-code': field.code },
    el('label', { for: id }, label, field.required ? el('span', { class: 'required', 'aria-label': '必填' }, ' *') : null),
    control,
    el('div', { class: 'field-foot' }, note, el('span', { class: 'save-state', role: 'status' })),
    el('p', { class: 'error', role: 'alert', hidden: true }),
    el('div', { class: 'rules' }));
  const f = { field, type, row, control, derived: field.derived, state: row.querySelector('.save-state'), error: row.querySelector('.error'), rules: row.querySelector('.rules') };
  state.fields.set(field.code, f);
  if (!field.derived) {
    const stored = entry.values.find((v) => v.code === field.code);
    control.value = stored ? display(type, stored.value) : '';
    f.sent = control.value;
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
    if (state.status === 'submitted' || state.status === 'approved') control.disabled = true;
  }
  return row;
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = me.region_name || '';
  state.region = me.region;
  state.period = new URLSearchParams(location.search).get('period') || '';
  const [form, entry] = await Promise.all([
    api('GET', `/api/v1/form?period=${encodeURIComponent(state.period)}`),
    api('GET', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}`),
  ]);
  state.revision = entry.revision;
  state.status = entry.status;
  state.rules = form.rules;
  const page = document.getElementById('main');
  page.replaceChildren(
    el('div', { class: 'form-head' },
      el('h1', {}, `${periodLabel(form.period)}报表`),
      el('span', { class: `status ${entry.status}`, id: 'entry-status' }, STATUS[entry.status] || entry.status)),
    ...form.sections.map((section) => el('section', { class: 'card form-section' },
      el('h2', {}, section.category),
      section.fields.map((field) => fieldRow(field, entry)))));
  showDerived(entry.derived);
  showRules(entry.rule_results);
}

main().catch((e) => {
  if (e.status === 401) return toLogin();
  document.getElementById('main').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
});
