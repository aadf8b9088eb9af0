// The form's state (一张表): the fields as the page holds them, each field's save state, the
// entry's revision and status, and the queue that keeps writes in order; what every part of the
// page reads and shows.

import { el } from './api.js';
import { codesOf, display } from './fields.js';
import { ENTRY_STATUS } from './labels.js';
import { exact } from './numbers.js';

const STATES = { saved: '已保存', saving: '保存中…', failed: '保存失败', invalid: '有误', conflict: '有冲突', queued: '待同步' };

export const state = { region: null, period: null, revision: 0, status: 'draft', fields: new Map(), rules: [], explanations: {}, flagNotes: {}, queue: Promise.resolve() };

export function setState(code, which, message = '') {
  const f = state.fields.get(code);
  if (!f) return;
  f.row.dataset.state = which;
  f.state.textContent = STATES[which] || '';
  f.error.textContent = message;
  f.error.hidden = !message;
  f.control.setAttribute('aria-invalid', which === 'invalid' ? 'true' : 'false');
}

/** Derived values as the server computed them (rounded to the indicator's scale); a missing one
 * says why when its inputs are on another period's form. */
export function showDerived(derived) {
  for (const d of derived) {
    const f = state.fields.get(d.code);
    if (!f || !f.derived) continue;
    f.control.textContent = d.value === null ? '—' : exact(d.value);
    f.error.textContent = d.value === null && d.note ? d.note : '';
    f.error.hidden = !(d.value === null && d.note);
    f.error.classList.toggle('muted', Boolean(d.note));
  }
}

/** Rule results beside the fields each rule names: failing errors and warnings only. */
export function showRules(results) {
  for (const f of state.fields.values()) f.rules.replaceChildren();
  for (const result of results) {
    if (result.outcome !== 'fail') continue;
    const rule = state.rules.find((r) => r.code === result.code);
    const codes = rule ? codesOf(rule.expression) : [];
    for (const code of codes) {
      const f = state.fields.get(code);
      if (!f) continue;
      f.rules.append(el('p', { class: `rule ${result.severity}`, 'data-rule': result.code }, `${result.severity === 'error' ? '错误' : '提醒'}：${result.message}`));
      // What the clerk said about it when submitting, for the reviewer (and the clerk, once returned).
      const why = result.severity === 'warning' && state.explanations[result.code];
      if (why) f.rules.append(el('p', { class: 'explanation', 'data-rule': result.code }, `填报说明：${why}`));
    }
  }
}

/** The form's state as the worklist says it: a form nothing was saved in yet has not started. */
export function statusLabel(entry) {
  if (entry.revision === 0 && entry.status === 'draft') return ENTRY_STATUS.not_started;
  return ENTRY_STATUS[entry.status] || entry.status;
}

export const editable = () => !state.reviewing && (state.status === 'draft' || state.status === 'returned');

/** After an answer that holds the whole entry (carry-forward, submit): every field shows it. */
export function showEntry(entry) {
  state.explanations = entry.explanations || {};
  state.revision = entry.revision;
  state.status = entry.status;
  for (const f of state.fields.values()) {
    if (f.derived) continue;
    const stored = entry.values.find((v) => v.code === f.field.code);
    const text = stored ? display(f.type, stored.value) : '';
    if (text !== f.control.value || text !== f.sent) {
      f.control.value = text;
      f.sent = text;
      f.base = text;
      if (stored) setState(f.field.code, 'saved');
    }
    f.control.disabled = !editable();
  }
  const badge = document.getElementById('entry-status');
  badge.className = `status ${entry.status}`;
  badge.textContent = statusLabel(entry);
  showDerived(entry.derived);
  showRules(entry.rule_results);
  document.querySelectorAll('.confirm-section, #submit').forEach((b) => { b.hidden = !editable(); });
  const review = document.getElementById('review');
  if (review) review.hidden = state.status !== 'submitted';
}

/** Runs `work` after every save already queued, so revisions follow each other. */
export function enqueue(work) {
  state.queue = state.queue.then(work, work);
  return state.queue;
}

/** What happened, said where the person acted (a submit, a return, an approval). */
export function announce(text, links = []) {
  const box = document.getElementById('outcome');
  box.replaceChildren(el('p', {}, text), ...links);
  box.hidden = false;
  box.scrollIntoView({ block: 'center' });
}
