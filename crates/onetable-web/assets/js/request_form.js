// 新建数据需求: a department asks for indicators instead of sending a form. Indicators are found in
// the registry as the person types (GET /api/v1/indicators?q=, so 低保户数 finds 农村低保户数);
// sensitive ones are marked, and then the legal basis is asked for. The server decides what is
// valid (POST /api/v1/data-requests); its refusals are shown at their fields.

import { api, el } from './api.js';
import { FREQUENCIES, lastClosed } from './labels.js';
import { regionPicker } from './region_picker.js';
import { showFieldErrors } from './page.js';
import { registerPicker } from './request_registers.js';

const FIELDS = { title: 'req-title', purpose: 'req-purpose', legal_basis: 'req-legal', region: 'req-region', expires_at: 'req-expires', indicators: 'req-search' };

/**
 * The periods asked for, one input per frequency of the indicators picked (年报 2025, 月报
 * 2025-11…), each starting at the last closed period of its frequency: a request for monthly
 * indicators asks for months, never only for a year it has no indicator of.
 */
function periodInputs() {
  const typed = new Map();
  const box = el('div', { class: 'period-inputs', id: 'req-periods' });
  const render = (frequencies) => {
    for (const input of box.querySelectorAll('input')) typed.set(input.dataset.frequency, input.value);
    const shown = frequencies.length ? frequencies : ['annual'];
    box.replaceChildren(...shown.map((frequency) => {
      const id = `req-periods-${frequency}`;
      const example = { annual: '2024,2025', quarterly: '2025Q2,2025Q3', monthly: '2025-10,2025-11' }[frequency];
      const input = el('input', { id, type: 'text', 'data-frequency': frequency, value: typed.get(frequency) ?? lastClosed(frequency) });
      return el('div', { class: 'control', 'data-field': id },
        el('label', { for: id }, `${FREQUENCIES[frequency]}期别`), input,
        el('p', { class: 'muted hint' }, `多个期别用逗号分隔，如 ${example}`),
        el('p', { class: 'error', role: 'alert', hidden: true }));
    }));
  };
  const split = () => [...box.querySelectorAll('input')]
    .flatMap((i) => i.value.split(/[,，]/).map((p) => p.trim()).filter(Boolean).map((p) => [p, i.id]));
  const values = () => split().map(([p]) => p);
  // A refusal of `periods[3]` goes to the input that period was typed in.
  const fieldOf = (field) => {
    const at = /^periods\[(\d+)\]$/.exec(field);
    const list = split();
    return (at && list[Number(at[1])] ? list[Number(at[1])][1] : null) || box.querySelector('input').id;
  };
  render([]);
  return { box, render, values, fieldOf };
}

function field(id, label, control, hint) {
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  // A refusal stays at its field until the field is changed.
  control.addEventListener('input', () => { error.hidden = true; });
  return el('div', { class: 'control', 'data-field': id }, el('label', { for: id }, label), control,
    hint ? el('p', { class: 'muted hint' }, hint) : null, error);
}

function inOneYear() {
  const at = new Date();
  at.setFullYear(at.getFullYear() + 1);
  return at.toISOString().slice(0, 10);
}

/**
 * The filing form; `onFiled(request)` once the server has accepted it. A `draft` (from an analyzed
 * form: its title, indicators, region) fills it in; the department completes the rest.
 */
export function requestForm(me, onFiled, draft = null) {
  const picked = new Map();
  const title = el('input', { id: 'req-title', type: 'text', maxlength: '200' });
  const purpose = el('textarea', { id: 'req-purpose', rows: '2', maxlength: '2000' });
  const legal = el('textarea', { id: 'req-legal', rows: '2', maxlength: '2000' });
  const region = regionPicker({ id: 'req-region', within: me.region, initial: me.region ? { code: me.region, name: me.region_name } : null });
  const periods = periodInputs();
  const asked = registerPicker();
  const expires = el('input', { id: 'req-expires', type: 'date', value: inOneYear() });
  const search = el('input', { id: 'req-search', type: 'search', autocomplete: 'off', placeholder: '输入指标名称，如 低保户数' });
  const found = el('ul', { class: 'suggestions', id: 'req-suggestions' });
  const chips = el('ul', { class: 'chips', id: 'req-picked' });
  const sensitiveNote = el('p', { class: 'withheld', id: 'req-sensitive', hidden: true });
  const message = el('div', { id: 'req-message', role: 'alert' });
  const submit = el('button', { type: 'button', class: 'primary', id: 'req-submit' }, '提交申请');

  const showPicked = () => {
    chips.replaceChildren(...[...picked.values()].map((i) => {
      const remove = el('button', { type: 'button', class: 'chip-remove', 'aria-label': `移除 ${i.name}` }, '×');
      remove.addEventListener('click', () => { picked.delete(i.code); showPicked(); });
      return el('li', { class: 'chip', 'data-code': i.code }, el('span', {}, i.name),
        i.sensitivity === 'sensitive' ? el('span', { class: 'badge sensitive' }, '敏感') : null, remove);
    }));
    periods.render([...new Set([...picked.values()].map((i) => i.frequency))]
      .sort((a, b) => Object.keys(FREQUENCIES).indexOf(a) - Object.keys(FREQUENCIES).indexOf(b)));
    const sensitive = [...picked.values()].filter((i) => i.sensitivity === 'sensitive');
    sensitiveNote.hidden = !sensitive.length;
    sensitiveNote.textContent = `${sensitive.map((i) => i.name).join('、')} 为敏感指标：须填写法律依据，经管理员审核后才能调取。`;
    legal.required = sensitive.length > 0;
  };
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) { found.replaceChildren(); return; }
      const list = await api('GET', `/api/v1/indicators?${new URLSearchParams({ q, status: 'active' })}`);
      found.replaceChildren(...list.items.filter((i) => !picked.has(i.code)).slice(0, 8).map((i) => {
        const add = el('button', { type: 'button', class: 'suggestion', 'data-code': i.code },
          `${i.name}（${i.code}，${i.unit || '无单位'}）`, i.sensitivity === 'sensitive' ? el('span', { class: 'badge sensitive' }, '敏感') : null);
        add.addEventListener('click', () => { picked.set(i.code, i); found.replaceChildren(); search.value = ''; showPicked(); });
        return el('li', {}, add);
      }));
    }, 200);
  });

  if (draft) {
    title.value = draft.title || '';
    if (draft.region) region.set(draft.region, draft.region_name || draft.region);
    for (const i of draft.indicators) picked.set(i.code, i);
    showPicked();
  }

  const card = el('section', { class: 'card', id: 'request-form' },
    el('h2', {}, '新建数据需求'),
    el('p', { class: 'muted' }, '不再下发报表：写明用途和依据，选好指标，管理员批准后即可在此下载或由本部门系统调取。'),
    field('req-title', '标题', title),
    field('req-purpose', '用途（村里能看到）', purpose),
    field('req-search', '指标', el('div', {}, chips, search, found)),
    sensitiveNote,
    el('div', { class: 'control', 'data-field': 'req-register' }, el('label', { for: 'req-register' }, '台账记录（个人信息，按需最少申请）'), asked.control,
      el('p', { class: 'error', role: 'alert', hidden: true })),
    field('req-legal', '法律依据（含敏感指标或台账时必填）', legal),
    field('req-region', '地区', region.control, '本部门辖区内的地区：输入名称查找，或直接输入区划代码'),
    periods.box,
    field('req-expires', '有效期至', expires),
    message, submit);


  submit.addEventListener('click', async () => {
    submit.disabled = true;
    try {
      const filed = await api('POST', '/api/v1/data-requests', {
        title: title.value, purpose: purpose.value, legal_basis: legal.value, region: region.code(),
        indicators: [...picked.keys()], periods: periods.values(),
        expires_at: expires.value, registers: asked.values(), full_values: asked.full(),
      });
      onFiled(filed);
    } catch (e) {
      showFieldErrors(card, message, e, (field) => (field.startsWith('periods') ? periods.fieldOf(field) : field.startsWith('registers') ? 'req-register' : FIELDS[field.replace(/\[\d+\]$/, '')]));
    } finally {
      submit.disabled = false;
    }
  });
  return card;
}
