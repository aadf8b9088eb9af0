// 我的报表模板: each saved template with, under an approved data request that grants all its
// indicators, a link to download the department's own form filled in for the chosen period.

import { api, downloadFile, el } from './api.js';
import { periodLabel } from './labels.js';

function fits(request, template) {
  return request.status === 'approved' && request.active && template.indicators.every((c) => request.indicators.includes(c));
}

function downloadRow(template, requests) {
  const usable = requests.filter((r) => fits(r, template));
  if (!usable.length) {
    return el('p', { class: 'muted', 'data-missing': 'request' }, '还没有包含这些指标、已批准的数据需求：先生成并提交数据需求，批准后即可下载。');
  }
  const request = el('select', { id: `tpl-request-${template.id}` }, usable.map((r) => el('option', { value: String(r.id) }, `#${r.id} ${r.title}`)));
  const period = el('select', { id: `tpl-period-${template.id}` });
  const format = el('select', { id: `tpl-format-${template.id}` }, el('option', { value: 'xlsx' }, 'Excel'), el('option', { value: 'csv' }, 'CSV'));
  const button = el('button', { type: 'button', class: 'primary download', id: `tpl-download-${template.id}` }, '下载填好的报表');
  const message = el('p', { class: 'error', role: 'alert', id: `tpl-error-${template.id}`, hidden: true });
  const periods = () => {
    const r = usable.find((x) => String(x.id) === request.value);
    period.replaceChildren(...(r.periods.length ? r.periods : [r.start_period]).map((p) => el('option', { value: p }, periodLabel(p))));
  };
  const path = () => `/api/v1/report-templates/${template.id}/filled?${new URLSearchParams({ request: request.value, period: period.value, format: format.value })}`;
  request.addEventListener('change', () => { periods(); message.hidden = true; });
  [period, format].forEach((s) => s.addEventListener('change', () => { message.hidden = true; }));
  button.addEventListener('click', async () => {
    button.disabled = true;
    await downloadFile(path(), message);
    button.disabled = false;
  });
  periods();
  return el('div', { class: 'download-panel' },
    el('div', { class: 'controls three' },
      el('div', { class: 'control' }, el('label', { for: request.id }, '数据需求'), request),
      el('div', { class: 'control' }, el('label', { for: period.id }, '期别'), period),
      el('div', { class: 'control' }, el('label', { for: format.id }, '格式'), format)),
    el('p', {}, button), message);
}

/** The card, redrawn in place by `reload()`. */
export function templatesCard(me) {
  const card = el('section', { class: 'card', id: 'templates' }, el('h2', {}, '我的报表模板'));
  const reload = async () => {
    const [templates, requests] = await Promise.all([api('GET', '/api/v1/report-templates'), api('GET', '/api/v1/data-requests?limit=200')]);
    const items = templates.map((t) => {
      const remove = el('button', { type: 'button', class: 'link', 'data-action': 'delete' }, '删除');
      remove.addEventListener('click', async () => { await api('DELETE', `/api/v1/report-templates/${t.id}`); await reload(); });
      return el('li', { class: 'template', 'data-id': String(t.id) },
        el('div', { class: 'work-head' }, el('h3', {}, t.name), me.role === 'department' ? remove : null),
        el('p', { class: 'muted' }, `${t.department} · ${t.rows === 'township' ? '每乡镇一行' : '每村一行'} · ${t.columns.length} 列，其中 ${t.columns.filter((c) => c.code).length} 列由指标库填写`),
        downloadRow(t, requests.items));
    });
    card.replaceChildren(el('h2', {}, '我的报表模板'),
      items.length ? el('ul', { class: 'list' }, items) : el('p', { class: 'muted' }, '还没有模板：分析一张报表后可保存为模板。'));
  };
  return { card, reload };
}
