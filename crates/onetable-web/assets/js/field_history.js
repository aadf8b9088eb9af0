// 修改记录 beside a field: its changes from the entry's history (GET …/history).

import { api, el } from './api.js';
import { words } from './fields.js';
import { SOURCES, when } from './labels.js';

/** 修改记录 of one field: who changed it, from what, when, why. */
export async function toggleHistory(f, button, entryPath) {
  const open = f.row.querySelector('.history');
  if (open) {
    open.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  button.setAttribute('aria-expanded', 'true');
  const box = el('div', { class: 'history' }, el('p', { class: 'muted' }, '正在加载……'));
  f.row.append(box);
  try {
    const page = await api('GET', `${entryPath}/history?limit=1000`);
    const changes = page.items.filter((i) => i.kind === 'value' && i.indicator_code === f.field.code);
    const text = (v) => (v === null || v === undefined || v === '' ? '空' : words(f.type, f.type.kind === 'boolean' ? v === 'true' : v));
    box.replaceChildren(changes.length
      ? el('ol', { class: 'history-list' }, changes.map((c) => el('li', {},
        `${when(c.at)} ${c.actor}：${text(c.old_value)} → ${text(c.new_value)}`,
        c.source ? `（${SOURCES[c.source] || c.source}）` : '',
        c.reason ? el('div', { class: 'muted' }, `原因：${c.reason}`) : null)))
      : el('p', { class: 'muted' }, '本期还没有修改记录'));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}
