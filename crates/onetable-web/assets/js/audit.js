// 审计日志: the audit trail for auditors — who did what, to what, when, from where, with what
// outcome — filtered by person, action and time, a page at a time (GET /api/v1/audit/events).
// An auditor has this page and nothing else; the API refuses the rest.

import { api, el, session } from './api.js';
import { when } from './numbers.js';
import { runPage, toLogin } from './page.js';

const LIMIT = 50;
const ACTIONS = {
  'auth.login': '登录', 'auth.logout': '退出', 'auth.lockout': '账户锁定', 'auth.token': '系统换取令牌',
  'entries.submit': '提交报表', 'entries.approve': '审核通过', 'entries.return': '退回报表', 'entries.reopen': '重新打开',
  'entries.edit': '修改数据', 'imports.create': '导入数据', 'users.create': '新建用户', 'users.update': '修改用户',
  'indicators.create': '新建指标', 'indicators.update': '修改指标', 'indicators.deprecate': '停用指标',
  'rules.create': '新建规则', 'rules.update': '修改规则', 'data_request.file': '提交数据需求',
  'data_request.approve': '批准数据需求', 'data_request.reject': '驳回数据需求', 'data_request.revoke': '撤销数据需求',
  'data_request.pull': '调取数据', 'dashboards.create': '新建看板', 'dashboards.update': '修改看板', 'dashboards.delete': '删除看板',
};
const OUTCOMES = { success: '成功', denied: '拒绝', failure: '失败' };

const state = { offset: 0 };

function filters() {
  const actor = el('input', { id: 'f-actor', type: 'text', autocomplete: 'off' });
  const action = el('select', { id: 'f-action' }, el('option', { value: '' }, '全部操作'),
    Object.entries(ACTIONS).map(([code, label]) => el('option', { value: code }, `${label}（${code}）`)));
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
    el('td', {}, when(e.occurred_at)), el('td', {}, e.actor || '—'), el('td', {}, e.role || '—'),
    el('td', {}, ACTIONS[e.action] ? `${ACTIONS[e.action]}（${e.action}）` : e.action), el('td', {}, e.target || '—'),
    el('td', { class: `outcome ${e.outcome}` }, OUTCOMES[e.outcome] || e.outcome), el('td', {}, e.client_addr || '—'),
    el('td', {}, e.detail || '')));
  const previous = el('button', { type: 'button', id: 'page-previous', disabled: state.offset === 0 }, '上一页');
  const next = el('button', { type: 'button', id: 'page-next', disabled: state.offset + LIMIT >= page.total }, '下一页');
  previous.addEventListener('click', () => { state.offset = Math.max(0, state.offset - LIMIT); load().catch(show); });
  next.addEventListener('click', () => { state.offset += LIMIT; load().catch(show); });
  const from = page.total ? state.offset + 1 : 0;
  document.getElementById('audit-results').replaceChildren(
    el('p', { class: 'muted', id: 'audit-count' }, `共 ${page.total} 条，第 ${from}–${state.offset + page.items.length} 条`),
    el('div', { class: 'table-scroll' }, el('table', { class: 'data-table audit-table', id: 'audit-table' },
      el('thead', {}, el('tr', {}, ['时间', '操作人', '角色', '操作', '对象', '结果', '来源地址', '详情'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows))),
    el('div', { class: 'panel-buttons' }, previous, next));
  document.body.dataset.drawn = `${page.total}/${state.offset}`;
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${me.region_name || '全国'} · 审计员 ${me.subject}`;
  document.getElementById('main').replaceChildren(filters(), el('section', { class: 'card', id: 'audit-results' }));
  await load();
  return undefined;
}

runPage(main);
