// The reviewer's side of the form (审核): 通过 and 退回 with the comment the clerk reads, and what
// the form's history says on top of it — the comment it was returned with, and every field
// changed since that return or the last approval.

import { el } from './api.js';
import { words } from './fields.js';
import { when } from './labels.js';
import { announce, enqueue, showEntry, state } from './form_state.js';
import { call } from './form_save.js';

/** 通过 / 退回 for a reviewer: a return needs the comment the clerk will read. */
export function reviewCard() {
  const comment = el('textarea', { id: 'review-comment', rows: '3', maxlength: '500' });
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const decide = (action) => enqueue(async () => {
    message.hidden = true;
    if (action === 'return' && !comment.value.trim()) {
      message.textContent = '退回时请填写退回意见，村填报员会看到';
      message.hidden = false;
      return;
    }
    try {
      const answer = await call('POST', `/api/v1/entries/${state.region}/${state.period}/${action}`,
        { comment: comment.value.trim() || undefined }, () => ({ 'if-match': `"${state.revision}"` }));
      showEntry(answer);
      announce(action === 'approve' ? '已通过。这份报表的数据已计入汇总。' : '已退回，村填报员会在首页和报表上看到退回意见。',
        [el('a', { href: '/', id: 'back-queue' }, '返回待审核列表')]);
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
    }
  });
  const approve = el('button', { type: 'button', id: 'approve', class: 'primary' }, '通过');
  const back = el('button', { type: 'button', id: 'return' }, '退回');
  approve.addEventListener('click', () => decide('approve'));
  back.addEventListener('click', () => decide('return'));
  return el('section', { class: 'card submit-card', id: 'review' },
    el('label', { for: 'review-comment' }, '审核意见（退回时必填）'), comment, message,
    el('div', { class: 'panel-buttons' }, back, approve));
}

/**
 * What the form's history says at the top of the form: for the clerk of a returned form, the
 * reviewer's comment, where the fix is made; for a reviewer, the comment the form was last
 * returned with and every field changed since that return (or since the last approval), from
 * what to what.
 */
export async function showHistoryNotes() {
  let page;
  try {
    page = await call('GET', `/api/v1/entries/${state.region}/${state.period}/history?limit=1000`);
  } catch (e) {
    // Offline, the form opens without its history notes.
    if (e.status === 0) return;
    throw e;
  }
  const events = page.items.filter((i) => i.kind === 'event');
  const lastReturn = events.find((e) => e.action === 'return');
  const lastApproval = events.find((e) => e.action === 'approve');
  const notes = document.getElementById('history-notes');
  if (lastReturn && (state.status === 'returned' || (state.reviewing && state.status === 'submitted'))) {
    notes.append(el('p', { class: 'return-comment', id: 'return-note' },
      `退回意见（${lastReturn.actor}，${when(lastReturn.at)}）：${lastReturn.comment || '（未填写）'}`));
  }
  if (!state.reviewing) return;
  // Since the later of the last return and the last approval.
  const since = [lastReturn, lastApproval].filter(Boolean).sort((a, b) => b.revision - a.revision)[0];
  if (!since) return;
  const changes = new Map();
  // Newest first: the first change seen of a field is its value now, the last its value then.
  for (const item of page.items) {
    if (item.kind !== 'value' || item.revision <= since.revision) continue;
    const seen = changes.get(item.indicator_code);
    changes.set(item.indicator_code, { now: seen ? seen.now : item.new_value, then: item.old_value });
  }
  const what = since.action === 'return' ? '退回' : '通过';
  const changed = [];
  for (const [code, change] of changes) {
    const f = state.fields.get(code);
    if (!f || change.now === change.then) continue;
    const link = el('a', { href: `#f-${code}` }, f.field.name);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      f.row.scrollIntoView({ block: 'center' });
    });
    changed.push(link);
    const text = (v) => (v === null || v === undefined || v === '' ? '空' : words(f.type, f.type.kind === 'boolean' ? v === 'true' : v));
    f.row.classList.add('changed');
    f.rules.before(el('p', { class: 'changed-note' }, `自上次${what}（${when(since.at)}）后修改：${text(change.then)} → ${text(change.now)}`));
  }
  notes.append(el('p', { class: 'muted', id: 'changed-count' },
    changed.length ? `自上次${what}后改动了 ${changed.length} 项（已在表中标出）：` : `自上次${what}后没有改动数据。`,
    ...changed.flatMap((link, i) => (i ? ['、', link] : [link]))));
}
