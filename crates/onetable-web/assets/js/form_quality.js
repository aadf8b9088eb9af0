// 异常值 in the form: a value far from the village's own last periods or from its county's
// villages is marked beside its field with why (比上期增长 904%，高于全县 100% 的村); the reviewer's
// card counts them; the clerk sees the same before submitting — a warning to look again, never a
// block. The flags come from the server after the form is shown, so the form opens as fast as
// without them; they are read again after a save.

import { api, el } from './api.js';
import { editable, state } from './form_state.js';

let pending = null;

function summary(flags) {
  const found = document.getElementById('outlier-summary');
  const codes = [...new Set(flags.map((f) => f.indicator))];
  const box = found || el('div', { id: 'outlier-summary', class: 'outlier-summary', role: 'status' });
  if (!codes.length) {
    box.replaceChildren();
    box.hidden = true;
    return box;
  }
  box.hidden = false;
  box.replaceChildren(
    el('strong', {}, `异常值提示 ${codes.length} 项`),
    el('span', { class: 'muted' }, state.reviewing ? '：请核实后再通过，可标记跟进' : '：请核对，确实如此可照常提交'),
    el('ul', {}, codes.map((code) => {
      const f = state.fields.get(code);
      const link = el('a', { href: `#f-${code}` }, f ? f.field.name : code);
      return el('li', {}, link);
    })));
  return box;
}

/** The reviewer marks a flagged value for follow-up (跟进) with a note the clerk will read. */
function markButton(code, reasons) {
  const button = el('button', { type: 'button', class: 'link mark-follow-up' }, '标记跟进');
  button.addEventListener('click', () => {
    const note = el('input', { class: 'follow-up-text', value: `请核实：${reasons}`, 'aria-label': '跟进说明' });
    const send = el('button', { type: 'button', class: 'send-follow-up' }, '提交跟进');
    const error = el('span', { class: 'error', role: 'alert' });
    send.addEventListener('click', async () => {
      send.disabled = true;
      try {
        await api('POST', '/api/v1/quality/follow-ups', { region: state.region, period: state.period, indicator: code, note: note.value.trim() });
        await showOutliers();
      } catch (e) {
        send.disabled = false;
        error.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
      }
    });
    button.replaceWith(el('span', { class: 'follow-up-form' }, note, send, error));
  });
  return button;
}

/** The clerk may say why a flagged value is right; it goes with the submission, as a warning
 *  rule's explanation does (key `outlier:CODE`), and the reviewer reads it beside the flag. */
function explain(key) {
  const input = el('input', { class: 'flag-explanation', 'aria-label': '说明', placeholder: '如确实如此，可说明原因（随提交给审核员）',
    value: state.flagNotes[key] ?? state.explanations[key] ?? '' });
  input.addEventListener('input', () => {
    if (input.value.trim()) state.flagNotes[key] = input.value.trim(); else delete state.flagNotes[key];
  });
  if (input.value) state.flagNotes[key] = input.value;
  return input;
}

/** Open follow-ups of this form, by indicator. */
async function openFollowUps() {
  const list = await api('GET', `/api/v1/quality/follow-ups?${new URLSearchParams({ within: state.region, period: state.period })}`).catch(() => []);
  return new Map(list.map((f) => [f.indicator, f]));
}

/** Reads the flags and marks the fields; quietly nothing when offline or refused. */
export async function showOutliers() {
  let report;
  try {
    report = await api('GET', `/api/v1/entries/${state.region}/${encodeURIComponent(state.period)}/outliers`);
  } catch {
    return;
  }
  const following = await openFollowUps();
  document.querySelectorAll('.outlier-note, .follow-up-note').forEach((n) => n.remove());
  for (const [code, f] of following) {
    const field = state.fields.get(code);
    if (field) field.row.querySelector('.rules').before(el('p', { class: 'follow-up-note' }, el('span', { class: 'badge pending' }, '跟进中'), ` ${f.created_by}：${f.note}`));
  }
  const byCode = new Map();
  for (const flag of report.outliers) {
    if (!byCode.has(flag.indicator)) byCode.set(flag.indicator, []);
    byCode.get(flag.indicator).push(flag);
  }
  for (const [code, flags] of byCode) {
    const f = state.fields.get(code);
    if (!f) continue;
    const reasons = flags.map((x) => x.reason).join('；');
    const key = `outlier:${code}`;
    const said = state.explanations[key];
    f.row.querySelector('.rules').before(el('p', { class: 'outlier-note', 'data-against': flags.map((x) => x.against).join(' ') },
      el('span', { class: 'badge outlier' }, '异常'), ' ', reasons, ' ',
      state.reviewing && !following.has(code) ? markButton(code, reasons) : null,
      said ? el('span', { class: 'explanation' }, `填报说明：${said}`) : null,
      editable() ? explain(key) : null));
  }
  const box = summary(report.outliers);
  if (!box.isConnected) {
    const card = document.getElementById('review') || document.querySelector('.submit-card');
    if (card) card.prepend(box);
  }
}

/** Reads them again a moment after saves stop. */
export function followSaves() {
  document.addEventListener('onetable:saved', () => {
    clearTimeout(pending);
    pending = setTimeout(showOutliers, 800);
  });
}
