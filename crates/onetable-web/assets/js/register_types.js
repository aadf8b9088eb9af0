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

/** The card listing the register types (and, for an admin, the way to add or change one). */
export async function registerTypesCard(isAdmin, saved = null) {
  const registers = await api('GET', '/api/v1/registers');
  const reload = async (result) => card.replaceWith(await registerTypesCard(isAdmin, result));
  const card = el('section', { class: 'card', id: 'register-types' }, el('h2', {}, '台账类型'),
    el('p', { class: 'muted' }, '村里维护的名单。指标的计算公式写作 count(REG.DIBAO)、sum(REG.DIBAO.members) 等，即由台账自动统计。'),
    saved ? savedNote(saved) : null,
    el('ul', { class: 'list' }, registers.map((r) => {
      const item = el('li', { 'data-register': r.code },
        el('strong', {}, `${r.name}（${r.code}）`), el('span', { class: 'muted' }, ` 每条一${UNITS[r.unit] || r.unit} · 第 ${r.version} 版`),
        el('div', { class: 'muted' }, r.columns.map((c) => `${c.name}${personalLabel(c.personal) ? `［${personalLabel(c.personal)}］` : ''}`).join('、')),
        r.feeds.length ? el('div', {}, `提供：${r.feeds.map((f) => `${f.name}（${f.formula}）`).join('、')}`) : null);
      if (isAdmin) {
        const edit = el('button', { type: 'button', class: 'link edit-register' }, '修改');
        edit.addEventListener('click', () => edit.replaceWith(registerTypeForm(reload, r)));
        item.append(edit);
      }
      return item;
    })));
  if (isAdmin) {
    const add = el('button', { type: 'button', id: 'new-register' }, '新建台账类型');
    add.addEventListener('click', () => add.replaceWith(registerTypeForm(reload)));
    card.append(add);
  }
  return card;
}

/** What a change did: the new version and each difference, or that nothing changed. */
function savedNote(saved) {
  if (!saved.changes) return el('p', { class: 'saved-note', id: 'register-saved' }, `已新建台账类型 ${saved.name}`);
  const { register, changes, resealed } = saved;
  if (!changes.length) return el('p', { class: 'saved-note', id: 'register-saved' }, `${register.name} 没有改动，未生成新版本`);
  return el('div', { class: 'saved-note', id: 'register-saved' },
    el('p', {}, `${register.name} 已保存为第 ${register.version} 版${resealed ? `，${resealed} 条已有记录的新敏感列已加密存储` : ''}：`),
    el('ul', {}, changes.map((c) => el('li', {}, c.message))));
}

function columnRow(index, column = null) {
  const id = (name) => `rt-col-${index}-${name}`;
  const field = (name, label, control) => el('div', { class: 'field', 'data-field': `columns[${index}].${name}` },
    el('label', { for: id(name) }, label), control, el('p', { class: 'error', hidden: true }));
  const personal = column ? String(column.personal) : 'false';
  const row = el('fieldset', { class: 'register-ask column-row', 'data-index': String(index) },
    el('legend', {}, column ? `第 ${index + 1} 列 · ${column.code}` : `第 ${index + 1} 列`),
    field('code', '列代码（小写字母、数字、下划线）', el('input', { id: id('code'), placeholder: 'head_name', value: column ? column.code : '', readonly: Boolean(column) })),
    field('name', '列名', el('input', { id: id('name'), placeholder: '户主姓名', value: column ? column.name : '' })),
    field('type', '类型', el('select', { id: id('type') }, Object.entries(TYPES).map(([v, t]) => el('option', { value: v, selected: column && column.type === v }, t)))),
    field('personal', '个人信息', el('select', { id: id('personal') }, PERSONAL.map(([v, t]) => el('option', { value: v, selected: v === personal }, t)))),
    field('options', '选项（选项类型，逗号分隔）', el('input', { id: id('options'), placeholder: 'A类,B类,C类', value: column && column.options ? column.options.join(',') : '' })),
    el('label', { class: 'check', for: id('required') }, el('input', { type: 'checkbox', id: id('required'), checked: Boolean(column && column.required) }), '必填'));
  // What the form does not show (ranges, aliases) is kept as it was.
  if (column) row.dataset.original = JSON.stringify(column);
  return row;
}

function readColumn(row) {
  const index = row.dataset.index;
  const value = (name) => row.querySelector(`#rt-col-${index}-${name}`);
  const personal = value('personal').value;
  const column = {
    ...(row.dataset.original ? JSON.parse(row.dataset.original) : {}),
    code: value('code').value.trim(),
    name: value('name').value.trim(),
    type: value('type').value,
    personal: personal === 'sensitive' ? 'sensitive' : personal === 'true',
    required: value('required').checked,
  };
  const options = value('options').value.split(/[,，]/).map((o) => o.trim()).filter(Boolean);
  if (options.length) column.options = options; else delete column.options;
  return column;
}

/** The admin's form for a new register type, or for a new version of `existing`. */
export function registerTypeForm(onSaved, existing = null) {
  const code = el('input', { id: 'rt-code', placeholder: 'REG.WELLS', value: existing ? existing.code : '', readonly: Boolean(existing) });
  const name = el('input', { id: 'rt-name', placeholder: '饮水井台账', value: existing ? existing.name : '' });
  const unit = el('select', { id: 'rt-unit' }, Object.entries(UNITS).map(([v, t]) => el('option', { value: v, selected: existing && existing.unit === v }, `每条一${t}`)));
  const key = el('input', { id: 'rt-key', placeholder: 'id_number', value: existing ? existing.key.join(',') : '' });
  const note = el('input', { id: 'rt-note', placeholder: '如 按新表式增加一列' });
  const columns = el('div', { id: 'rt-columns' }, ...(existing ? existing.columns.map((c, i) => columnRow(i, c)) : [columnRow(0), columnRow(1)]));
  const more = el('button', { type: 'button', id: 'rt-add-column' }, '再加一列');
  more.addEventListener('click', () => columns.append(columnRow(columns.children.length)));
  const message = el('div', { role: 'alert' });
  const save = el('button', { type: 'submit', class: 'primary', id: 'rt-save' }, existing ? '保存为新版本' : '保存台账类型');
  const field = (id, label, control, hint) => el('div', { class: 'field', 'data-field': id },
    el('label', { for: control.id }, label), control, hint ? el('p', { class: 'muted hint' }, hint) : null, el('p', { class: 'error', hidden: true }));
  const form = el('form', { class: 'card record-form', id: 'register-type-form', novalidate: true },
    el('h2', {}, existing ? `修改台账类型 ${existing.code}（现为第 ${existing.version} 版）` : '新建台账类型'),
    existing ? el('p', { class: 'muted' }, '已有记录时只能做兼容的修改：改名称、加选填列、放宽范围、加选项、提高保护级别（改为敏感的列，已有数值随即加密）。删除或改类型、改必填、改主键等会被拒绝。') : null,
    field('code', '代码', code, existing ? null : '以 REG. 开头，如 REG.WELLS'), field('name', '名称', name), field('unit', '每条记录是', unit),
    columns, more, field('key', '主键列（逗号分隔）', key, '在一个村里唯一标识一条记录的列，须为必填列'),
    existing ? field('change_note', '修改说明', note) : null,
    message, save);
  // A refusal names `columns.<code>.<what>`: shown at that column's row.
  const fieldOf = (name) => {
    const match = /^columns\.([a-z0-9_]+)(?:\.(\w+))?$/.exec(name);
    if (!match) return name;
    const row = [...columns.children].find((r) => r.querySelector('[id$="-code"]').value.trim() === match[1]);
    if (!row) return name;
    const part = ['type', 'personal', 'options'].includes(match[2]) ? match[2] : 'name';
    return `columns[${row.dataset.index}].${part}`;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      const body = {
        code: code.value.trim(), name: name.value.trim(), unit: unit.value,
        columns: [...columns.children].map(readColumn).filter((c) => c.code || c.name),
        key: key.value.split(/[,，]/).map((k) => k.trim()).filter(Boolean),
      };
      if (existing) {
        body.description = existing.description;
        if (note.value.trim()) body.change_note = note.value.trim();
        onSaved(await api('PUT', `/api/v1/registers/${existing.code}`, body));
      } else {
        onSaved(await api('POST', '/api/v1/registers', body));
      }
    } catch (e) {
      showFieldErrors(form, message, e, fieldOf);
      // A refusal of a column may be far up a long form: the first one is brought into view.
      const first = form.querySelector('[data-field] > .error:not([hidden])');
      if (first) first.scrollIntoView({ block: 'center' });
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
