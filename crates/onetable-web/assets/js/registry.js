// 指标库: the registry for admins — search it, read an indicator's versions and what changed in
// each, create one (the duplicate guard answering as the name is typed), edit it (a new version)
// or deprecate it with a reason. Other readers see it without the buttons.

import { api, el, session } from './api.js';
import { indicatorForm } from './indicator_form.js';
import { FREQUENCIES, SENSITIVITY, when } from './labels.js';
import { runPage, toLogin } from './page.js';
import { registerTypesCard } from './register_types.js';

const STATUS = { active: '在用', draft: '草稿', deprecated: '已停用' };
// Notes the server writes itself (older versions carry the English one).
const NOTES = { 'catalogue load': '导入指标目录' };
const FIELDS = { name: '名称', unit: '单位', category: '类别', value_type: '类型', frequency: '频度', aggregation: '汇总方式',
  sensitivity: '敏感程度', owner_department: '主管部门', min: '最小值', max: '最大值', description: '说明', formula: '计算公式', status: '状态' };

const state = { me: null, q: '', open: null };

function admin() {
  return state.me.role === 'admin';
}

/** What each version changed from the one before. */
function changes(versions) {
  return versions.map((version, i) => {
    const before = versions[i - 1];
    const changed = before ? Object.keys(FIELDS).filter((f) => JSON.stringify(before[f]) !== JSON.stringify(version[f])) : [];
    return el('li', { 'data-version': String(version.version) },
      `第 ${version.version} 版 · ${when(version.created_at)} · ${version.created_by}`,
      before ? (changed.length ? el('ul', {}, changed.map((f) => el('li', {}, `${FIELDS[f]}：${before[f] ?? '空'} → ${version[f] ?? '空'}`))) : '（无字段变化）') : '（首版）',
      version.change_note ? el('div', { class: 'muted' }, `原因：${NOTES[version.change_note] || version.change_note}`) : null);
  });
}

async function detail(code) {
  const versions = await api('GET', `/api/v1/indicators/${encodeURIComponent(code)}/versions`);
  const current = versions[versions.length - 1];
  const box = el('section', { class: 'card', id: 'indicator-detail', 'data-code': code },
    el('h2', {}, `${current.name}（${code}）`),
    el('p', {}, `${current.category} · ${current.unit || '无单位'} · ${FREQUENCIES[current.frequency] || current.frequency} · ${STATUS[current.status] || current.status} · ${SENSITIVITY[current.sensitivity] || current.sensitivity}`),
    current.formula ? el('p', {}, `计算公式：${current.formula}`) : null,
    el('h3', {}, '版本记录'), el('ol', { class: 'history-list', id: 'versions' }, changes(versions)));
  if (admin() && current.status !== 'deprecated') {
    const edit = el('button', { type: 'button', id: 'edit-indicator' }, '修改');
    edit.addEventListener('click', () => box.replaceWith(indicatorForm(current, () => show(code))));
    const reason = el('input', { id: 'deprecate-reason', type: 'text' });
    const refusal = el('p', { class: 'error', role: 'alert', hidden: true });
    const deprecate = el('button', { type: 'button', id: 'deprecate-indicator' }, '停用');
    deprecate.addEventListener('click', async () => {
      try {
        await api('POST', `/api/v1/indicators/${encodeURIComponent(code)}/deprecate`, { reason: reason.value.trim() });
        await show(code);
      } catch (e) {
        refusal.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
        refusal.hidden = false;
      }
    });
    box.append(el('div', { class: 'panel-buttons' }, edit),
      el('label', { for: 'deprecate-reason' }, '停用原因（必填）'), reason, refusal, el('div', { class: 'panel-buttons' }, deprecate));
  }
  return box;
}

async function list() {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  const found = await api('GET', `/api/v1/indicators?${params}`);
  return el('ul', { class: 'list', id: 'indicator-list' }, found.items.map((i) => {
    const open = el('a', { href: `#${i.code}`, 'data-code': i.code }, `${i.name}（${i.code}）`);
    open.addEventListener('click', (event) => { event.preventDefault(); show(i.code); });
    return el('li', {}, open, el('span', { class: 'muted' }, ` ${i.category} · ${i.unit || '无单位'} · ${STATUS[i.status] || i.status}`),
      i.sensitivity === 'sensitive' ? el('span', { class: 'badge sensitive' }, '敏感') : null);
  }));
}

async function show(code) {
  state.open = code;
  const search = el('input', { id: 'registry-search', type: 'search', value: state.q, placeholder: '按名称或代码搜索' });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => { state.q = search.value.trim(); document.getElementById('indicator-list').replaceWith(await list()); }, 250);
  });
  const create = el('button', { type: 'button', id: 'new-indicator', class: 'primary' }, '新建指标');
  create.addEventListener('click', () => {
    document.getElementById('indicator-detail')?.remove();
    document.getElementById('indicator-form')?.remove();
    document.getElementById('registry').after(indicatorForm(null, (saved) => show(saved.indicator.code)));
  });
  document.getElementById('main').replaceChildren(
    el('section', { class: 'card', id: 'registry' }, el('h1', {}, '指标库'),
      el('label', { for: 'registry-search' }, '搜索'), search, admin() ? create : null, await list()),
    code ? await detail(code) : '',
    await registerTypesCard(admin()));
  document.body.dataset.drawn = code || 'list';
}

async function main() {
  if (!(await session())) return toLogin();
  state.me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${state.me.region_name || '全国'} · ${state.me.subject}`;
  await show(location.hash.slice(1) || null);
  return undefined;
}

runPage(main);
