// 审计日志: the audit trail for auditors — who did what, to what, when, from where, with what
// outcome — filtered by person, action and time, a page at a time (GET /api/v1/audit/events).
// An auditor has this page and nothing else; the API refuses the rest.

import { api, el, scrolling, session } from './api.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, ROLES, when } from './labels.js';
import { runPage, toLogin } from './page.js';

const LIMIT = 50;
const ACTIONS = AUDIT_ACTIONS;
const OUTCOMES = AUDIT_OUTCOMES;

const state = { offset: 0 };

function filters() {
  const actor = el('input', { id: 'f-actor', type: 'text', autocomplete: 'off' });
  const action = el('select', { id: 'f-action' }, el('option', { value: '' }, '全部操作'),
    Object.entries(ACTIONS).map(([code, label]) => el('option', { value: code }, label)));
  const since = el('input', { id: 'f-since', type: 'date' });
  const until = el('input', { id: 'f-until', type: 'date' });
  const run = el('button', { type: 'button', class: 'primary', id: 'f-run' }, '查询');
  run.addEventListener('click', () => { state.offset = 0; load().catch(show); });
  return el('section', { class: 'card', id: 'audit-filters' }, el('h1', {}, '审计日志'),
    el('div', { class: 'controls audit-controls' },
      el('div', { class: 'control' }, el('label', { for: 'f-actor' }, '操作人'), actor),
      el('div', { class: 'control' }, el('label', { for: 'f-action' }, '操作'), action),
      el('div', { class: 'control' }, el('label', { for: 'f-since' }, '起始日期'), since),
      el('div', { class: 'control' }, el('label', { for: 'f-until' }, '截止日期'), until)),
    run, el('div', { id: 'audit-error' }));
}

function query() {
  const params = new URLSearchParams({ limit: String(LIMIT), offset: String(state.offset) });
  for (const [id, name] of [['f-actor', 'actor'], ['f-action', 'action'], ['f-since', 'since'], ['f-until', 'until']]) {
    const value = document.getElementById(id).value.trim();
    if (value) params.set(name, value);
  }
  return `/api/v1/audit/events?${params}`;
}

function show(e) {
  if (e.status === 401) return toLogin();
  document.getElementById('audit-error').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
  return undefined;
}

async function load() {
  document.getElementById('audit-error').replaceChildren();
  const page = await api('GET', query());
  const rows = page.items.map((e) => el('tr', { 'data-id': String(e.id), 'data-action': e.action },
    el('td', {}, when(e.occurred_at)), el('td', {}, e.actor || '—'), el('td', {}, ROLES[e.role] || e.role || '—'),
    el('td', {}, ACTIONS[e.action] || e.action), el('td', {}, e.target || '—'),
    el('td', { class: `outcome ${e.outcome}` }, OUTCOMES[e.outcome] || e.outcome), el('td', {}, e.client_addr || '—'),
    el('td', {}, e.detail || '')));
  const previous = el('button', { type: 'button', id: 'page-previous', disabled: state.offset === 0 }, '上一页');
  const next = el('button', { type: 'button', id: 'page-next', disabled: state.offset + LIMIT >= page.total }, '下一页');
  previous.addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load().catch(show); });
  next.addEventListener('click', () => { state.offset += LIMIT; load().catch(show); });
  const from = page.total ? state.offset + 1 : 0;
  document.getElementById('audit-results').replaceChildren(
    el('p', { class: 'muted', id: 'audit-count' }, `共 ${page.total} 条，第 ${from}–${state.offset + page.items.length} 条`),
    scrolling(el('table', { class: 'data-table audit-table', id: 'audit-table' },
      el('thead', {}, el('tr', {}, ['时间', '操作人', '角色', '操作', '对象', '结果', '来源地址', '详情'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)), '审计日志'),
    el('div', { class: 'panel-buttons' }, previous, next));
  document.body.dataset.drawn = `${page.total}/${state.offset}`;
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${me.region_name || '全国'} · ${ROLES.auditor} ${me.subject}`;
  document.getElementById('main').replaceChildren(filters(), el('section', { class: 'card', id: 'audit-results' }));
  await load();
  return undefined;
}

runPage(main);
