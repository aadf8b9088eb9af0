// 历年数据导入: an admin (or reviewer) brings the county's own sheets of earlier years — one row per
// village (区划代码), one column per indicator (code or name) — checks them (every refused cell
// at its row and column, and what would change) and imports them; the bulk import underneath.

import { api, el, scrolling, session } from './api.js';
import { ENTRY_STATUS, ROLES } from './labels.js';
import { runPage, toLogin } from './page.js';

function problems(list, total) {
  return el('div', { id: 'import-problems' },
    el('p', { class: 'error' }, `有 ${total} 处问题，整个文件不会导入；请按下表修改后重新检查${total > list.length ? `（仅列出前 ${list.length} 处）` : ''}`),
    scrolling(el('table', { class: 'data-table' },
      el('thead', {}, el('tr', {}, ['行', '列', '问题'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, list.map((p) => el('tr', {}, el('td', {}, String(p.row)), el('td', {}, p.column), el('td', { class: 'wrap' }, p.message))))), '问题'));
}

function summary(report) {
  const verb = report.dry_run ? '将' : '已';
  const lines = [
    `读取 ${report.rows} 行、${report.cells} 个数值（${report.layout === 'wide' ? '一村一行' : '长表'}）`,
    `${verb}新增 ${report.inserted} 个，${verb}修改 ${report.updated} 个，不变 ${report.unchanged} 个`,
  ];
  const locked = report.locked.length
    ? el('div', {}, el('p', {}, `${report.rejected} 个数值未导入：以下报表已提交或已通过，不能覆盖`),
      el('ul', { class: 'list' }, report.locked.map((l) => el('li', {}, `${l.region_code} · ${l.period} · ${ENTRY_STATUS[l.status] || l.status}（${l.cells} 个）`))))
    : null;
  return el('div', { id: 'import-summary', class: report.dry_run ? '' : 'saved-note' }, lines.map((l) => el('p', {}, l)), locked);
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${me.region_name || '全国'} · ${ROLES[me.role] || me.role} ${me.subject}`;
  const period = el('input', { id: 'import-period', type: 'text', placeholder: '如 2023（文件中有“年度”列时可不填）' });
  const file = el('input', { id: 'import-file', type: 'file', accept: '.xlsx,.csv' });
  const check = el('button', { type: 'button', id: 'import-check' }, '检查（不导入）');
  const run = el('button', { type: 'button', class: 'primary', id: 'import-run', disabled: true }, '导入');
  const result = el('div', { id: 'import-result', 'aria-live': 'polite' });
  const send = (dryRun) => {
    const form = new FormData();
    form.append('file', file.files[0]);
    const query = new URLSearchParams();
    if (period.value.trim()) query.set('period', period.value.trim());
    if (dryRun) query.set('dry_run', 'true');
    return api('POST', `/api/v1/imports?${query}`, form);
  };
  const show = (e) => {
    if (e.code === 'import_rejected') {
      const list = e.details.map((d) => ({ row: (/第 (\d+) 行/.exec(d.message) || [])[1] || '', column: d.field || '', message: d.message.replace(/^第 \d+ 行 [^：]*：/, '') }));
      result.replaceChildren(problems(list, list.length));
    } else {
      result.replaceChildren(el('p', { class: 'error' }, e.message));
    }
  };
  const reset = () => { run.disabled = true; result.replaceChildren(); };
  file.addEventListener('change', reset);
  period.addEventListener('input', reset);
  check.addEventListener('click', async () => {
    if (!file.files.length) { result.replaceChildren(el('p', { class: 'error' }, '请先选择文件（XLSX 或 CSV）')); return; }
    check.disabled = true;
    try {
      const report = await send(true);
      if (report.problem_count) {
        result.replaceChildren(problems(report.problems, report.problem_count));
      } else {
        result.replaceChildren(summary(report));
        run.disabled = report.inserted + report.updated === 0;
      }
    } catch (e) {
      show(e);
    } finally {
      check.disabled = false;
    }
  });
  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      result.replaceChildren(summary(await send(false)));
    } catch (e) {
      show(e);
    }
  });
  document.getElementById('main').replaceChildren(el('section', { class: 'card', id: 'history-import' },
    el('h1', {}, '历年数据导入'),
    el('p', { class: 'muted' }, '上传本辖区往年的数据表：每村一行（“区划代码”列），每个指标一列（指标代码或名称，如“户籍人口”）。先检查，看清每个有问题的单元格和将要改变的数值，再导入；全部导入或全部不导入。已提交或已通过的报表不会被覆盖。'),
    el('label', { for: 'import-period' }, '期别'), period,
    el('label', { for: 'import-file' }, '数据文件（XLSX 或 CSV）'), file,
    el('div', { class: 'panel-buttons' }, check, run), result));
  return undefined;
}

runPage(main);
