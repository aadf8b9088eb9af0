// 数据需求 (data requests): a department files them and, once approved, downloads its data or
// copies the line its own system runs; an admin reviews them (what, who, why, which indicators are
// sensitive, which are already granted to another department) and approves, rejects or revokes.
// Every rule stays in the API: the page shows what it answers.

import { api, downloadFile, el, session } from './api.js';
import { fullValuesChoice, loadRegisters, registerDownloads, registerFacts } from './request_registers.js';
import { register } from './offline.js';
import { requestForm } from './request_form.js';
import { clientsCard } from './clients.js';
import { FREQUENCIES, ROLES, containing, frequencyOf, lastClosed, periodLabel, periodsBefore, when } from './labels.js';
import { runPage, toLogin } from './page.js';
import { suppliesCard } from './supplies.js';
import { pushPanel } from './subscriptions.js';

const STATUS = { pending: '待审核', approved: '已批准', rejected: '已驳回', revoked: '已撤销' };
const LEVELS = { county: '县（市、区）', township: '乡镇（街道）', village: '村（社区）' };
const FORMATS = { csv: 'CSV', xlsx: 'Excel', json: 'JSON', parquet: 'Parquet' };

const state = { me: null, indicators: new Map(), regions: new Map() };

function statusOf(request) {
  if (request.status === 'approved' && !request.active) return ['expired', '已过期'];
  return [request.status, STATUS[request.status] || request.status];
}

function indicatorList(codes) {
  return el('ul', { class: 'indicator-list' }, codes.map((code) => {
    const i = state.indicators.get(code);
    return el('li', { 'data-code': code }, i ? `${i.name}（${code}）` : code,
      i && i.sensitivity === 'sensitive' ? el('span', { class: 'badge sensitive' }, '敏感') : null);
  }));
}

function facts(request) {
  const [status, label] = statusOf(request);
  return [
    el('div', { class: 'work-head' }, el('h3', {}, `#${request.id} ${request.title}`), el('span', { class: `status ${status}` }, label)),
    el('p', { class: 'muted' }, `${request.department} · ${request.requested_by} · 提交于 ${when(request.created_at)} · 地区 ${state.regions.get(request.region) || request.region} · 期别 ${request.periods.map(periodLabel).join('、') || `${periodLabel(request.start_period)}起${FREQUENCIES[request.frequency] || request.frequency}`} · 有效期至 ${when(request.expires_at)}`),
    el('p', {}, `用途：${request.purpose}`),
    request.legal_basis ? el('p', {}, `法律依据：${request.legal_basis}`) : null,
    indicatorList(request.indicators),
    registerFacts(request),
    request.decision_reason ? el('p', { class: 'return-comment' }, `审核意见：${request.decision_reason}`) : null,
  ];
}

/**
 * The periods a request can be downloaded for, each with the indicators of its frequency: a
 * standing request's from its first period to the last closed one (newest first, two years at
 * most), a one-off request's as filed.
 */
function downloadablePeriods(request) {
  const listed = request.periods.length ? request.periods : (() => {
    const last = lastClosed(request.frequency);
    const count = { annual: 3, quarterly: 8, monthly: 24 }[request.frequency] || 3;
    return periodsBefore(last, count).filter((p) => p >= request.start_period);
  })();
  // Coarser indicators are read in the period containing a listed one (the year of a quarter):
  // those periods are offered too.
  const frequencies = [...new Set(request.indicators.map((code) => state.indicators.get(code)?.frequency).filter(Boolean))];
  const periods = [...new Set(listed.flatMap((p) => [p, ...frequencies.map((f) => containing(p, f)).filter(Boolean)]))].sort().reverse();
  return periods.map((period) => {
    const frequency = frequencyOf(period);
    const names = request.indicators.filter((code) => state.indicators.get(code)?.frequency === frequency)
      .map((code) => state.indicators.get(code).name);
    return { period, frequency, names };
  }).filter((p) => p.names.length || listed.includes(p.period));
}

/** Download and the `curl` line, for an approved request that is still in force. */
function downloadPanel(request) {
  const periods = downloadablePeriods(request);
  const period = el('select', { id: `dl-period-${request.id}` }, periods.map((p) => el('option', { value: p.period, disabled: !p.names.length },
    `${periodLabel(p.period)}（${FREQUENCIES[p.frequency]}：${p.names.length ? p.names.join('、') : '本需求没有这一频率的指标'}）`)));
  const level = el('select', { id: `dl-level-${request.id}` }, Object.entries(LEVELS).map(([v, l]) => el('option', { value: v }, l)));
  const format = el('select', { id: `dl-format-${request.id}` }, Object.entries(FORMATS).map(([v, l]) => el('option', { value: v }, l)));
  const button = el('button', { type: 'button', class: 'primary download', id: `dl-link-${request.id}` }, '下载');
  const message = el('p', { class: 'error', role: 'alert', id: `dl-error-${request.id}`, hidden: true });
  const curl = el('code', { class: 'curl', id: `dl-curl-${request.id}` });
  const copy = el('button', { type: 'button', class: 'link' }, '复制');
  const path = () => `/api/v1/data-requests/${request.id}/data?${new URLSearchParams({ period: period.value, level: level.value, format: format.value })}`;
  const update = () => { curl.textContent = `curl -H "Authorization: Bearer $ONETABLE_TOKEN" "${location.origin}${path()}"`; };
  [period, level, format].forEach((s) => s.addEventListener('change', () => { message.hidden = true; update(); }));
  button.addEventListener('click', async () => {
    button.disabled = true;
    await downloadFile(path(), message);
    button.disabled = false;
  });
  copy.addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText(curl.textContent));
  update();
  const mixed = new Set(periods.map((p) => p.frequency)).size > 1;
  return el('div', { class: 'download-panel' },
    mixed ? el('p', { class: 'muted' }, '本需求的指标有不同的填报频率：每个期别下载该频率的指标，年报、季报、月报分别下载。') : null,
    el('div', { class: 'controls three' },
      el('div', { class: 'control' }, el('label', { for: period.id }, '期别'), period),
      el('div', { class: 'control' }, el('label', { for: level.id }, '层级'), level),
      el('div', { class: 'control' }, el('label', { for: format.id }, '格式'), format)),
    el('p', {}, button), message,
    el('p', { class: 'muted' }, '本部门系统调取（令牌由 POST /api/v1/auth/token 以系统凭据换取）：'),
    el('div', { class: 'curl-line' }, curl, copy));
}

/** Who else already has each indicator: approved requests in force of other departments. */
function overlap(request, all) {
  const granted = all.filter((r) => r.id !== request.id && r.status === 'approved' && r.active && r.department !== request.department);
  const lines = request.indicators.flatMap((code) => granted.filter((r) => r.indicators.includes(code))
    .map((r) => `${state.indicators.get(code)?.name || code}：已授权给${r.department}（需求 #${r.id}）`));
  return lines.length ? el('div', { class: 'overlap', 'data-overlap': String(lines.length) }, el('p', {}, '与已授权的重叠（可考虑共享而不是重复采集）：'),
    el('ul', {}, lines.map((l) => el('li', {}, l)))) : null;
}

function decisionBox(request, reload) {
  const reason = el('textarea', { id: `reason-${request.id}`, rows: '2', maxlength: '500' });
  const message = el('p', { class: 'error', role: 'alert', hidden: true });
  const full = fullValuesChoice(request);
  const act = (action) => async () => {
    message.hidden = true;
    try {
      const query = action === 'approve' && full && full.box.checked ? '?full_values=true' : '';
      await api('POST', `/api/v1/data-requests/${request.id}/${action}${query}`, { reason: reason.value.trim() || undefined });
      await reload();
    } catch (e) {
      message.textContent = e.details.length ? e.details.map((d) => d.message).join('；') : e.message;
      message.hidden = false;
    }
  };
  const buttons = request.status === 'pending'
    ? [['reject', '驳回'], ['approve', '批准']] : [['revoke', '撤销授权']];
  return el('div', { class: 'decision' },
    full ? full.control : null,
    el('label', { for: reason.id }, request.status === 'pending' ? '审核意见（驳回时必填，部门会看到）' : '撤销原因（必填）'), reason, message,
    el('div', { class: 'panel-buttons' }, buttons.map(([action, label]) => {
      const b = el('button', { type: 'button', class: action === 'approve' ? 'primary' : '', 'data-action': action }, label);
      b.addEventListener('click', act(action));
      return b;
    })));
}

/** The names of the requests' regions, read once each. */
async function nameRegions(requests) {
  const codes = [...new Set(requests.map((r) => r.region))].filter((c) => !state.regions.has(c));
  await Promise.all(codes.map(async (code) => {
    try {
      state.regions.set(code, (await api('GET', `/api/v1/regions/${code}`)).name);
    } catch {
      state.regions.set(code, code);
    }
  }));
}

async function draw() {
  await loadRegisters().catch(() => []);
  const page = await api('GET', '/api/v1/data-requests?limit=200');
  const all = page.items;
  await nameRegions(all);
  const subscriptions = ['department', 'admin'].includes(state.me.role) ? await api('GET', '/api/v1/subscriptions').catch(() => []) : [];
  const main = document.getElementById('main');
  const item = (request) => {
    const box = el('li', { class: 'request', 'data-id': String(request.id) }, ...facts(request));
    if (state.me.role === 'admin') {
      box.append(overlap(request, all) || '');
      if (request.status === 'pending' || (request.status === 'approved' && request.active)) box.append(decisionBox(request, draw));
      box.append(pushPanel(state.me, request, subscriptions, draw) || '');
    } else if (request.status === 'approved' && request.active) {
      if (request.indicators.length) box.append(downloadPanel(request));
      box.append(registerDownloads(request) || '');
      if (request.indicators.length) box.append(pushPanel(state.me, request, subscriptions, draw) || '');
    } else {
      box.append(pushPanel(state.me, request, subscriptions, draw) || '');
    }
    return box;
  };
  if (state.me.role === 'admin') {
    const pending = all.filter((r) => r.status === 'pending');
    main.replaceChildren(
      el('section', { class: 'card', id: 'review-requests' }, el('h1', {}, `待审核的数据需求（${pending.length}）`),
        pending.length ? el('ul', { class: 'list' }, pending.map(item)) : el('p', { class: 'muted' }, '没有待审核的数据需求')),
      el('section', { class: 'card', id: 'decided-requests' }, el('h2', {}, '已处理'),
        el('ul', { class: 'list' }, all.filter((r) => r.status !== 'pending').map(item))));
  } else {
    main.replaceChildren(
      el('section', { class: 'card', id: 'my-requests' }, el('h1', {}, `${state.me.department || ''}的数据需求`),
        el('p', {}, el('a', { href: '/forms', id: 'forms-link' }, '用以前的报表生成数据需求（报表清理）')),
        all.length ? el('ul', { class: 'list' }, all.map(item)) : el('p', { class: 'muted' }, '还没有数据需求')),
      requestForm(state.me, () => draw()));
  }
  const supplies = await suppliesCard(state.me, state.indicators, draw);
  if (supplies) main.append(supplies);
  const clients = await clientsCard(state.me, draw);
  if (clients) main.append(clients);
  document.body.dataset.drawn = String(all.length);
}

async function main() {
  register();
  if (!(await session())) return toLogin();
  state.me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${state.me.region_name || '全国'} · ${ROLES[state.me.role] || state.me.role} ${state.me.subject}`;
  for (const i of (await api('GET', '/api/v1/indicators')).items) state.indicators.set(i.code, i);
  await draw();
  return undefined;
}

runPage(main);
