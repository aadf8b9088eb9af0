// 保存为看板: an admin saves what the live dashboard shows as a dashboard for the region, shared
// with the viewers and reviewers whose scope holds it (POST /api/v1/dashboards).

import { api, el } from './api.js';

const PARTS = [
  ['completeness', '填报完成情况图'],
  ['bar', '各指标柱状图'],
  ['line', '趋势图（近3年）'],
  ['table', '数据表'],
];

/** The items the admin ticked, for the region, level, period rule and indicators shown. */
function items(ticked, { level, period, indicators }) {
  const one = (chart) => ({ chart, level, period, indicators: chart === 'completeness' ? [] : indicators });
  return ticked.map((chart) => (chart === 'line' ? { ...one('line'), indicators: indicators.slice(0, 1), span: 3 } : one(chart)));
}

/** The composer card; `view()` tells what the live dashboard shows now. */
export function composeCard(view) {
  const name = el('input', { id: 'compose-name', type: 'text', maxlength: '60', value: `${view().regionName}看板` });
  const boxes = PARTS.map(([chart, label]) => {
    const box = el('input', { type: 'checkbox', id: `compose-${chart}`, value: chart, checked: true });
    return el('label', { class: 'check', for: `compose-${chart}` }, box, label);
  });
  const rule = el('select', { id: 'compose-period' });
  const shared = el('input', { type: 'checkbox', id: 'compose-shared', checked: true });
  const message = el('div', { id: 'compose-message', role: 'alert' });
  const save = el('button', { type: 'button', class: 'primary', id: 'compose-save' }, '保存看板');
  const fillRule = () => {
    const { period } = view();
    rule.replaceChildren(el('option', { value: 'latest_annual' }, '最新年度（每年自动更新）'),
      el('option', { value: period }, `固定为 ${period} 年`));
  };
  fillRule();
  save.addEventListener('click', async () => {
    const now = view();
    const ticked = boxes.map((b) => b.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    save.disabled = true;
    message.replaceChildren();
    try {
      const saved = await api('POST', '/api/v1/dashboards', {
        name: name.value, region: now.within, shared: shared.checked,
        items: items(ticked, { level: now.level, period: rule.value, indicators: now.indicators }),
      });
      location.assign(`/dashboard?id=${saved.id}`);
    } catch (e) {
      message.replaceChildren(el('p', { class: 'error' }, e.message),
        el('ul', { class: 'problems' }, e.details.map((d) => el('li', { 'data-field': d.field || '' }, d.message))));
      save.disabled = false;
    }
  });
  return el('details', { class: 'card compose-card', id: 'compose' },
    el('summary', {}, '保存为看板'),
    el('p', { class: 'muted' }, '把当前地区、层级和所选指标保存为看板，共享后辖区内的看板用户登录即可看到。'),
    el('label', { for: 'compose-name' }, '看板名称'), name,
    el('fieldset', { class: 'compose-parts' }, el('legend', {}, '包含'), boxes),
    el('label', { for: 'compose-period' }, '期别'), rule,
    el('label', { class: 'check', for: 'compose-shared' }, shared, '共享给辖区内的看板用户和审核员'),
    message, save);
}
