// Values a department supplies (数据回流) in the form: 预填 beside a prefilled field with where it
// came from (确认: one tap), the department's newer number beside what the clerk typed (采用 or
// leave it), a correction shown as such; the reviewer reads the same notes without the buttons.

import { el } from './api.js';
import { words } from './fields.js';
import { announce, editable, showEntry, state } from './form_state.js';
import { call, save } from './form_save.js';

/** What the last whole answer said: the supplied values, and each stored cell's source. */
const known = { supplied: new Map(), cells: new Map() };

/** Codes among `codes` holding a department's value not yet confirmed. */
export function unconfirmed(codes) {
  return codes.filter((code) => known.cells.get(code)?.source === 'supplied');
}

/** Confirms `codes` (empty: every supplied value): each takes the department's latest number. */
export async function confirmSupplied(codes) {
  const answer = await call('POST', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}/confirm-supplied`,
    { codes }, () => ({ 'if-match': `"${state.revision}"` }));
  showEntry(answer);
  showSupplied(answer);
  return answer;
}

function action(label, cls, codes, done) {
  const button = el('button', { type: 'button', class: `link ${cls}` }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await confirmSupplied(codes);
      announce(done);
    } catch (e) {
      button.disabled = false;
      button.after(el('span', { class: 'error' }, e.message));
    }
  });
  return button;
}

function renderNote(f) {
  const slot = f.row.querySelector('.supplied-note');
  if (!slot) return;
  const code = f.field.code;
  const given = known.supplied.get(code);
  const cell = known.cells.get(code);
  slot.replaceChildren();
  slot.hidden = !given;
  if (!given) return;
  const unit = f.field.unit ? ` ${f.field.unit}` : '';
  const theirs = `${words(f.type, given.value)}${unit}`;
  const source = `${given.department}，截至 ${given.as_of}`;
  if (cell && cell.source === 'supplied') {
    slot.append(el('span', { class: 'badge supplied-badge' }, '预填'), ` 来自${source}`);
    if (editable()) slot.append(' ', action('确认', 'confirm-supplied', [code], `已确认${given.department}的数据`));
  } else if (given.newer && cell) {
    const keep = el('button', { type: 'button', class: 'link keep-own' }, '保留原值');
    keep.addEventListener('click', () => { slot.hidden = true; });
    slot.append(el('span', { class: 'supplied-newer' }, `${given.department}有新数据：${theirs}（原 ${words(f.type, cell.value)}${unit}）`));
    if (editable()) slot.append(' ', action('采用', 'take-supplied', [code], `已采用${given.department}的新数据`), ' ', keep);
  } else if (cell && cell.source === 'confirmed') {
    slot.append(`已确认 · 来自${source}`);
  } else if (cell && words(f.type, cell.value) !== words(f.type, given.value)) {
    slot.append(`已改正 · ${given.department}的数据为 ${theirs}`);
    const back = given.correction;
    if (back && back.status === 'answered') slot.append(el('div', { class: 'supplied-answer' }, `${given.department}答复：${back.answer}`));
    else if (!back || back.status === 'open') slot.append('，已反馈给该部门');
  } else {
    slot.append(`与${given.department}的数据一致`);
  }
}

/** Takes in what a whole answer says, before the page is built from it. */
export function learnSupplied(entry) {
  known.supplied = new Map((entry.supplied || []).map((s) => [s.indicator, s]));
  known.cells = new Map(entry.values.map((v) => [v.code, { source: v.source, value: v.value }]));
}

/** Every field's note, from a whole answer (the entry as read, or after a confirmation). */
export function showSupplied(entry) {
  learnSupplied(entry);
  document.querySelectorAll('.confirm-supplied-section').forEach((b) => {
    b.hidden = !editable() || !unconfirmed(JSON.parse(b.dataset.codes)).length;
  });
  for (const f of state.fields.values()) {
    if (f.derived) continue;
    // A save of the field by the clerk: the note follows without reading the entry again.
    f.askReason = (value, text) => askReason(f, value, text);
    f.afterSave = (value) => {
      known.cells.set(f.field.code, { source: 'entry', value });
      if (known.supplied.has(f.field.code)) known.supplied.get(f.field.code).newer = false;
      renderNote(f);
    };
    renderNote(f);
  }
}

/**
 * The clerk typed a number other than the department's: the reason is asked beside the field and
 * sent with the save (the department sees it with the correction). Answers whether it asked.
 */
function askReason(f, value, text) {
  const given = known.supplied.get(f.field.code);
  if (!given || words(f.type, given.value) === words(f.type, value)) return false;
  const slot = f.row.querySelector('.supplied-note');
  const id = `reason-${f.field.code}`;
  const reason = el('input', { id, class: 'correction-reason', placeholder: '如 两户已分户，部门尚未登记' });
  const ok = el('button', { type: 'button', class: 'primary save-correction' }, '保存改正');
  const cancel = el('button', { type: 'button', class: 'link cancel-correction' }, '取消');
  const box = el('div', { class: 'correction', role: 'group', 'aria-label': '改正原因' },
    el('label', { for: id }, `与${given.department}的数据（${words(f.type, given.value)}）不同，请说明原因（将反馈给${given.department}）`),
    reason, el('div', { class: 'panel-buttons' }, ok, cancel));
  f.row.querySelector('.correction')?.remove();
  slot.after(box);
  reason.focus();
  ok.addEventListener('click', () => {
    box.remove();
    f.sent = text;
    save(f.field.code, value, false, null, reason.value.trim() || null);
  });
  cancel.addEventListener('click', () => {
    box.remove();
    f.control.value = f.sent;
  });
  return true;
}

/** 确认本节部门数据: one tap for a section's prefilled values (none: no button). */
export function sectionConfirm(codes, label) {
  if (state.reviewing || !unconfirmed(codes).length) return '';
  const button = el('button', { type: 'button', class: 'confirm-section confirm-supplied-section', 'data-codes': JSON.stringify(codes) }, label);
  button.addEventListener('click', async () => {
    const waiting = unconfirmed(codes);
    // Confirmed meanwhile (another button, one field): an empty list would mean "all".
    if (!waiting.length) { button.hidden = true; return; }
    button.disabled = true;
    try {
      await confirmSupplied(waiting);
      button.disabled = false;
      announce(`已确认 ${waiting.length} 项部门预填数据`);
    } catch (e) {
      button.disabled = false;
      button.after(el('p', { class: 'error' }, e.message));
    }
  });
  return button;
}
