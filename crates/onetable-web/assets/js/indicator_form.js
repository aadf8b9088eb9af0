// 新建指标 / 修改指标: an indicator's definition, with the registry's duplicate guard answering as
// the name is typed (POST /api/v1/indicators/check): a name the registry already has is refused
// and names the existing code; near ones are offered to reuse instead.

import { api, el } from './api.js';
import { showFieldErrors } from './page.js';

import { AGGREGATIONS, SENSITIVITY, VALUE_TYPES as TYPES } from './labels.js';

// The form's own words for how often: 每年 (the registry page says 年报).
const FREQUENCIES = { annual: '每年', quarterly: '每季', monthly: '每月' };

function select(id, options, value) {
  const control = el('select', { id }, Object.entries(options).map(([v, label]) => el('option', { value: v }, label)));
  if (value !== undefined && value !== null) {
    if (!options[value]) control.append(el('option', { value }, value));
    control.value = value;
  }
  return control;
}

function row(id, label, control) {
  return el('div', { class: 'control', 'data-field': id }, el('label', { for: id }, label), control,
    el('p', { class: 'error', role: 'alert', hidden: true }));
}

/**
 * The form; `existing` to edit an indicator (its code fixed), `done(saved)` once stored. A new one
 * may start from `prefill` and be sent to `path` (accepting a proposed indicator).
 */
export function indicatorForm(existing, done, { prefill = {}, path = '/api/v1/indicators', title = '新建指标' } = {}) {
  const v = existing || prefill;
  const controls = {
    code: el('input', { id: 'ind-code', type: 'text', value: v.code || '', placeholder: '如 SOC.ELDERLY_CARE_BEDS', disabled: Boolean(existing) }),
    name: el('input', { id: 'ind-name', type: 'text', value: v.name || '', autocomplete: 'off' }),
    unit: el('input', { id: 'ind-unit', type: 'text', value: v.unit || '' }),
    category: el('input', { id: 'ind-category', type: 'text', value: v.category || '' }),
    value_type: select('ind-value_type', TYPES, v.value_type || 'integer'),
    frequency: select('ind-frequency', FREQUENCIES, v.frequency || 'annual'),
    // A ratio is a derived indicator's, set by its formula: an existing one keeps it.
    aggregation: select('ind-aggregation', v.aggregation === 'ratio' ? AGGREGATIONS : Object.fromEntries(Object.entries(AGGREGATIONS).filter(([k]) => k !== 'ratio')), v.aggregation || 'sum'),
    sensitivity: select('ind-sensitivity', SENSITIVITY, v.sensitivity || 'public'),
    owner_department: el('input', { id: 'ind-owner_department', type: 'text', value: v.owner_department || '' }),
    min: el('input', { id: 'ind-min', type: 'number', value: v.min ?? '' }),
    max: el('input', { id: 'ind-max', type: 'number', value: v.max ?? '' }),
    description: el('textarea', { id: 'ind-description', rows: '2' }),
    change_note: el('input', { id: 'ind-change_note', type: 'text' }),
  };
  controls.description.value = v.description || '';
  const guard = el('div', { id: 'duplicate-guard', role: 'status' });
  const message = el('div', { id: 'ind-message', role: 'alert' });
  const save = el('button', { type: 'button', class: 'primary', id: 'ind-save' }, existing ? '保存新版本' : '创建指标');

  let timer = null;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const name = controls.name.value.trim();
      if (!name || (existing && name === existing.name)) { guard.replaceChildren(); return; }
      const found = await api('POST', '/api/v1/indicators/check', { name, unit: controls.unit.value.trim() });
      const others = (list) => list.filter((s) => !existing || s.code !== existing.code);
      const duplicates = others(found.duplicates);
      const near = others(found.near_matches);
      guard.replaceChildren(
        duplicates.length ? el('p', { class: 'error', 'data-guard': 'duplicate' },
          `已有同名指标：${duplicates.map((s) => `${s.name}（${s.code}）`).join('、')}，将被拒绝；请直接使用已有指标。`) : '',
        near.length ? el('p', { class: 'withheld', 'data-guard': 'near' },
          `相近的指标：${near.map((s) => `${s.name}（${s.code}，相似度 ${Math.round(s.similarity * 100)}%）`).join('、')}`) : '');
    }, 250);
  };
  controls.name.addEventListener('input', check);
  controls.unit.addEventListener('input', check);

  save.addEventListener('click', async () => {
    save.disabled = true;
    const number = (c) => (c.value.trim() === '' ? null : Number(c.value));
    const body = {
      code: controls.code.value.trim(), name: controls.name.value.trim(), unit: controls.unit.value.trim(),
      category: controls.category.value.trim(), value_type: controls.value_type.value, frequency: controls.frequency.value,
      aggregation: controls.aggregation.value, sensitivity: controls.sensitivity.value,
      owner_department: controls.owner_department.value.trim(), min: number(controls.min), max: number(controls.max),
      description: controls.description.value.trim(),
      // What this form does not show is kept as it is: a new version changes only what was edited.
      required: Boolean(v.required), legal_basis: v.legal_basis || '', formula: v.formula || null,
      change_note: controls.change_note.value.trim() || null,
    };
    try {
      const saved = existing
        ? await api('PUT', `/api/v1/indicators/${encodeURIComponent(existing.code)}`, body)
        : await api('POST', path, body);
      done(saved);
    } catch (e) {
      showFieldErrors(document.getElementById('indicator-form'), message, e, (field) => `ind-${field}`);
    } finally {
      save.disabled = false;
    }
  });

  return el('section', { class: 'card', id: 'indicator-form' },
    el('h2', {}, existing ? `修改指标 ${existing.code}` : title),
    row('ind-code', '代码', controls.code),
    row('ind-name', '名称', controls.name), guard,
    el('div', { class: 'controls three' }, row('ind-unit', '单位', controls.unit), row('ind-category', '类别', controls.category),
      row('ind-owner_department', '主管部门', controls.owner_department)),
    el('div', { class: 'controls three' }, row('ind-value_type', '类型', controls.value_type), row('ind-frequency', '频度', controls.frequency),
      row('ind-aggregation', '汇总方式', controls.aggregation), row('ind-sensitivity', '敏感程度', controls.sensitivity)),
    el('div', { class: 'controls three' }, row('ind-min', '最小值', controls.min), row('ind-max', '最大值', controls.max)),
    row('ind-description', '说明', controls.description),
    existing ? row('ind-change_note', '修改原因', controls.change_note) : null,
    message, save);
}
