// 打印报表: the village's form of a period as one clean A4 sheet — all sections, values with
// their units, the form's status, who submitted and approved it and when, and lines for the
// village's seal (盖章) and signatures. The browser prints it; 下载 PDF gets the server's PDF of the
// same sheet for the archive.

import { api, downloadFile, el, session } from './api.js';
import { ENTRY_STATUS, periodLabel, when } from './labels.js';
import { runPage, toLogin } from './page.js';

function shown(value, field) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? '是' : '否';
  return field.unit ? `${value} ${field.unit}` : String(value);
}

function lastEvent(history, action) {
  return history.items.filter((i) => i.action === action).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
}

async function main() {
  if (!(await session())) return toLogin();
  const params = new URLSearchParams(location.search);
  const me = await api('GET', '/api/v1/me');
  const period = params.get('period');
  const region = params.get('region') || me.region;
  const [form, entry, history, place] = await Promise.all([
    api('GET', `/api/v1/form?period=${encodeURIComponent(period)}`),
    api('GET', `/api/v1/entries/${region}/${encodeURIComponent(period)}`),
    api('GET', `/api/v1/entries/${region}/${encodeURIComponent(period)}/history?limit=1000`),
    api('GET', `/api/v1/regions/${region}`),
  ]);
  document.getElementById('who').textContent = place.name;
  document.title = `${place.name} ${periodLabel(period)}报表 · 打印`;
  const values = new Map(entry.values.map((c) => [c.code, c.value]));
  for (const d of entry.derived) values.set(d.code, d.value);
  const submitted = lastEvent(history, 'submit');
  const approved = lastEvent(history, 'approve');
  const step = (label, e) => (e ? `${label}：${e.actor}，${when(e.at)}` : `${label}：—`);
  document.getElementById('main').replaceChildren(
    el('h1', {}, `${place.name} ${periodLabel(period)}基础数据报表`),
    el('div', { class: 'meta' }, el('span', {}, `区划代码 ${region}`), el('span', { id: 'print-status' }, `状态：${ENTRY_STATUS[entry.status] || entry.status}`),
      el('span', {}, `第 ${entry.revision} 版`)),
    el('div', { class: 'meta' }, el('span', { id: 'print-submitted' }, step('提交', submitted)), el('span', { id: 'print-approved' }, step('审核通过', approved))),
    ...form.sections.map((section) => el('section', { 'data-category': section.category },
      el('h2', {}, section.category),
      el('table', {}, el('tbody', {}, section.fields.map((f) => el('tr', { 'data-code': f.code },
        el('th', { scope: 'row' }, f.name), el('td', { class: 'value' }, shown(values.get(f.code), f)))))))),
    el('div', { class: 'signatures' }, el('div', {}, '填报人（签字）'), el('div', {}, '村委会负责人（签字）'), el('div', {}, '乡镇审核人（签字）')),
    el('p', { class: 'seal' }, '（村民委员会盖章）        年    月    日'),
  );
  document.getElementById('print-now').addEventListener('click', () => window.print());
  const refused = el('p', { class: 'error no-print', role: 'alert', hidden: true });
  document.getElementById('main').prepend(refused);
  document.getElementById('download-pdf').addEventListener('click',
    () => downloadFile(`/api/v1/entries/${region}/${encodeURIComponent(period)}/print.pdf`, refused));
  document.body.dataset.ready = 'true';
  return undefined;
}

runPage(main);
