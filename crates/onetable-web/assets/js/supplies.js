// 数据供给 on the requests page: a department offers the numbers it already holds (户籍人口 from
// 公安, 低保 from 民政…) for the villages of a region; an admin over the region approves, rejects
// or revokes; the department's system then pushes values (POST /api/v1/supplies/{id}/values) and
// the villages find them prefilled. Every rule — one supplier per indicator and region — is the
// server's; its refusals show at their fields.

import { api, el } from './api.js';
import { showFieldErrors } from './page.js';

const STATUS = { pending: '待审核', approved: '已批准', rejected: '已驳回', revoked: '已撤销' };
const REFRESH = { daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季', yearly: '每年' };

function facts(supply, indicators, registers) {
  const names = [...supply.indicators.map((c) => indicators.get(c)?.name || c),
    ...(supply.registers || []).map((c) => registers.get(c)?.name || c)].join('、');
  return [
    el('div', { class: 'work-head' }, el('strong', {}, `#${supply.id} ${supply.department}供给：${names}`),
      el('span', { class: `status ${supply.status === 'approved' ? 'approved' : supply.status === 'pending' ? 'submitted' : 'returned'}` }, STATUS[supply.status] || supply.status)),
    el('div', { class: 'muted' }, `地区 ${supply.region} · 来自${supply.source_system} · ${REFRESH[supply.refresh] || supply.refresh}更新`),
    el('div', { class: 'muted' }, `用途：${supply.purpose}`),
    supply.decision_reason ? el('div', { class: 'muted' }, `意见：${supply.decision_reason}`) : null,
    supply.status === 'approved' && supply.indicators.length ? el('div', { class: 'muted' }, `推送地址：POST /api/v1/supplies/${supply.id}/values`) : null,
    ...(supply.status === 'approved' ? (supply.registers || []).map((code) => el('div', { class: 'muted' },
      `推送${registers.get(code)?.name || code}名单（按村，台账导入格式）：POST /api/v1/supplies/${supply.id}/records/${code}?village=村代码`)) : []),
  ];
}

function decision(supply, redraw) {
  const reason = el('input', { id: `supply-reason-${supply.id}`, placeholder: '驳回或撤销时必填' });
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const act = (action) => async () => {
    message.hidden = true;
    try {
      await api('POST', `/api/v1/supplies/${supply.id}/${action}`, action === 'approve' ? {} : { reason: reason.value.trim() || undefined });
      await redraw();
    } catch (e) {
      message.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
      message.hidden = false;
    }
  };
  const actions = supply.status === 'pending' ? [['reject', '驳回'], ['approve', '批准']] : [['revoke', '撤销']];
  return el('div', { class: 'decision' }, el('label', { for: reason.id }, '意见'), reason, message,
    el('div', { class: 'panel-buttons' }, actions.map(([action, label]) => {
      const b = el('button', { type: 'button', class: action === 'approve' ? 'primary' : '', 'data-supply-action': action }, label);
      b.addEventListener('click', act(action));
      return b;
    })));
}

function supplyForm(me, indicators, registers, redraw) {
  const search = el('input', { id: 'supply-search', type: 'search', placeholder: '按名称查找指标，如 户籍' });
  const offered = [...indicators.values()].filter((i) => !i.formula && i.status === 'active');
  const boxes = el('div', { class: 'supply-indicators', id: 'supply-indicators' }, offered.map((i) =>
    el('label', { class: 'check', 'data-name': `${i.name}${i.code}` },
      el('input', { type: 'checkbox', value: i.code }), `${i.name}（${i.code}）`)));
  search.addEventListener('input', () => {
    const q = search.value.trim();
    // `.check` is a flex row: the hidden attribute alone would not hide it.
    for (const label of boxes.children) label.style.display = q && !label.dataset.name.includes(q) ? 'none' : '';
  });
  const lists = el('div', { class: 'supply-indicators', id: 'supply-registers' }, [...registers.values()].map((r) =>
    el('label', { class: 'check' }, el('input', { type: 'checkbox', value: r.code }), `${r.name}（${r.code}）`)));
  const region = el('input', { id: 'supply-region', value: me.region || '' });
  const purpose = el('input', { id: 'supply-purpose', placeholder: '如 户籍人口数据回流，村里不再重复填报' });
  const system = el('input', { id: 'supply-system', placeholder: '如 公安人口信息管理系统' });
  const refresh = el('select', { id: 'supply-refresh' }, Object.entries(REFRESH).map(([v, t]) => el('option', { value: v, selected: v === 'monthly' }, t)));
  const message = el('div', { role: 'alert' });
  const field = (name, label, control) => el('div', { class: 'control', 'data-field': name },
    el('label', { for: control.id }, label), control, el('p', { class: 'error', role: 'alert', hidden: true }));
  const save = el('button', { type: 'submit', class: 'primary', id: 'supply-save' }, '提交供给申请');
  const form = el('form', { class: 'card', id: 'supply-form', novalidate: true },
    el('h2', {}, '新建数据供给'),
    el('p', { class: 'muted' }, '把本部门已掌握的数据推送给村里预填，村里确认或改正，改正会反馈给本部门。同一指标同一地区只能有一个供给部门。'),
    el('div', { class: 'control', 'data-field': 'indicators' }, el('label', { for: search.id }, '供给的指标'), search, boxes,
      el('p', { class: 'error', role: 'alert', hidden: true })),
    registers.size ? el('div', { class: 'control', 'data-field': 'registers' }, el('strong', {}, '或供给的台账（按村推送名单，村里的户数、人数随之更新）'), lists,
      el('p', { class: 'error', role: 'alert', hidden: true })) : null,
    field('region', '地区（区划代码）', region), field('purpose', '用途', purpose), field('source_system', '数据来源系统', system),
    field('refresh', '更新频率', refresh), message, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await api('POST', '/api/v1/supplies', {
        indicators: [...boxes.querySelectorAll('input:checked')].map((b) => b.value),
        registers: [...lists.querySelectorAll('input:checked')].map((b) => b.value),
        region: region.value.trim(), purpose: purpose.value.trim(), source_system: system.value.trim(), refresh: refresh.value,
      });
      await redraw();
    } catch (e) {
      showFieldErrors(form, message, e, (f) => f.replace(/\[\d+\]$/, ''));
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/** The villages' corrections of a supply's values; the department answers the open ones. */
async function discrepancies(supply, indicators, me) {
  const found = await api('GET', `/api/v1/supplies/${supply.id}/discrepancies`).catch(() => []);
  if (!found.length) return el('p', { class: 'muted' }, '村里没有改正本供给的数据');
  // Villages by name, as the department knows them.
  const names = new Map(await Promise.all([...new Set(found.map((d) => d.village))].map(async (code) =>
    [code, await api('GET', `/api/v1/regions/${code}`).then((r) => r.name.replace(/村民委员会$|居民委员会$/, ''), () => code)])));
  const open = found.filter((d) => d.status === 'open').length;
  const STATE = { open: '待处理', resolved: '已一致', answered: '已答复' };
  return el('details', { class: 'discrepancies', open: open > 0 },
    el('summary', {}, `村里的改正（${found.length} 条，待处理 ${open} 条）`),
    el('ul', { class: 'list' }, found.map((d) => {
      const li = el('li', { 'data-discrepancy': String(d.id) },
        el('strong', {}, `${names.get(d.village)}（${d.village}）· ${d.period} · ${indicators.get(d.indicator)?.name || d.indicator}`),
        el('div', {}, `本部门：${d.supplied} → 村里：${d.corrected}`, ' ', el('span', { class: 'badge' }, STATE[d.status] || d.status)),
        d.reason ? el('div', { class: 'muted' }, `原因：${d.reason}`) : null,
        d.answer ? el('div', { class: 'muted' }, `答复：${d.answer}`) : null);
      if (me.role === 'department' && d.status === 'open') {
        const text = el('input', { id: `answer-${d.id}`, placeholder: '说明本部门数据为何成立；或推送改正后的数据' });
        const send = el('button', { type: 'button', class: 'answer-discrepancy' }, '答复');
        const message = el('p', { class: 'error', role: 'alert', hidden: true });
        send.addEventListener('click', async () => {
          try {
            await api('POST', `/api/v1/supplies/${supply.id}/discrepancies/${d.id}/answer`, { answer: text.value.trim() });
            const badge = li.querySelector('.badge');
            if (badge) badge.textContent = '已答复';
            for (const part of [text, send, message, li.querySelector('label')]) part?.remove();
            li.append(el('div', { class: 'muted' }, `答复：${text.value.trim()}`));
          } catch (e) {
            message.textContent = e.details.length ? e.details.map((x) => x.message).join('；') : e.message;
            message.hidden = false;
          }
        });
        li.append(el('label', { class: 'visually-hidden', for: text.id }, '答复'), text, send, message);
      }
      return li;
    })));
}

/** The card of supplies: a department's own (and the form to file one), or an admin's to decide. */
export async function suppliesCard(me, indicators, redraw) {
  if (me.role !== 'department' && me.role !== 'admin') return null;
  const supplies = await api('GET', '/api/v1/supplies');
  const registers = new Map((await api('GET', '/api/v1/registers').catch(() => [])).map((r) => [r.code, r]));
  const admin = me.role === 'admin';
  const item = async (s) => {
    const li = el('li', { class: 'request', 'data-supply': String(s.id) }, ...facts(s, indicators, registers));
    if (s.status === 'approved' || s.status === 'revoked') li.append(await discrepancies(s, indicators, me));
    if (admin && (s.status === 'pending' || s.status === 'approved')) li.append(decision(s, redraw));
    return li;
  };
  const pending = supplies.filter((s) => s.status === 'pending').length;
  const card = el('section', { class: 'card', id: 'supplies' },
    el('h2', {}, admin ? `数据供给（待审核 ${pending}）` : `${me.department || ''}的数据供给`),
    supplies.length ? el('ul', { class: 'list' }, await Promise.all(supplies.map(item))) : el('p', { class: 'muted' }, '还没有数据供给'));
  return admin ? card : el('div', {}, card, supplyForm(me, indicators, registers, redraw));
}
