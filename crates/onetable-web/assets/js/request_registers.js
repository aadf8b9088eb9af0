// 台账 in a data request: the department picks registers and only the columns it needs (个人信息
// 最少够用), may ask for full values; the admin sees what is asked and may grant full values;
// once approved the department downloads the list (masked unless full values were granted).

import { api, downloadFile, el } from './api.js';

let registers = null;

async function allRegisters() {
  if (!registers) registers = await api('GET', '/api/v1/registers');
  return registers;
}

/** The registers part of the filing form: `values()` for the request body, `full()` its flag. */
export function registerPicker() {
  const chosen = new Map();
  const select = el('select', { id: 'req-register' }, el('option', { value: '' }, '选择台账（可不选）'));
  allRegisters().then((list) => select.append(...list.map((r) => el('option', { value: r.code }, r.name)))).catch(() => {});
  const box = el('div', { id: 'req-registers' });
  const full = el('input', { type: 'checkbox', id: 'req-full' });
  const draw = () => {
    box.replaceChildren(...[...chosen.values()].map(({ register, columns }) => {
      const remove = el('button', { type: 'button', class: 'link', 'aria-label': `移除 ${register.name}` }, '移除');
      remove.addEventListener('click', () => { chosen.delete(register.code); draw(); });
      return el('fieldset', { class: 'register-ask', 'data-register': register.code },
        el('legend', {}, register.name, ' ', remove),
        register.columns.map((c) => {
          const box = el('input', { type: 'checkbox', id: `req-col-${register.code}-${c.code}`, checked: columns.has(c.code) });
          box.addEventListener('change', () => { if (box.checked) columns.add(c.code); else columns.delete(c.code); });
          return el('label', { class: 'check', for: box.id }, box, c.name,
            c.personal === 'sensitive' ? el('span', { class: 'badge sensitive' }, '敏感') : null);
        }));
    }));
  };
  select.addEventListener('change', async () => {
    const register = (await allRegisters()).find((r) => r.code === select.value);
    if (register && !chosen.has(register.code)) chosen.set(register.code, { register, columns: new Set() });
    select.value = '';
    draw();
  });
  return {
    control: el('div', {}, select, box,
      el('label', { class: 'check', for: 'req-full' }, full, '申请完整信息（身份证号、姓名等不打码，须管理员特别批准）')),
    values: () => [...chosen.values()].map(({ register, columns }) => ({ code: register.code, columns: [...columns] })),
    full: () => full.checked,
  };
}

/** What a request asks of registers, in words. */
export function registerFacts(request) {
  if (!request.registers.length) return null;
  const name = (code) => (registers || []).find((r) => r.code === code);
  return el('div', { class: 'register-facts' }, request.registers.map((ask) => {
    const register = name(ask.code);
    const columns = ask.columns.map((c) => (register ? (register.columns.find((x) => x.code === c) || { name: c }).name : c));
    return el('p', { 'data-register': ask.code }, `台账：${register ? register.name : ask.code}（${columns.join('、')}）`,
      el('span', { class: 'badge sensitive' }, request.full_values ? '完整信息' : request.full_values_asked ? '申请完整信息' : '打码'));
  }));
}

/** The admin's choice, when approving, to grant full values (only if asked). */
export function fullValuesChoice(request) {
  if (!request.full_values_asked || request.status !== 'pending') return null;
  const box = el('input', { type: 'checkbox', id: `grant-full-${request.id}` });
  return { box, control: el('label', { class: 'check', for: box.id }, box, '同时批准台账完整信息（不打码）') };
}

/** The department's download of each register's list. */
export function registerDownloads(request) {
  if (!request.registers.length) return null;
  return el('div', { class: 'register-downloads' }, request.registers.map((ask) => {
    const register = (registers || []).find((r) => r.code === ask.code);
    const message = el('p', { class: 'error', role: 'alert', hidden: true });
    const button = el('button', { type: 'button', class: 'download', id: `dl-records-${request.id}-${ask.code}` },
      `下载${register ? register.name : ask.code}（${request.full_values ? '完整信息' : '打码'}，CSV）`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      await downloadFile(`/api/v1/data-requests/${request.id}/records?${new URLSearchParams({ register: ask.code, format: 'csv' })}`, message);
      button.disabled = false;
    });
    return el('div', {}, button, message);
  }));
}

/** Loads the register names before the list is drawn. */
export const loadRegisters = allRegisters;
