// What the live dashboard and a saved one share: level names, the withheld note, and the table of
// an /aggregates answer with its downloads.

import { el, scrolling } from './api.js';
import { exact } from './numbers.js';

export const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'];
export const LEVEL_NAMES = { province: '省', prefecture: '市（州）', county: '县（市、区）', township: '乡镇（街道）', village: '村（社区）' };

/** Whether rows at `level` can be opened one level further down. */
export function drillable(level) {
  return LEVELS.indexOf(level) < LEVELS.indexOf('village');
}

/** The sentence naming what the protection rules withheld at this level, or null. */
export function withheldNote(codes, level, names, id = 'withheld') {
  if (!codes.length) return null;
  return el('p', { class: 'withheld', id, role: 'note' },
    `已隐去：${codes.map((c) => names.get(c) || c).join('、')}（敏感指标，在${LEVEL_NAMES[level]}一级不向看板用户展示）`);
}

/**
 * The answer as a table, each region's name a link when `onPick` is given, with CSV and Excel
 * downloads of the same query (`path(format)`).
 */
export function dataTable(answer, { title = '数据表', id = 'aggregate-table', onPick = null, path }) {
  const head = el('tr', {}, el('th', { scope: 'col' }, '地区'), el('th', { scope: 'col' }, '应报'),
    el('th', { scope: 'col' }, '待审核'), el('th', { scope: 'col' }, '已审核'),
    answer.indicators.map((i) => el('th', { scope: 'col', 'data-code': i.code }, i.unit ? `${i.name}（${i.unit}）` : i.name)));
  const body = answer.rows.map((row) => {
    const name = onPick ? el('a', { href: '#', 'data-region': row.code }, row.name) : row.name;
    if (onPick) name.addEventListener('click', (event) => { event.preventDefault(); onPick(row.code); });
    return el('tr', { 'data-region': row.code },
      el('th', { scope: 'row' }, name),
      el('td', {}, exact(row.completeness.expected)), el('td', {}, exact(row.completeness.submitted)),
      el('td', {}, exact(row.completeness.approved)),
      answer.indicators.map((i) => el('td', { 'data-code': i.code }, exact(row.values[i.code]))));
  });
  const download = (format, label) => el('a', { href: path(format), class: 'download', download: '' }, label);
  return el('section', { class: 'card table-card' },
    el('div', { class: 'work-head' }, el('h2', {}, title),
      el('div', { class: 'downloads' }, download('csv', '下载 CSV'), download('xlsx', '下载 Excel'))),
    scrolling(el('table', { class: 'data-table', id }, el('thead', {}, head), el('tbody', {}, body)), title));
}
