// Saving the form's fields (保存): one field a write, with If-Match, through the outbox so no
// edit is lost to a dropped network or a closed tab; a stale revision resolved without
// overwriting what someone else saved; the outbox sent again, in order, when the network returns.

import { api, el } from './api.js';
import { display, words } from './fields.js';
import * as outbox from './outbox.js';
import { signInAgain } from './relogin.js';
import { enqueue, setState, showDerived, showRules, state, statusLabel } from './form_state.js';

/** Calls the API; a 401 asks for the password in place and then tries once more. */
export async function call(method, path, body, headers) {
  try {
    return await api(method, path, body, typeof headers === 'function' ? headers() : headers);
  } catch (e) {
    if (e.status !== 401) throw e;
    await signInAgain(state.subject);
    return api(method, path, body, typeof headers === 'function' ? headers() : headers);
  }
}

/**
 * A stale revision: someone saved this entry since it was read. When this field is as it was, the
 * save is simply made again on the new revision; when someone changed this very field, nothing is
 * overwritten: both values are shown and the clerk chooses.
 */
async function resolveStale(code, value) {
  const f = state.fields.get(code);
  const entry = await call('GET', `/api/v1/entries/${state.region}/${state.period}`);
  const theirs = entry.values.find((v) => v.code === code);
  const theirsText = theirs ? display(f.type, theirs.value) : '';
  state.revision = entry.revision;
  // What others saved meanwhile shows in every field the clerk has not touched since.
  for (const other of state.fields.values()) {
    if (other === f || other.derived) continue;
    const stored = entry.values.find((v) => v.code === other.field.code);
    const text = stored ? display(other.type, stored.value) : '';
    if (text !== other.base && other.control.value === other.base) {
      other.control.value = text;
      other.sent = text;
    }
    if (other.control.value === text) other.base = text;
  }
  showDerived(entry.derived);
  showRules(entry.rule_results);
  // The server already holds this very value: an earlier send arrived, only its answer was lost.
  if (theirsText === f.sent) {
    f.base = theirsText;
    setState(code, 'saved');
    return undefined;
  }
  if (theirsText === f.base) return save(code, value, true);
  setState(code, 'conflict', '');
  const mine = f.control.value;
  const keep = el('button', { type: 'button', class: 'keep-mine' }, '保留我的值');
  const take = el('button', { type: 'button', class: 'take-theirs' }, '采用对方的值');
  const box = el('div', { class: 'conflict', role: 'alert' },
    el('p', {}, `此项已被 ${theirs ? theirs.entered_by : '他人'} 改为“${theirs ? words(f.type, theirs.value) : '空'}”，您填写的是“${mine || '空'}”。请选择：`),
    el('div', { class: 'panel-buttons' }, take, keep));
  f.row.querySelector('.conflict')?.remove();
  f.row.append(box);
  f.base = theirsText;
  keep.addEventListener('click', () => { box.remove(); save(code, value, true); });
  take.addEventListener('click', () => {
    box.remove();
    f.control.value = theirsText;
    f.sent = theirsText;
    setState(code, 'saved');
  });
  return undefined;
}

/** Answers that settle an edit; any other (no network, a server fault) keeps it to send again. */
const FINAL = [400, 403, 404, 409, 412, 422, 428];

async function refreshBanner() {
  const waiting = await outbox.pending(state.region, state.period).catch(() => []);
  const banner = document.getElementById('sync-banner');
  if (!banner) return;
  banner.hidden = waiting.length === 0;
  banner.textContent = `有 ${waiting.length} 项修改等待同步，网络恢复后将按顺序自动发送`;
}

/**
 * Saves one field. The edit is written to the outbox first and removed only when the server has
 * answered it, so a lost connection or a closed tab loses nothing; `kept` is the outbox id of an
 * edit sent again.
 */
export function save(code, value, now = false, kept = null, reason = null) {
  setState(code, 'saving');
  const f = state.fields.get(code);
  const run = async () => {
    // Sent again from the outbox, but settled by another send meanwhile: nothing to do.
    if (kept !== null && !(await outbox.has(kept).catch(() => true))) {
      if (f.row.dataset.state === 'saving') setState(code, 'saved');
      return;
    }
    const id = kept ?? await outbox.keep({ region: state.region, period: state.period, code, value, text: f.sent, base: f.base, reason })
      .catch(() => null);
    const settle = async () => { if (id !== null) await outbox.forget(id).catch(() => {}); };
    try {
      const started = performance.now();
      // A correction of a department's number carries the clerk's reason back to it.
      const body = reason ? { values: { [code]: value }, reason } : { values: { [code]: value } };
      const answer = await call('PATCH', `/api/v1/entries/${state.region}/${state.period}`, body,
        () => ({ 'if-match': `"${state.revision}"` }));
      // The save round trip, for scripts/bench-pages.py.
      performance.measure('onetable-save', { start: started, end: performance.now() });
      await settle();
      state.revision = answer.revision;
      document.getElementById('entry-status').textContent = statusLabel(answer);
      f.base = f.sent;
      setState(code, 'saved');
      if (f.afterSave) f.afterSave(value);
      showDerived(answer.derived);
      showRules(answer.rule_results);
      // Others that follow what was saved (the outlier notes) listen for this.
      document.dispatchEvent(new CustomEvent('onetable:saved', { detail: { code } }));
    } catch (e) {
      if (!FINAL.includes(e.status)) {
        setState(code, 'queued', e.status === 0 ? '' : e.message);
      } else {
        await settle();
        if (e.status === 412) {
          await resolveStale(code, value);
        } else if (e.status === 422) {
          const detail = e.details.find((d) => d.field === code);
          setState(code, 'invalid', detail ? detail.message : e.message);
        } else {
          setState(code, 'failed', e.message);
        }
      }
    }
    await refreshBanner();
  };
  // A save made again from inside the queue runs at once; queued, it would wait for itself.
  return now ? run() : enqueue(run);
}

/** Sends what the outbox holds for this entry, in the order it was typed. */
let flushing = false;
export async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (const edit of await outbox.pending(state.region, state.period)) {
      const f = state.fields.get(edit.code);
      if (!f) { await outbox.forget(edit.id); continue; }
      await save(edit.code, edit.value, false, edit.id, edit.reason || null);
      if (f.row.dataset.state === 'queued') break; // still offline: keep the order
    }
  } finally {
    flushing = false;
  }
}

/** After a reload or a closed tab: the edits not yet sent come back into their fields. */
export async function restorePending() {
  for (const edit of await outbox.pending(state.region, state.period).catch(() => [])) {
    const f = state.fields.get(edit.code);
    if (!f) continue;
    f.control.value = edit.text;
    f.sent = edit.text;
    f.base = edit.base;
    setState(edit.code, 'queued');
  }
  await refreshBanner();
  window.addEventListener('online', () => { flush(); });
  setInterval(() => { if (navigator.onLine) flush(); }, 5000);
  await flush();
}
