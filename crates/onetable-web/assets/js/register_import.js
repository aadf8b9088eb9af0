// 导入台账: the village's own Excel list (XLSX or CSV) checked first — which header cell was taken
// as which column, every refused value at its row and column — then imported, all or nothing.

import { api, el, scrolling } from './api.js';

function refusals(error) {
  const rows = error.details.map((d) => {
    const [, row, column] = /^第 (\d+) 行 (.*)$/.exec(d.field || '') || [];
    return el('tr', {}, el('td', {}, row || ''), el('td', {}, column || d.field || ''), el('td', { class: 'wrap' }, d.message.replace(/^第 \d+ 行：/, '')));
  });
  return el('div', { id: 'register-import-problems' },
    el('p', { class: 'error' }, `${error.message}`),
    rows.length ? scrolling(el('table', { class: 'data-table' },
      el('thead', {}, el('tr', {}, ['行', '列', '问题'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)), '问题') : null);
}

function summary(report) {
  const verb = report.dry_run ? '将' : '已';
  return el('div', { id: 'register-import-summary', class: report.dry_run ? '' : 'saved-note' },
    el('p', {}, `读取 ${report.rows} 行：${verb}新增 ${report.inserted} 条，${verb}更新 ${report.updated} 条，不变 ${report.unchanged} 条` +
      (report.not_in_file ? `；台账中另有 ${report.not_in_file} 条不在文件中（保持不变）` : '')),
    el('p', { class: 'muted' }, `识别的列：${report.matched.map((m) => `${m.header} → ${m.name}`).join('，')}` +
      (report.ignored.length ? `；未使用：${report.ignored.join('、')}` : '')));
}

/** The import card for `register` in `village`; `onImported` after a real import. */
export function importCard(register, village, onImported) {
  const file = el('input', { id: 'register-file', type: 'file', accept: '.xlsx,.csv' });
  const check = el('button', { type: 'button', id: 'register-check' }, '检查（不导入）');
  const run = el('button', { type: 'button', class: 'primary', id: 'register-run', disabled: true }, '导入');
  const result = el('div', { id: 'register-import-result', 'aria-live': 'polite' });
  let key = null;
  const send = (dryRun) => {
    const form = new FormData();
    form.append('file', file.files[0]);
    const query = `village=${village}${dryRun ? '&dry_run=true' : ''}`;
    // One key per file chosen: a retry after a lost answer replays it instead of importing twice.
    return api('POST', `/api/v1/registers/${register.code}/imports?${query}`, form, dryRun ? {} : { 'idempotency-key': key });
  };
  file.addEventListener('change', () => {
    run.disabled = true;
    result.replaceChildren();
    key = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  });
  check.addEventListener('click', async () => {
    if (!file.files.length) { result.replaceChildren(el('p', { class: 'error' }, '请先选择本村的台账文件（XLSX 或 CSV）')); return; }
    check.disabled = true;
    try {
      const report = await send(true);
      result.replaceChildren(summary(report));
      run.disabled = report.inserted + report.updated === 0;
    } catch (e) {
      result.replaceChildren(refusals(e));
    } finally {
      check.disabled = false;
    }
  });
  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      const report = await send(false);
      result.replaceChildren(summary(report));
      onImported(report);
    } catch (e) {
      result.replaceChildren(refusals(e));
    }
  });
  return el('details', { class: 'card', id: 'register-import' },
    el('summary', {}, `从 Excel 导入${register.name}`),
    el('p', { class: 'muted' }, '可直接上传村里现有的花名册：表头可以在标题行下面，列名按台账的列名或常用叫法识别；有一处不合格则整个文件都不导入。'),
    el('label', { for: 'register-file' }, '文件'), file,
    el('div', { class: 'panel-buttons' }, check, run), result);
}
