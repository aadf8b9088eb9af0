// 新指标建议: what departments' forms ask for that the registry lacks. An admin accepts one as a
// new indicator (the registry's duplicate guard answers as the name is typed) or rejects it with a
// reason; a department sees its own and what became of them.

import { api, el } from './api.js';
import { indicatorForm } from './indicator_form.js';
import { when } from './numbers.js';

const STATUS = { pending: '待处理', accepted: '已采纳', rejected: '已驳回' };

function decide(p, box, reload) {
  const accept = el('button', { type: 'button', class: 'primary', 'data-action': 'accept' }, '采纳为新指标');
  const reason = el('input', { type: 'text', id: `reject-reason-${p.id}`, maxlength: '500', placeholder: '驳回原因（部门可见）' });
  const reject = el('button', { type: 'button', 'data-action': 'reject' }, '驳回');
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  accept.addEventListener('click', () => {
    box.querySelector('#indicator-form')?.remove();
    box.append(indicatorForm(null, () => reload(), {
      prefill: { name: p.name, unit: p.unit, owner_department: p.department, category: '' },
      path: `/api/v1/indicator-proposals/${p.id}/accept`,
      title: `采纳建议 #${p.id}：${p.name}`,
    }));
  });
  reject.addEventListener('click', async () => {
    try {
      await api('POST', `/api/v1/indicator-proposals/${p.id}/reject`, { reason: reason.value });
      await reload();
    } catch (e) {
      message.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
      message.hidden = false;
    }
  });
  return el('div', { class: 'decision' }, el('div', { class: 'panel-buttons' }, accept, reason, reject), message);
}

/** The card, redrawn in place by `reload()`. */
export function proposalsCard(me) {
  const card = el('section', { class: 'card', id: 'proposals' });
  const reload = async () => {
    const list = await api('GET', `/api/v1/indicator-proposals${me.role === 'admin' ? '?status=pending' : ''}`);
    const items = list.map((p) => {
      const box = el('li', { class: 'proposal', 'data-id': String(p.id), 'data-status': p.status },
        el('div', { class: 'work-head' }, el('h3', {}, p.name), el('span', { class: `status ${p.status}` }, STATUS[p.status] || p.status)),
        el('p', { class: 'muted' }, `${p.department} · ${p.form_title} · 表头“${p.header}”${p.unit ? ` · 单位 ${p.unit}` : ''} · ${when(p.proposed_at)}`),
        p.indicator_code ? el('p', {}, `已建为指标 ${p.indicator_code}`) : null,
        p.reason ? el('p', { class: 'return-comment' }, `驳回原因：${p.reason}`) : null);
      if (me.role === 'admin' && p.status === 'pending') box.append(decide(p, box, reload));
      return box;
    });
    card.replaceChildren(el('h2', {}, me.role === 'admin' ? `待处理的新指标建议（${list.length}）` : '我提交的新指标建议'),
      items.length ? el('ul', { class: 'list' }, items) : el('p', { class: 'muted' }, '没有新指标建议'));
  };
  return { card, reload };
}
