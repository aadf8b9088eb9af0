// 及时率与催报: for a reviewer or admin, each child region's villages by whether they handed in a
// period's form on time, the overdue villages to pick and remind (催报), who has read the
// reminders, and — for an admin of a county, prefecture or province — its own due dates.

import { api, el, scrolling } from './api.js';
import { ENTRY_STATUS, lastClosed, periodLabel, periodsBefore, when } from './labels.js';
import { showFieldErrors } from './page.js';
import { regionPicker } from './region_picker.js';

/** Overdue villages listed flat before they are folded by the region they lie in. */
const FLAT = 20;

function dateLabel(text) {
  const [y, m, d] = text.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

function table(answer) {
  const head = ['区域', '应报', '按时提交', '逾期提交', '未提交', '已逾期', '已通过'];
  return scrolling(el('table', { class: 'progress', id: 'timeliness-table' },
    el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, answer.rows.map((r) => el('tr', { 'data-region': r.code },
      el('th', { scope: 'row' }, r.name),
      [r.expected, r.on_time, r.late, r.not_submitted, r.overdue, r.approved].map((n, i) =>
        el('td', { class: i === 4 && n > 0 ? 'overdue' : '' }, String(n))))))), '及时率');
}

function overdueList(answer, period, sentList) {
  if (!answer.overdue_villages.length) return el('p', { class: 'muted', id: 'overdue' }, '没有逾期未报的村');
  const boxes = answer.overdue_villages.map((v) => el('input', { type: 'checkbox', value: v.code, id: `late-${v.code}`, checked: true }));
  const message = el('textarea', { id: 'reminder-message', rows: 2, placeholder: '留空则发送默认内容：请尽快填报并提交……（含截止日期）' });
  const send = el('button', { type: 'button', class: 'primary', id: 'send-reminder' }, '催报所选的村');
  const said = el('div', { class: 'form-message', role: 'status' });
  const all = el('button', { type: 'button', class: 'link', id: 'select-all' }, '全选/全不选');
  all.addEventListener('click', () => { const on = !boxes.every((b) => b.checked); boxes.forEach((b) => { b.checked = on; }); });
  send.addEventListener('click', async () => {
    const villages = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!villages.length) { said.replaceChildren(el('p', { class: 'error' }, '请至少选择一个村')); return; }
    send.disabled = true;
    try {
      const sent = await api('POST', '/api/v1/reminders', { period, villages, message: message.value.trim() || undefined });
      const pushed = sent.filter((r) => r.delivery).map((r) => r.delivery);
      said.replaceChildren(el('p', { class: 'saved-note' }, `已向 ${sent.length} 个村发送催报${pushed.length ? `（${[...new Set(pushed)].join('；')}）` : ''}`));
      await sentList();
    } catch (e) {
      said.replaceChildren(el('p', { class: 'error' }, e.message));
    } finally {
      send.disabled = false;
    }
  });
  const item = (v, i) => el('li', { 'data-region': v.code },
    el('label', { for: boxes[i].id, class: 'check' }, boxes[i], ` ${v.parent_name ? `${v.parent_name} · ` : ''}${v.name}`),
    el('span', { class: 'muted' }, ` ${ENTRY_STATUS[v.status] || v.status} · 已逾期 ${v.days_overdue} 天`));
  const items = answer.overdue_villages.map(item);
  // A prefecture's hundreds of late villages fold by county or township, as the review queue does.
  const parents = [...new Set(answer.overdue_villages.map((v) => v.parent_name || ''))];
  const list = items.length <= FLAT || parents.length < 2
    ? el('ul', { class: 'list overdue-list' }, items)
    : el('div', { class: 'overdue-groups' }, parents.map((p) => {
      const mine = items.filter((_, i) => (answer.overdue_villages[i].parent_name || '') === p);
      return el('details', { class: 'overdue-group', 'data-parent': p }, el('summary', {}, `${p}（${mine.length} 个村）`),
        el('ul', { class: 'list overdue-list' }, mine));
    }));
  return el('div', { id: 'overdue' },
    el('h3', {}, `逾期未报（${answer.overdue_villages.length} 个村）`), all, list,
    el('label', { for: 'reminder-message' }, '催报内容（可选）'), message, send, said);
}

function remindersTable(list) {
  if (!list.length) return el('p', { class: 'muted' }, '本期还没有发出催报');
  return scrolling(el('table', { class: 'data-table', id: 'reminders-sent' },
    el('thead', {}, el('tr', {}, ['村', '发送', '内容', '阅读'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, list.map((r) => el('tr', { 'data-region': r.region },
      el('th', { scope: 'row' }, r.region_name || r.region), el('td', {}, `${r.sent_by} ${when(r.sent_at)}`),
      el('td', { class: 'wrap' }, r.message),
      el('td', { class: r.read_at ? '' : 'overdue' }, r.read_at ? `${r.read_by} 已读 ${when(r.read_at)}` : '未读'))))), '已发催报');
}

/** 乡镇群机器人: a township's (or county's) DingTalk or WeCom group robot, for an admin. */
function hookForm(me) {
  const region = regionPicker({ id: 'hook-region', within: me.region });
  const kind = el('select', { id: 'hook-kind' }, el('option', { value: 'dingtalk' }, '钉钉群机器人'), el('option', { value: 'wecom' }, '企业微信群机器人'));
  const url = el('input', { id: 'hook-url', type: 'url', placeholder: 'https://oapi.dingtalk.com/robot/send?access_token=…' });
  const secret = el('input', { id: 'hook-secret', type: 'password', autocomplete: 'off', placeholder: 'SEC…（钉钉“加签”时填写）' });
  const save = el('button', { type: 'button', id: 'hook-save' }, '保存群机器人');
  const message = el('div', { class: 'form-message', role: 'alert' });
  const box = el('div', { id: 'hook-form' }, el('h3', {}, '催报同时推送到乡镇工作群'),
    el('p', { class: 'muted' }, '在钉钉或企业微信群里添加“自定义机器人”，把它的 Webhook 地址填在这里；此后向该乡镇（或县）各村的催报也会发到群里。'),
    el('div', { class: 'controls three' },
      el('div', { class: 'control', 'data-field': 'region' }, el('label', { for: 'hook-region' }, '乡镇或县（输入名称查找）'), region.control, el('p', { class: 'error', hidden: true })),
      el('div', { class: 'control', 'data-field': 'kind' }, el('label', { for: 'hook-kind' }, '类型'), kind, el('p', { class: 'error', hidden: true })),
      el('div', { class: 'control', 'data-field': 'url' }, el('label', { for: 'hook-url' }, 'Webhook 地址'), url, el('p', { class: 'error', hidden: true })),
      el('div', { class: 'control', 'data-field': 'secret' }, el('label', { for: 'hook-secret' }, '加签密钥（可选）'), secret, el('p', { class: 'error', hidden: true }))),
    message, save);
  save.addEventListener('click', async () => {
    try {
      const hook = await api('PUT', `/api/v1/regions/${encodeURIComponent(region.code() || '-')}/reminder-hook`, { kind: kind.value, url: url.value.trim(), secret: secret.value.trim() || undefined });
      message.replaceChildren(el('p', { class: 'saved-note' }, `已保存：催报将推送到 ${hook.host}${hook.signed ? '（加签）' : ''}`));
      url.value = '';
      secret.value = '';
    } catch (e) {
      showFieldErrors(box, message, e);
    }
  });
  return box;
}

function deadlineForm(me, periods, reload) {
  const rules = { annual: '所有年报', quarterly: '所有季报', monthly: '所有月报' };
  const period = el('select', { id: 'deadline-period' }, periods.map((p) => el('option', { value: p }, `${periodLabel(p)}报表`)),
    Object.entries(rules).map(([f, label]) => el('option', { value: f }, `${label}（期末后天数）`)));
  const due = el('input', { type: 'date', id: 'deadline-due' });
  const days = el('input', { type: 'number', id: 'deadline-days', min: 0, max: 366, hidden: true, placeholder: '期末后天数' });
  period.addEventListener('change', () => {
    const rule = period.value in rules;
    due.hidden = rule;
    days.hidden = !rule;
  });
  const save = el('button', { type: 'button', id: 'deadline-save' }, '保存截止日期');
  const message = el('div', { class: 'form-message', role: 'alert' });
  const box = el('div', { id: 'deadline-form' }, el('h3', {}, `${me.region_name}的截止日期`),
    el('p', { class: 'muted' }, '默认：年报次年 1 月 31 日，季报季后 15 天，月报月后 10 天。本辖区可为某一期另设日期。'),
    el('div', { class: 'controls three' },
      el('div', { class: 'control', 'data-field': 'period' }, el('label', { for: 'deadline-period' }, '期别'), period, el('p', { class: 'error', hidden: true })),
      el('div', { class: 'control', 'data-field': 'due' }, el('label', { for: 'deadline-due' }, '截止日期（或期末后天数）'), due, days, el('p', { class: 'error', hidden: true }))),
    message, save);
  save.addEventListener('click', async () => {
    try {
      if (period.value in rules) {
        await api('PUT', '/api/v1/deadlines', { region: me.region, frequency: period.value, days_after: days.value === '' ? undefined : Number(days.value) });
        message.replaceChildren(el('p', { class: 'saved-note' }, `已保存：${rules[period.value]}在期末后 ${days.value} 天截止`));
      } else {
        await api('PUT', '/api/v1/deadlines', { region: me.region, period: period.value, due: due.value });
        message.replaceChildren(el('p', { class: 'saved-note' }, `已保存：${periodLabel(period.value)}报表截止 ${dateLabel(due.value)}`));
      }
      await reload();
    } catch (e) {
      showFieldErrors(box, message, e);
    }
  });
  return box;
}

/** The card on a reviewer's or admin's home page. */
export async function timeliness(page, me) {
  const periods = ['annual', 'quarterly', 'monthly'].flatMap((f) => periodsBefore(lastClosed(f), 3));
  const select = el('select', { id: 'timeliness-period' }, periods.map((p) => el('option', { value: p }, `${periodLabel(p)}报表`)));
  const body = el('div');
  const sent = el('div', { id: 'reminders' });
  const sentList = async () => {
    const list = await api('GET', `/api/v1/reminders?period=${encodeURIComponent(select.value)}`);
    sent.replaceChildren(el('h3', {}, '已发催报'), remindersTable(list));
  };
  const load = async () => {
    const answer = await api('GET', `/api/v1/timeliness?period=${encodeURIComponent(select.value)}`);
    body.replaceChildren(el('p', { id: 'timeliness-due' }, `截止日期：${dateLabel(answer.due)}`), table(answer),
      overdueList(answer, select.value, sentList));
    await sentList();
  };
  select.addEventListener('change', () => load().catch((e) => body.replaceChildren(el('p', { class: 'error' }, e.message))));
  const settable = me.role === 'admin' && me.region && me.region.slice(6) === '000000';
  page.append(el('section', { class: 'card', id: 'timeliness' },
    el('h2', {}, '及时率与催报'), el('label', { for: 'timeliness-period' }, '期别'), select, body, sent,
    settable ? deadlineForm(me, periods, load) : null, me.role === 'admin' ? hookForm(me) : null));
  await load();
}
