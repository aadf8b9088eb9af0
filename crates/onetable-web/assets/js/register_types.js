// 台账类型 on the registry page: every register type with its columns and the indicators it feeds;
// an admin defines a new one — columns with their type, personal mark and options, the key — and
// the server's refusals come back at the column they name.

import { api, el } from './api.js';
import { showFieldErrors } from './page.js';

const TYPES = { text: '文本', integer: '整数', decimal: '小数', boolean: '是/否', enum: '选项', date: '日期', id_number: '身份证号', phone: '电话' };
const PERSONAL = [['false', '否'], ['true', '个人信息（显示时打码）'], ['sensitive', '敏感个人信息（加密存储）']];
const UNITS = { household: '户', person: '人' };

function personalLabel(value) {
  return value === 'sensitive' ? '敏感' : value === true ? '个人信息' : '';
}

/** The card listing the register types (and, for an admin, the way to add one). */
export async function registerTypesCard(isAdmin) {
  const registers = await api('GET', '/api/v1/registers');
  const card = el('section', { class: 'card', id: 'register-types' }, el('h2', {}, '台账类型'),
    el('p', { class: 'muted' }, '村里维护的名单。指标的计算公式写作 count(REG.DIBAO)、sum(REG.DIBAO.members) 等，即由台账自动统计。'),
    el('ul', { class: 'list' }, registers.map((r) => el('li', { 'data-register': r.code },
      el('strong', {}, `${r.name}（${r.code}）`), el('span', { class: 'muted' }, ` 每条一${UNITS[r.unit] || r.unit}`),
      el('div', { class: 'muted' }, r.columns.map((c) => `${c.name}${personalLabel(c.personal) ? `［${personalLabel(c.personal)}］` : ''}`).join('、')),
      r.feeds.length ? el('div', {}, `提供：${r.feeds.map((f) => `${f.name}（${f.formula}）`).join('、')}`) : null))));
  if (isAdmin) {
    const add = el('button', { type: 'button', id: 'new-register' }, '新建台账类型');
    add.addEventListener('click', () => {
      add.replaceWith(registerTypeForm(async () => card.replaceWith(await registerTypesCard(isAdmin))));
    });
    card.append(add);
  }
  return card;
}

function columnRow(index) {
  const id = (name) => `rt-col-${index}-${name}`;
  const field = (name, label, control) => el('div', { class: 'field', 'data-field': `columns[${index}].${name}` },
    el('label', { for: id(name) }, label), control, el('p', { class: 'error', hidden: true }));
  return el('fieldset', { class: 'register-ask column-row', 'data-index': String(index) },
    el('legend', {}, `第 ${index + 1} 列`),
    field('code', '列代码（小写字母、数字、下划线）', el('input', { id: id('code'), placeholder: 'head_name' })),
    field('name', '列名', el('input', { id: id('name'), placeholder: '户主姓名' })),
    field('type', '类型', el('select', { id: id('type') }, Object.entries(TYPES).map(([v, t]) => el('option', { value: v }, t)))),
    field('personal', '个人信息', el('select', { id: id('personal') }, PERSONAL.map(([v, t]) => el('option', { value: v }, t)))),
    field('options', '选项（选项类型，逗号分隔）', el('input', { id: id('options'), placeholder: 'A类,B类,C类' })),
    el('label', { class: 'check', for: id('required') }, el('input', { type: 'checkbox', id: id('required') }), '必填'));
}

function readColumn(row) {
  const index = row.dataset.index;
  const value = (name) => row.querySelector(`#rt-col-${index}-${name}`);
  const personal = value('personal').value;
  const column = {
    code: value('code').value.trim(),
    name: value('name').value.trim(),
    type: value('type').value,
    personal: personal === 'sensitive' ? 'sensitive' : personal === 'true',
    required: value('required').checked,
  };
  const options = value('options').value.split(/[,，]/).map((o) => o.trim()).filter(Boolean);
  if (options.length) column.options = options;
  return column;
}

/** The admin's form for a new register type. */
export function registerTypeForm(onSaved) {
  const code = el('input', { id: 'rt-code', placeholder: 'REG.WELLS' });
  const name = el('input', { id: 'rt-name', placeholder: '饮水井台账' });
  const unit = el('select', { id: 'rt-unit' }, Object.entries(UNITS).map(([v, t]) => el('option', { value: v }, `每条一${t}`)));
  const key = el('input', { id: 'rt-key', placeholder: 'id_number' });
  const columns = el('div', { id: 'rt-columns' }, columnRow(0), columnRow(1));
  const more = el('button', { type: 'button', id: 'rt-add-column' }, '再加一列');
  more.addEventListener('click', () => columns.append(columnRow(columns.children.length)));
  const message = el('div', { role: 'alert' });
  const save = el('button', { type: 'submit', class: 'primary', id: 'rt-save' }, '保存台账类型');
  const field = (id, label, control, hint) => el('div', { class: 'field', 'data-field': id },
    el('label', { for: control.id }, label), control, hint ? el('p', { class: 'muted hint' }, hint) : null, el('p', { class: 'error', hidden: true }));
  const form = el('form', { class: 'card record-form', id: 'register-type-form', novalidate: true },
    el('h2', {}, '新建台账类型'),
    field('code', '代码', code, '以 REG. 开头，如 REG.WELLS'), field('name', '名称', name), field('unit', '每条记录是', unit),
    columns, more, field('key', '主键列（逗号分隔）', key, '在一个村里唯一标识一条记录的列，须为必填列'),
    message, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const body = {
        code: code.value.trim(), name: name.value.trim(), unit: unit.value,
        columns: [...columns.children].map(readColumn).filter((c) => c.code || c.name),
        key: key.value.split(/[,，]/).map((k) => k.trim()).filter(Boolean),
      };
      await api('POST', '/api/v1/registers', body);
      onSaved();
    } catch (e) {
      showFieldErrors(form, message, e);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
