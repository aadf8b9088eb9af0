// The columns of an analyzed form, each with the indicator it maps to (coloured by how sure the
// analyzer is), the form's unit and the factor to the registry's, and a searchable list to fix
// the match — or to say the column is new. Choices live in `choices` (column letter → code|null).

import { el } from './api.js';

const REASONS = { alias: '别名', exact_name: '名称相同', normalised_name: '名称相近', similarity: '字面相似', fixed: '人工指定' };
const SOURCES = { header: '表头', note: '单位行', unit_row: '计量单位行' };

/** How sure: `high`, `mid`, `low`, or `none` for a column with no match. */
export function sureness(match) {
  if (!match) return 'none';
  if (match.confidence >= 0.95) return 'high';
  return match.confidence >= 0.8 ? 'mid' : 'low';
}

function matchLine(column, choice, indicators) {
  if (!choice) return el('p', { class: 'col-match new' }, '新指标：指标库还没有');
  const original = column.matched && column.matched.code === choice ? column.matched : null;
  const i = indicators.get(choice);
  const name = original ? original.name : (i ? i.name : choice);
  const unit = original ? original.unit : (i ? i.unit : '');
  return el('p', { class: 'col-match' }, `→ ${name}（${choice}${unit ? `，${unit}` : ''}）`,
    el('span', { class: `badge sure-${original ? sureness(original) : 'high'}` },
      original ? `${Math.round(original.confidence * 100)}% · ${REASONS[original.reason] || original.reason}` : REASONS.fixed),
    original && original.derived ? el('span', { class: 'badge' }, '派生') : null,
    original && original.factor !== 1 ? el('span', { class: 'factor' }, `换算 ×${original.factor}`) : null);
}

function search(indicators, q) {
  const t = q.trim().toLowerCase();
  if (!t) return [];
  return [...indicators.values()].filter((i) => i.status === 'active' && (i.name.includes(t) || i.code.toLowerCase().includes(t)
    || (i.aliases || []).some((a) => a.includes(t)))).slice(0, 8);
}

function fixer(column, indicators, choose) {
  const input = el('input', { type: 'search', class: 'fix-search', id: `fix-${column.column}`, autocomplete: 'off', placeholder: '搜索指标，如 低保' });
  const list = el('ul', { class: 'suggestions' });
  input.addEventListener('input', () => {
    list.replaceChildren(...search(indicators, input.value).map((i) => {
      const b = el('button', { type: 'button', class: 'suggestion', 'data-code': i.code }, `${i.name}（${i.code}，${i.unit || '无单位'}）`);
      b.addEventListener('click', () => choose(i.code));
      return el('li', {}, b);
    }));
  });
  const none = el('button', { type: 'button', class: 'link', 'data-action': 'new' }, '设为新指标');
  none.addEventListener('click', () => choose(null));
  const candidates = column.candidates.map((c) => {
    const b = el('button', { type: 'button', class: 'chip candidate', 'data-code': c.code }, `${c.name}（${Math.round(c.score * 100)}%）`);
    b.addEventListener('click', () => choose(c.code));
    return b;
  });
  return el('div', { class: 'fix', hidden: true },
    candidates.length ? el('p', { class: 'muted' }, '可能是：', ...candidates) : null, input, list, none);
}

/** The list; `onChange()` after a choice changes. */
export function columnList(analysis, choices, indicators, onChange) {
  const list = el('ul', { class: 'form-columns', id: 'form-columns' });
  const draw = () => {
    list.replaceChildren(...analysis.columns.map((column) => {
      const choice = choices.get(column.column);
      const fixed = (column.matched ? column.matched.code : null) !== choice;
      const sure = fixed ? (choice ? 'high' : 'none') : sureness(column.matched);
      const fix = fixer(column, indicators, (code) => { choices.set(column.column, code); draw(); onChange(); });
      const toggle = el('button', { type: 'button', class: 'link', 'data-action': 'fix' }, '修改');
      toggle.addEventListener('click', () => { fix.hidden = !fix.hidden; if (!fix.hidden) fix.querySelector('input').focus(); });
      return el('li', { class: `form-column sure-${sure}`, 'data-column': column.column, 'data-code': choice || '', 'data-sure': sure },
        el('div', { class: 'col-head' }, el('span', { class: 'col-letter' }, column.column), el('strong', {}, column.header),
          column.unit ? el('span', { class: 'muted' }, `单位：${column.unit}（${SOURCES[column.unit_source] || ''}）`) : null, toggle),
        matchLine(column, choice, indicators), fix);
    }));
  };
  draw();
  return list;
}
