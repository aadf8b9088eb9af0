// 批量清理: many forms (or a ZIP of them) counted at once — N 张报表、M 列 → K 项需求 — with the
// most-asked needs and each form's coverage; the report downloads as Excel or CSV.

import { api, el, scrolling, send } from './api.js';

function upload(files) {
  const form = new FormData();
  for (const f of files) form.append('file', f, f.name);
  return form;
}

async function download(files, format) {
  const response = await send('POST', `/api/v1/forms/cleanup?format=${format}`, upload(files));
  const link = el('a', { href: URL.createObjectURL(await response.blob()), download: `报表清理.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
}

export function batchCard() {
  const input = el('input', { type: 'file', id: 'batch-files', multiple: true, accept: '.xlsx,.xls,.csv,.zip' });
  const out = el('div', { id: 'batch-result', role: 'status' });
  input.addEventListener('change', async () => {
    const files = [...input.files];
    if (!files.length) return;
    out.replaceChildren(el('p', { class: 'muted' }, `正在分析 ${files.length} 个文件……`));
    try {
      const report = await api('POST', '/api/v1/forms/cleanup', upload(files));
      const buttons = ['xlsx', 'csv'].map((format) => {
        const b = el('button', { type: 'button', 'data-format': format }, `下载清理报告（${format === 'xlsx' ? 'Excel' : 'CSV'}）`);
        b.addEventListener('click', () => download(files, format));
        return b;
      });
      out.replaceChildren(el('p', { class: 'figure-value', id: 'batch-summary' }, report.summary),
        scrolling(el('table', { class: 'data-table', id: 'batch-needs' },
          el('thead', {}, el('tr', {}, ['需求', '指标代码', '报表数', '列数'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, report.needs.slice(0, 15).map((n) => el('tr', {}, el('th', { scope: 'row' }, n.name),
            el('td', {}, n.code || '新'), el('td', {}, n.forms), el('td', {}, n.columns))))), '清理结果'),
        report.unreadable ? el('p', { class: 'error' }, `未能读取：${report.per_form.filter((f) => f.error).map((f) => `${f.file}（${f.error}）`).join('；')}`) : '',
        el('div', { class: 'panel-buttons' }, buttons));
    } catch (e) {
      out.replaceChildren(el('p', { class: 'error' }, e.message));
    }
  });
  return el('section', { class: 'card', id: 'batch' }, el('h2', {}, '批量清理'),
    el('p', { class: 'muted' }, '一次选择多张报表（或一个 ZIP）：统计报表数、列数、去重后的需求，以及指标库已有多少。'),
    el('label', { for: 'batch-files', class: 'drop' }, '选择多张报表或 ZIP'), input, out);
}
