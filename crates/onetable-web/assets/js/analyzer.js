// 报表清理 (/forms): a department or an admin drops the Excel form it used to send villages and
// sees each column with the registry indicator it maps to, coloured by how sure the match is;
// fixes a match from a searchable list; then an admin confirms (the names become aliases) and a
// department leaves with a draft data request, proposals for what is new, and a template that
// comes back filled once approved. Every rule stays in the API.

import { api, el, session } from './api.js';
import { ROLES } from './labels.js';
import { actions } from './analyzer_actions.js';
import { batchCard } from './analyzer_batch.js';
import { columnList } from './analyzer_columns.js';
import { templatesCard } from './analyzer_templates.js';
import { runPage, toLogin } from './page.js';
import { proposalsCard } from './proposals.js';

const state = { me: null, indicators: new Map(), file: null };

function figure(id, label, value) {
  return el('div', { class: 'figure', id }, el('span', { class: 'figure-value' }, value), el('span', { class: 'figure-label' }, label));
}

function coverage(analysis, choices) {
  const matched = [...choices.values()].filter(Boolean).length;
  return el('div', { class: 'figures', id: 'coverage' },
    figure('f-columns', '数据列', analysis.columns.length),
    figure('f-matched', '指标库已有', matched),
    figure('f-new', '新需求', analysis.columns.length - matched),
    figure('f-share', '覆盖率', `${Math.round((matched / Math.max(analysis.columns.length, 1)) * 100)}%`));
}

async function analyze(file, extras, notice = null) {
  const result = document.getElementById('analysis');
  result.replaceChildren(el('p', { class: 'muted' }, `正在分析 ${file.name}……`));
  const form = new FormData();
  form.append('file', file, file.name);
  let analysis;
  try {
    analysis = await api('POST', '/api/v1/forms/analyze', form);
  } catch (e) {
    result.replaceChildren(el('p', { class: 'error', role: 'alert', id: 'analysis-error' }, e.message));
    return;
  }
  state.file = file;
  const choices = new Map(analysis.columns.map((c) => [c.column, c.matched ? c.matched.code : null]));
  const figures = el('div', {}, coverage(analysis, choices));
  const labels = analysis.label_columns.map((l) => `${l.column} ${l.header}`).join('、');
  result.replaceChildren(
    el('h2', {}, analysis.title || analysis.file_name || '未命名报表'),
    notice ? el('p', { class: 'saved-note', id: 'analysis-notice', role: 'status' }, notice) : '',
    el('p', { class: 'muted' }, `${analysis.file_name || ''} · 表头在第 ${analysis.header_rows[0]}–${analysis.header_rows[1]} 行${labels ? ` · 行标签列 ${labels}` : ''} · ${analysis.data_rows} 行数据`),
    figures,
    el('p', { class: 'legend' }, el('span', { class: 'badge sure-high' }, '把握大'), el('span', { class: 'badge sure-mid' }, '较有把握'),
      el('span', { class: 'badge sure-low' }, '请核对'), el('span', { class: 'badge sure-none' }, '新指标')),
    columnList(analysis, choices, state.indicators, () => figures.replaceChildren(coverage(analysis, choices))));
  const next = document.getElementById('next');
  next.replaceChildren(...actions(analysis, choices, state, { reanalyze: (text) => analyze(file, extras, text), reloadTemplates: extras.reloadTemplates, reloadProposals: extras.reloadProposals }));
  document.body.dataset.analyzed = String(analysis.columns.length);
}

function dropZone(extras) {
  const input = el('input', { type: 'file', id: 'form-file', accept: '.xlsx,.xls,.csv' });
  const zone = el('label', { for: 'form-file', class: 'drop', id: 'drop-zone' }, '把报表拖到这里，或点击选择文件（Excel 或 CSV）');
  input.addEventListener('change', () => { if (input.files[0]) analyze(input.files[0], extras); });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files[0]) analyze(e.dataTransfer.files[0], extras);
  });
  return el('section', { class: 'card', id: 'upload' }, el('h1', {}, '报表清理'),
    el('p', { class: 'muted' }, '上传以前下发给村里的报表：看看哪些列指标库已有、哪些是新的，再生成数据需求，不必再让村里填。'), zone, input);
}

async function main() {
  if (!(await session())) return toLogin();
  state.me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${state.me.region_name || '全国'} · ${ROLES[state.me.role] || state.me.role} ${state.me.subject}`;
  const main = document.getElementById('main');
  if (!['admin', 'department'].includes(state.me.role)) {
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, '报表清理供部门和管理员使用。'));
    return undefined;
  }
  for (const i of (await api('GET', '/api/v1/indicators?limit=1000')).items) state.indicators.set(i.code, i);
  const templates = state.me.role === 'department' ? templatesCard(state.me) : null;
  const proposals = proposalsCard(state.me);
  const extras = { reloadTemplates: async () => { if (templates) await templates.reload(); }, reloadProposals: () => proposals.reload() };
  main.replaceChildren(dropZone(extras), el('section', { class: 'card', id: 'analysis' }, el('p', { class: 'muted' }, '还没有上传报表。')),
    el('div', { id: 'next' }), templates ? templates.card : '', proposals.card || '', batchCard());
  await Promise.all([extras.reloadTemplates(), proposals.reload()]);
  document.body.dataset.drawn = 'forms';
  return undefined;
}

runPage(main);
