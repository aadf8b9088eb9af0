// One record of a register (台账记录) in a form, phone first: add a record, change one, close it
// (迁出、死亡…), or see it in full with a reason. The server checks every value; its refusals are
// shown under the fields they name. Personal values arrive masked: such a field is left empty
// and only sent when the clerk types a new value.

import { api, el } from './api.js';
import { showFieldErrors } from './page.js';
import { write } from './record_outbox.js';

const TYPES = { text: 'text', integer: 'number', decimal: 'number', date: 'date', phone: 'tel', id_number: 'text' };

function control(column, value) {
  const id = `col-${column.code}`;
  if (column.type === 'enum') {
    return el('select', { id, name: column.code },
      el('option', { value: '' }, '（未填）'), column.options.map((o) => el('option', { value: o, selected: o === value }, o)));
  }
  if (column.type === 'boolean') {
    return el('select', { id, name: column.code }, el('option', { value: '' }, '（未填）'),
      el('option', { value: 'true', selected: value === 'true' }, '是'), el('option', { value: 'false', selected: value === 'false' }, '否'));
  }
  const attributes = { id, name: column.code, type: TYPES[column.type] || 'text', value: value || '' };
  if (column.type === 'integer') attributes.inputmode = 'numeric';
  if (column.type === 'decimal') { attributes.inputmode = 'decimal'; attributes.step = 'any'; }
  if (column.type === 'id_number') { attributes.autocomplete = 'off'; attributes.maxlength = '18'; }
  return el('input', attributes);
}

function personal(column) {
  return column.personal === true || column.personal === 'sensitive' || column.type === 'id_number';
}

/** The form of `register` for a new record (`record` null) or an existing one. */
export function recordForm(register, record, { village, subject, onSaved, onCancel, draft = null }) {
  const message = el('div', { class: 'form-message', role: 'alert' });
  const state = el('span', { class: 'save-state', role: 'status' });
  // A new record refused after it waited offline comes back with what the clerk typed.
  const typed = (code) => (draft && draft.values[code] != null ? String(draft.values[code]) : '');
  const fields = register.columns.map((column) => {
    const shown = record ? record.values[column.code] : typed(column.code);
    const masked = record && personal(column) && shown;
    const input = control(column, masked ? '' : shown);
    if (masked) input.placeholder = `${shown}（不修改请留空）`;
    return el('div', { class: 'field', 'data-field': column.code },
      el('label', { for: input.id }, column.name, column.required ? el('span', { class: 'required', 'aria-label': '必填' }, ' *') : null,
        column.personal === 'sensitive' ? el('span', { class: 'badge' }, '敏感') : null),
      input, el('p', { class: 'error', hidden: true }));
  });
  const group = el('input', { id: 'col-group', name: 'group', value: (record || draft || {}).group || '', placeholder: '如 第一村民小组' });
  const opened = el('input', { id: 'col-opened', name: 'opened_on', type: 'date', value: (record || draft || {}).opened_on || '' });
  const reason = el('input', { id: 'col-reason', name: 'reason', placeholder: record ? '修改原因（如 新生儿、分户）' : '如 新纳入' });
  const save = el('button', { type: 'submit', class: 'primary' }, record ? '保存修改' : '添加记录');
  const cancel = el('button', { type: 'button' }, '取消');
  cancel.addEventListener('click', onCancel);
  const form = el('form', { class: 'card record-form', id: 'record-form', novalidate: true },
    el('h2', {}, record ? `修改记录 ${record.id}` : `新增${register.name.replace(/台账$/, '')}记录`),
    fields,
    el('div', { class: 'field', 'data-field': 'group' }, el('label', { for: 'col-group' }, '村民小组'), group, el('p', { class: 'error', hidden: true })),
    el('div', { class: 'field', 'data-field': 'opened_on' }, el('label', { for: 'col-opened' }, '纳入日期（不填：以前就在台账中）'), opened, el('p', { class: 'error', hidden: true })),
    el('div', { class: 'field', 'data-field': 'reason' }, el('label', { for: 'col-reason' }, '原因'), reason, el('p', { class: 'error', hidden: true })),
    message, el('div', { class: 'panel-buttons' }, save, cancel, state));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = {};
    for (const column of register.columns) {
      const text = form.elements[column.code].value.trim();
      const before = record ? record.values[column.code] || '' : '';
      if (record && personal(column) && text === '') continue;
      if (record ? text !== before : text !== '') values[column.code] = text === '' ? null : text;
    }
    const body = { values };
    if (group.value.trim() || record) body.group = group.value.trim();
    if (opened.value) body.opened_on = opened.value;
    if (reason.value.trim()) body.reason = reason.value.trim();
    save.disabled = true;
    state.textContent = '保存中……';
    try {
      const who = values.head_name || values.name || '';
      const saved = await write(record
        ? { village, subject, label: `修改记录 ${record.id}`, method: 'PATCH', path: `/api/v1/registers/${register.code}/records/${record.id}`, body, headers: { 'if-match': `"${record.revision}"` } }
        : { village, subject, label: `新增${register.name.replace(/台账$/, '')}记录 ${who}`.trim(), method: 'POST', path: `/api/v1/registers/${register.code}/records?village=${village}`, body });
      // No network: kept on this phone, sent by itself when the network is back.
      state.textContent = saved ? '已保存' : '已存在本机，联网后自动同步';
      onSaved(saved);
    } catch (e) {
      state.textContent = '未保存';
      showFieldErrors(form, message, e);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** Closing a record: the reason and the day it left the list. */
export function closeForm(register, record, { village, subject, onSaved, onCancel }) {
  const message = el('div', { role: 'alert' });
  const reason = el('select', { id: 'close-reason' }, ['迁出', '死亡', '退出保障', '其他'].map((r) => el('option', { value: r }, r)));
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const date = el('input', { id: 'close-date', type: 'date', value: today, max: today });
  const ok = el('button', { type: 'submit', class: 'primary' }, '注销');
  const cancel = el('button', { type: 'button' }, '取消');
  cancel.addEventListener('click', onCancel);
  const form = el('form', { class: 'card record-form', id: 'close-form' },
    el('h2', {}, `注销记录 ${record.id}`),
    el('p', { class: 'muted' }, '注销后记录仍保留，注销日期之后的期别不再计入。'),
    el('div', { class: 'field', 'data-field': 'reason' }, el('label', { for: 'close-reason' }, '原因'), reason, el('p', { class: 'error', hidden: true })),
    el('div', { class: 'field', 'data-field': 'date' }, el('label', { for: 'close-date' }, '注销日期'), date, el('p', { class: 'error', hidden: true })),
    message, el('div', { class: 'panel-buttons' }, ok, cancel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ok.disabled = true;
    try {
      onSaved(await write({
        village, subject, label: `注销记录 ${record.id}（${reason.value}）`, method: 'POST',
        path: `/api/v1/registers/${register.code}/records/${record.id}/close`,
        body: { reason: reason.value, date: date.value }, headers: { 'if-match': `"${record.revision}"` },
      }));
    } catch (e) {
      showFieldErrors(form, message, e);
      ok.disabled = false;
    }
  });
  return form;
}

/** 查看完整信息: asks why, then shows the record in the clear (audited; kept in its history). */
export function revealForm(register, record, { onCancel }) {
  const message = el('div', { role: 'alert' });
  const reason = el('input', { id: 'reveal-reason', placeholder: '如 核对低保金发放账户' });
  const ok = el('button', { type: 'submit', class: 'primary' }, '查看');
  const cancel = el('button', { type: 'button' }, '关闭');
  cancel.addEventListener('click', onCancel);
  const shown = el('dl', { class: 'record-full', id: 'record-full' });
  const form = el('form', { class: 'card record-form', id: 'reveal-form' },
    el('h2', {}, `查看记录 ${record.id} 的完整信息`),
    el('p', { class: 'muted' }, '完整信息属个人信息，查看须说明原因；每次查看都会记入该记录的历史和审计日志。'),
    el('div', { class: 'field', 'data-field': 'reason' }, el('label', { for: 'reveal-reason' }, '查看原因'), reason, el('p', { class: 'error', hidden: true })),
    message, el('div', { class: 'panel-buttons' }, ok, cancel), shown);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const full = await api('POST', `/api/v1/registers/${register.code}/records/${record.id}/reveal`, { reason: reason.value });
      shown.replaceChildren(...register.columns.flatMap((c) => [el('dt', {}, c.name), el('dd', {}, full.values[c.code] || '—')]));
      message.replaceChildren();
    } catch (e) {
      showFieldErrors(form, message, e);
    }
  });
  return form;
}

/** A record's history, as a list. */
export async function historyList(register, record) {
  const events = await api('GET', `/api/v1/registers/${register.code}/records/${record.id}/history`);
  const label = { create: '新增', edit: '修改', close: '注销', import: '导入', reveal: '查看完整信息' };
  const name = (code) => (register.columns.find((c) => c.code === code) || { name: code === 'status' ? '状态' : code }).name;
  return el('ul', { class: 'list record-history' }, events.map((e) => el('li', {},
    el('strong', {}, label[e.action] || e.action), ` · ${e.actor} · ${new Date(e.occurred_at).toLocaleString('zh-CN')}`,
    e.reason ? el('div', { class: 'muted' }, `原因：${e.reason}`) : null,
    e.changes.length ? el('div', { class: 'muted' }, e.changes.map((c) => `${name(c.column)}：${c.old ?? '空'} → ${c.new ?? '空'}`).join('；')) : null)));
}

/** 导出本人信息 (个人信息保护法 §45): on the person's request, everything the register holds about
 * them, downloaded as a file to hand over; the reason is kept in the record's history. */
export function exportForm(register, record, { onCancel }) {
  const message = el('div', { role: 'alert' });
  const reason = el('input', { id: 'export-reason', value: '本人申请查阅' });
  const ok = el('button', { type: 'submit', class: 'primary' }, '导出');
  const cancel = el('button', { type: 'button' }, '关闭');
  cancel.addEventListener('click', onCancel);
  const done = el('p', { class: 'saved-note', id: 'export-done', hidden: true });
  const form = el('form', { class: 'card record-form', id: 'export-form' },
    el('h2', {}, `导出记录 ${record.id} 所涉本人的信息`),
    el('p', { class: 'muted' }, '应本人申请导出其在本台账中的全部信息和变更历史（个人信息保护法第四十五条）；导出会记入该记录的历史和审计日志。'),
    el('div', { class: 'field', 'data-field': 'reason' }, el('label', { for: 'export-reason' }, '原因'), reason, el('p', { class: 'error', hidden: true })),
    message, el('div', { class: 'panel-buttons' }, ok, cancel), done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const exported = await api('POST', `/api/v1/registers/${register.code}/records/${record.id}/export`, { reason: reason.value });
      const blob = new Blob([JSON.stringify(exported, null, 2)], { type: 'application/json' });
      const link = el('a', { href: URL.createObjectURL(blob), download: `personal-data-${register.code}-${record.id}.json` });
      document.body.append(link);
      link.click();
      link.remove();
      done.textContent = `已导出 ${exported.values.length} 项信息和 ${exported.history.length} 条历史`;
      done.hidden = false;
      message.replaceChildren();
    } catch (e) {
      showFieldErrors(form, message, e);
    }
  });
  return form;
}
