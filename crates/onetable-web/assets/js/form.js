// The one form (一张表) of a period for the clerk's village, and the same form as a reviewer reads
// it: the page, its fields and sections, and "上期无变化，一键确认". Saving is in form_save.js,
// submitting in form_submit.js, reviewing in form_review.js; what they share in form_state.js.

import { api, el, session } from './api.js';
import { toggleHistory } from './field_history.js';
import { check, display, input, parseType, words } from './fields.js';
import { periodLabel } from './labels.js';
import { register, remember } from './offline.js';
import { runPage, toLogin } from './page.js';
import { announce, editable, enqueue, setState, showEntry, state, statusLabel } from './form_state.js';
import { call, restorePending, save } from './form_save.js';
import { submitButton } from './form_submit.js';
import { reviewCard, showHistoryNotes } from './form_review.js';
import { confirmSupplied, learnSupplied, sectionConfirm, showSupplied, unconfirmed } from './form_supplied.js';
import { followSaves, showOutliers } from './form_quality.js';

/** "上期无变化，一键确认": shows which of last period's values will be copied, then copies them. */
function confirmPanel(codes, entry, where) {
  // In the form's order, as the clerk sees the fields.
  // A department's prefilled number is confirmed, not replaced by last period's.
  const supplied = unconfirmed(codes);
  const previous = codes.filter((code) => !supplied.includes(code))
    .map((code) => entry.carried_forward.find((c) => c.code === code)).filter((c) => c && state.fields.has(c.code));
  const panel = el('div', { class: 'confirm-panel', role: 'dialog', 'aria-label': '确认沿用上期数据' },
    el('p', {}, previous.length ? `将把以下 ${previous.length} 项上期数据复制到本期：` : '上期没有可沿用的数据'),
    el('ul', { class: 'copy-list' }, previous.map((c) => {
      const f = state.fields.get(c.code);
      return el('li', {}, `${f.field.name}：${words(f.type, c.value)}${f.field.unit ? ` ${f.field.unit}` : ''}`);
    })));
  if (supplied.length) panel.append(el('p', { class: 'muted' }, `另有 ${supplied.length} 项部门预填数据，将一并确认。`));
  const cancel = el('button', { type: 'button', class: 'cancel' }, '取消');
  const ok = el('button', { type: 'button', class: 'primary confirm-copy' }, '确认复制');
  ok.hidden = !previous.length && !supplied.length;
  panel.append(el('div', { class: 'panel-buttons' }, cancel, ok));
  cancel.addEventListener('click', () => panel.remove());
  ok.addEventListener('click', () => {
    ok.disabled = true;
    enqueue(async () => {
      try {
        if (supplied.length) await confirmSupplied(supplied);
        if (previous.length) {
          const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/carry-forward`,
            { codes: previous.map((c) => c.code) }, () => ({ 'if-match': `"${state.revision}"` }));
          showEntry(answer);
          showSupplied(answer);
        }
        panel.remove();
      } catch (e) {
        ok.disabled = false;
        panel.querySelector('p').textContent = e.message;
      }
    });
  });
  (where.closest('.section-head') || where).after(panel);
  panel.scrollIntoView({ block: 'center' });
}

function fieldRow(field, entry) {
  const type = parseType(field.value_type);
  const label = field.unit ? `${field.name}（${field.unit}）` : field.name;
  const id = `f-${field.code}`;
  // Kept from a register (台账): shown as the register gives it, never typed here.
  const fromRegister = field.register ? (entry.register_values || []).find((v) => v.indicator === field.code) : null;
  const computed = field.derived || Boolean(field.register);
  const control = computed
    ? el('output', { id, class: field.register ? 'derived register-value' : 'derived' },
      fromRegister ? (fromRegister.to_confirm ? fromRegister.stored ?? '—' : fromRegister.value) : '—')
    : input(el, field, type);
  const previous = entry.carried_forward.find((c) => c.code === field.code);
  const registerLink = fromRegister
    ? el('a', { class: 'register-link', href: `/registers?code=${encodeURIComponent(fromRegister.register)}${state.reviewing ? `&village=${state.region}` : ''}` },
      fromRegister.to_confirm
        ? `${fromRegister.register_name}现为 ${fromRegister.value} ${field.unit || ''}，待审核员确认`
        : `来自${fromRegister.register_name}：${fromRegister.value} ${field.unit || ''}`)
    : null;
  const note = el('span', { id: `${id}-note`, class: 'muted' },
    registerLink || (previous ? `上期：${words(type, previous.value)}` : ''), field.derived ? '（自动计算）' : '');
  const row = el('div', { class: 'field', 'data-code': field.code },
    el('label', { for: id }, label, field.required ? el('span', { class: 'required', 'aria-label': '必填' }, ' *') : null),
    control,
    el('div', { class: 'field-foot' }, note, el('span', { class: 'save-state', role: 'status' }),
      field.derived ? null : el('button', { type: 'button', class: 'link history-button', 'aria-expanded': 'false' }, '修改记录')),
    computed ? null : el('div', { class: 'supplied-note', hidden: true }),
    el('p', { class: 'error', role: 'alert', hidden: true }),
    el('div', { class: 'rules' }));
  const f = { field, type, row, control, derived: computed, state: row.querySelector('.save-state'), error: row.querySelector('.error'), rules: row.querySelector('.rules') };
  state.fields.set(field.code, f);
  const historyButton = row.querySelector('.history-button');
  if (historyButton) historyButton.addEventListener('click', () => toggleHistory(f, historyButton, `/api/v1/entries/${state.region}/${state.period}`));
  if (!computed) {
    const stored = entry.values.find((v) => v.code === field.code);
    control.value = stored ? display(type, stored.value) : '';
    f.sent = control.value;
    f.base = control.value;
    control.addEventListener('change', () => {
      const text = control.value;
      if (text === f.sent) return;
      const checked = check(field, type, text);
      if (checked.error) return setState(field.code, 'invalid', checked.error);
      // A number other than the department's asks why first (the reason goes back to it).
      if (f.askReason && f.askReason(checked.value, text)) return;
      f.sent = text;
      save(field.code, checked.value);
    });
    // Enter moves on, as Tab does, on a desktop keyboard.
    control.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || control.tagName === 'TEXTAREA') return;
      event.preventDefault();
      const inputs = [...document.querySelectorAll('.field input, .field select')];
      const next = inputs[inputs.indexOf(control) + 1];
      if (next) next.focus(); else control.blur();
    });
    control.disabled = !editable();
  }
  return row;
}

/**
 * 台账变化待确认: a register moved after the form was submitted or approved; the form is never
 * rewritten silently — the reviewer confirms the new counts here.
 */
function registerConfirmCard(entry, form) {
  const pending = (entry.register_values || []).filter((v) => v.to_confirm);
  if (!pending.length) return null;
  const names = new Map(form.sections.flatMap((s) => s.fields).map((f) => [f.code, f]));
  const button = el('button', { type: 'button', class: 'primary', id: 'register-confirm-button' }, '确认台账变化');
  const card = el('section', { class: 'card', id: 'register-confirm', role: 'status' },
    el('h2', {}, '台账变化待确认'),
    el('p', { class: 'muted' }, '报表提交后，台账中的记录有了变化。确认后报表中的数值按台账更新，报表状态不变。'),
    el('ul', { class: 'list' }, pending.map((v) => el('li', {},
      `${(names.get(v.indicator) || { name: v.indicator }).name}：${v.stored ?? '空'} → ${v.value}（${v.register_name}）`))),
    button);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const answer = await api('POST', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}/register-confirm`, undefined,
        { 'if-match': `"${state.revision}"` });
      for (const v of pending) {
        const f = state.fields.get(v.indicator);
        if (!f) continue;
        f.control.textContent = v.value;
        const link = f.row.querySelector('.register-link');
        if (link) link.textContent = `来自${v.register_name}：${v.value} ${f.field.unit || ''}`;
      }
      showEntry(answer);
      card.remove();
      announce('已按台账更新报表中的数值');
    } catch (e) {
      button.disabled = false;
      card.append(el('p', { class: 'error' }, e.message));
    }
  });
  return card;
}

async function main() {
  register();
  const current = await session();
  if (!current) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = me.region_name || '';
  const params = new URLSearchParams(location.search);
  state.reviewing = me.role === 'reviewer' || me.role === 'admin';
  state.subject = me.subject;
  state.region = (state.reviewing && params.get('region')) || me.region;
  state.period = new URLSearchParams(location.search).get('period') || '';
  const [form, entry, village] = await Promise.all([
    api('GET', `/api/v1/form?period=${encodeURIComponent(state.period)}`),
    api('GET', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}`),
    // A reviewer reads many villages' forms: the title names this one.
    state.reviewing ? api('GET', `/api/v1/regions/${state.region}`).catch(() => null) : null,
  ]);
  state.revision = entry.revision;
  state.status = entry.status;
  state.rules = form.rules;
  // For opening this form again with no network (see offline.js).
  remember('/api/v1/auth/session', current);
  remember('/api/v1/me', me);
  remember(`/api/v1/form?period=${encodeURIComponent(state.period)}`, form);
  remember(`/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}`, entry);
  const page = document.getElementById('main');
  const entered = (fields) => fields.filter((f) => !f.derived && !f.register).map((f) => f.code);
  const confirmButton = (label, codes) => {
    const button = el('button', { type: 'button', class: 'confirm-section' }, label);
    button.addEventListener('click', () => {
      document.querySelectorAll('.confirm-panel').forEach((p) => p.remove());
      confirmPanel(codes, entry, button);
    });
    return button;
  };
  const allCodes = entered(form.sections.flatMap((s) => s.fields));
  learnSupplied(entry);
  page.replaceChildren(
    el('p', { id: 'sync-banner', class: 'sync-banner', role: 'status', hidden: true }),
    el('div', { class: 'form-head' },
      el('h1', {}, village ? `${village.name} · ${periodLabel(form.period)}报表` : `${periodLabel(form.period)}报表`),
      el('span', { class: `status ${entry.status}`, id: 'entry-status' }, statusLabel(entry)),
      el('a', { id: 'print-link', href: `/print?period=${encodeURIComponent(form.period)}&region=${state.region}` }, '打印')),
    el('div', { id: 'history-notes' }),
    state.reviewing ? registerConfirmCard(entry, form) || '' : '',
    entry.carried_forward.length ? confirmButton('全表上期无变化，一键确认', allCodes) : '',
    sectionConfirm(allCodes, '确认全部部门预填数据'),
    ...form.sections.map((section) => el('section', { class: 'card form-section', 'data-category': section.category },
      el('div', { class: 'section-head' },
        el('h2', {}, section.category),
        entry.carried_forward.some((c) => entered(section.fields).includes(c.code))
          ? confirmButton('上期无变化，一键确认', entered(section.fields)) : '',
        sectionConfirm(entered(section.fields), '确认本节部门数据')),
      section.fields.map((field) => fieldRow(field, entry)))),
    el('div', { id: 'outcome', class: 'saved-note', role: 'status', hidden: true }),
    state.reviewing ? reviewCard() : el('section', { class: 'card submit-card' },
      el('div', { id: 'submit-problems', role: 'alert', hidden: true }),
      submitButton()));
  showEntry(entry);
  showSupplied(entry);
  // From navigation to a form that takes input, for scripts/bench-pages.py.
  performance.mark('onetable-form-editable');
  followSaves();
  showOutliers();
  await showHistoryNotes();
  if (!state.reviewing) await restorePending();
}

runPage(main);
