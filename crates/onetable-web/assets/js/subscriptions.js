// 推送订阅 on the requests page: a department subscribes an approved request to an endpoint of its
// own system; each approval (reopening, approval after a change) in the grant is then POSTed
// there, signed with the secret. The department sees where each event stands (投递记录) and
// cancels. Which addresses are allowed, and every other rule, is the server's: its refusals show
// at their fields.

import { api, el } from './api.js';
import { when } from './labels.js';
import { showFieldErrors } from './page.js';

const KINDS = { 'entry.approved': '审核通过', 'entry.reopened': '重新打开', 'entry.changed': '修改后再次通过' };
const STATES = { pending: '待发送', delivered: '已送达', failed: '已放弃' };
/** The newest deliveries shown (the API replays all of them from any cursor). */
const SHOWN = 30;

/** A random secret, so that nobody has to make one up. */
function randomSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Village names, read once each. */
const names = new Map();

async function nameVillages(codes) {
  await Promise.all([...new Set(codes)].filter((c) => !names.has(c)).map(async (code) => {
    names.set(code, await api('GET', `/api/v1/regions/${code}`).then((r) => r.name.replace(/村民委员会$|居民委员会$/, ''), () => code));
  }));
}

const village = (code) => names.get(code) || code;

/** The newest deliveries of a subscription, newest first (read up to 1,000). */
async function deliveries(id) {
  let after = '';
  let events = [];
  for (let page = 0; page < 10; page += 1) {
    const answer = await api('GET', `/api/v1/subscriptions/${id}/events?${new URLSearchParams({ after, limit: '100' })}`);
    events = events.concat(answer.items).slice(-SHOWN);
    after = answer.next_cursor;
    if (!answer.has_more) break;
  }
  return events.reverse();
}

function logList(events) {
  if (!events.length) return el('p', { class: 'muted' }, '还没有事件：本需求范围内的村表审核通过后，会推送到这里');
  return el('ul', { class: 'list delivery-log' }, events.map((e) => el('li', { 'data-event': e.event.id, 'data-status': e.status },
    el('strong', {}, `${village(e.event.region)} · ${e.event.period} · ${KINDS[e.event.type] || e.event.type}`),
    ' ', el('span', { class: `badge ${e.status}` }, STATES[e.status] || e.status),
    el('div', { class: 'muted' }, [
      `发生于 ${when(e.event.occurred_at)}`,
      `尝试 ${e.attempts} 次`,
      e.last_outcome ? `最近：${e.last_outcome}` : null,
      e.status === 'pending' && e.attempts > 0 && e.next_attempt_at ? `将于 ${when(e.next_attempt_at)} 重试` : null,
    ].filter(Boolean).join(' · ')))));
}

function subscriptionItem(subscription, department, redraw) {
  const log = el('div', { class: 'delivery-log-body' }, el('p', { class: 'muted' }, '正在读取……'));
  const details = el('details', { class: 'deliveries' },
    el('summary', {}, `投递记录（已送达 ${subscription.delivered}，待发送 ${subscription.pending}${subscription.failed ? `，已放弃 ${subscription.failed}` : ''}）`), log);
  details.addEventListener('toggle', async () => {
    if (!details.open) return;
    try {
      const events = await deliveries(subscription.id);
      await nameVillages(events.map((e) => e.event.region));
      log.replaceChildren(logList(events));
    } catch (e) {
      log.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  });
  const li = el('li', { 'data-subscription': String(subscription.id) },
    el('div', {}, el('code', {}, subscription.url), ' ',
      el('span', { class: `badge ${subscription.status}` }, subscription.status === 'active' ? '推送中' : '已取消')),
    el('div', { class: 'muted' }, `${subscription.created_by} 订阅于 ${when(subscription.created_at)}`),
    details);
  if (department && subscription.status === 'active') {
    const cancel = el('button', { type: 'button', class: 'link cancel-subscription' }, '取消订阅');
    const message = el('p', { class: 'error', role: 'alert', hidden: true });
    cancel.addEventListener('click', async () => {
      try {
        await api('DELETE', `/api/v1/subscriptions/${subscription.id}`);
        await redraw();
      } catch (e) {
        message.textContent = e.message;
        message.hidden = false;
      }
    });
    li.append(cancel, message);
  }
  return li;
}

function subscribeForm(request, redraw) {
  const url = el('input', { id: `hook-url-${request.id}`, type: 'url', inputmode: 'url', placeholder: 'https://本部门系统/onetable/events' });
  const secret = el('input', { id: `hook-secret-${request.id}`, value: randomSecret(), autocomplete: 'off', spellcheck: 'false' });
  const message = el('div', { role: 'alert' });
  const field = (name, label, control, hint) => el('div', { class: 'control', 'data-field': name },
    el('label', { for: control.id }, label), control, hint ? el('p', { class: 'muted' }, hint) : null,
    el('p', { class: 'error', role: 'alert', hidden: true }));
  const save = el('button', { type: 'submit', class: 'primary subscribe' }, '订阅推送');
  const form = el('form', { class: 'subscribe-form', novalidate: true },
    field('url', '接收地址', url),
    field('secret', '签名密钥', secret, '请记下并配置到本部门系统：每次推送带 X-Onetable-Signature: t=时间,v1=HMAC-SHA256(密钥, "时间.正文")，本平台不再显示此密钥。'),
    message, save);
  // A refusal shown at a field goes once the field is changed.
  for (const control of [url, secret]) {
    control.addEventListener('input', () => {
      const error = control.parentElement.querySelector('.error');
      if (error) error.hidden = true;
      message.replaceChildren();
    });
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await api('POST', '/api/v1/subscriptions', { data_request_id: request.id, url: url.value.trim(), secret: secret.value.trim() });
      await redraw();
    } catch (e) {
      showFieldErrors(form, message, e);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

/**
 * The push panel of an approved request: its subscriptions with their delivery logs, and (for
 * its department, while the request is in force) the form to subscribe another address.
 */
export function pushPanel(me, request, subscriptions, redraw) {
  const mine = subscriptions.filter((s) => s.data_request_id === request.id);
  const department = me.role === 'department';
  if (!department && !mine.length) return null;
  return el('details', { class: 'push-panel', id: `push-${request.id}`, open: mine.length > 0 },
    el('summary', {}, `推送到${department ? '本部门' : request.department}系统（${mine.filter((s) => s.status === 'active').length} 个地址）`),
    el('p', { class: 'muted' }, '本需求范围内的村表审核通过、重新打开或修改后再次通过时，平台立即向订阅地址推送事件（失败会重试 24 小时，可按 cursor 补取）。'),
    mine.length ? el('ul', { class: 'list' }, mine.map((s) => subscriptionItem(s, department, redraw))) : null,
    department && request.active ? subscribeForm(request, redraw) : null);
}
