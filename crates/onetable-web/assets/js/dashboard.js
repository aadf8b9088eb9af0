// The live dashboard (看板): a region and period, indicators picked from the registry, a bar chart
// of each across the child regions, completeness, and the table with CSV and XLSX downloads.
// A click on a bar (or a name in the table) goes one level down; the breadcrumb goes back up.
// Everything shown comes from GET /api/v1/aggregates, which applies the viewers' protection rules:
// the page only shows what was withheld or suppressed, it decides nothing.

import { api, el, session } from './api.js';
import { barChart, completenessChart, disposeAll, lineChart } from './charts.js';
import { FREQUENCIES, ROLES, frequencyOf, lastClosed, periodLabel, periodsBefore, when } from './labels.js';
import { LEVELS, LEVEL_NAMES, dataTable, drillable, withheldNote } from './board.js';
import { register } from './offline.js';
import { composeCard } from './compose.js';
import { showSaved } from './saved.js';
import { runPage, toLogin } from './page.js';

const DEFAULT_INDICATORS = ['POP.REGISTERED', 'DER.AGEING_RATE'];

const state = { me: null, within: null, period: null, indicators: [], names: new Map(), frequencies: new Map(), saved: [] };

/** The saved dashboards the reader sees, as links. */
function savedList() {
  return el('section', { class: 'card', id: 'saved-dashboards' }, el('h2', {}, '已保存的看板'),
    el('ul', { class: 'list' }, state.saved.map((d) => el('li', {},
      el('a', { href: `/dashboard?id=${d.id}`, 'data-id': String(d.id) }, d.name),
      el('span', { class: 'muted' }, ` · ${d.region_name}${d.shared ? '' : '（未共享）'}`)))));
}

/** The dashboard's address: what it shows can be bookmarked and shared. */
function address() {
  const params = new URLSearchParams({ within: state.within, period: state.period, indicators: state.indicators.join(',') });
  if (!state.within) params.delete('within');
  return `/dashboard?${params}`;
}

function readAddress() {
  const params = new URLSearchParams(location.search);
  // A nationwide reader starts at the whole country ('' — its parts are the provinces).
  state.within = params.get('within') || state.me.region || '';
  state.period = params.get('period') || lastClosed('annual');
  const picked = (params.get('indicators') || '').split(',').map((c) => c.trim()).filter(Boolean);
  state.indicators = picked.length ? picked : DEFAULT_INDICATORS;
}

function go(changes, push = true) {
  Object.assign(state, changes);
  if (push) history.pushState(null, '', address());
  else history.replaceState(null, '', address());
  draw().catch(showError);
}

function showError(e) {
  if (e.status === 401) return toLogin();
  document.getElementById('dashboard-error').replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
  return undefined;
}

function aggregatesPath(format) {
  const params = new URLSearchParams({ indicators: state.indicators.join(','), within: state.within, period: state.period });
  if (!state.within) params.delete('within');
  if (format) params.set('format', format);
  return `/api/v1/aggregates?${params}`;
}

/** 省 › 州 › 县 …: from the top of the viewer's scope down to the region shown. */
function breadcrumb(region) {
  const top = LEVELS.indexOf(state.me.region ? levelOf(state.me.region) : 'province');
  const steps = [...region.path, { code: region.code, name: region.name, level: region.level }]
    .filter((step) => step.code && LEVELS.indexOf(step.level) >= top);
  if (!state.me.region) steps.unshift({ code: '', name: '全国' });
  const list = el('ol', { class: 'breadcrumb' });
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const item = last
      ? el('span', { 'aria-current': 'page' }, step.name)
      : el('a', { href: '#', 'data-region': step.code }, step.name);
    if (!last) item.addEventListener('click', (event) => { event.preventDefault(); go({ within: step.code }); });
    list.append(el('li', {}, item));
  });
  return el('nav', { 'aria-label': '所在层级', id: 'breadcrumb' }, list);
}

/** The level of a 12-digit code, from its zero tail. */
function levelOf(code) {
  if (code.endsWith('0000000000')) return 'province';
  if (code.endsWith('00000000')) return 'prefecture';
  if (code.endsWith('000000')) return 'county';
  if (code.endsWith('000')) return 'township';
  return 'village';
}

/** The periods of the shown period's frequency: five years, eight quarters or twelve months. */
function periodPicker() {
  const select = el('select', { id: 'period' });
  const frequency = frequencyOf(state.period);
  const count = { annual: 5, quarterly: 8, monthly: 12 }[frequency];
  for (const p of periodsBefore(lastClosed(frequency), count)) select.append(el('option', { value: p }, periodLabel(p)));
  if (![...select.options].some((o) => o.value === state.period)) select.prepend(el('option', { value: state.period }, periodLabel(state.period)));
  select.value = state.period;
  select.addEventListener('change', () => go({ period: select.value }));
  return el('div', { class: 'control' }, el('label', { for: 'period' }, '期别'), select);
}

/** Picked indicators as chips, and a search of the registry to add one (by Chinese name or code). */
function indicatorPicker() {
  const chips = el('ul', { class: 'chips', id: 'picked' });
  for (const code of state.indicators) {
    const remove = el('button', { type: 'button', class: 'chip-remove', 'aria-label': `移除 ${state.names.get(code) || code}` }, '×');
    remove.addEventListener('click', () => go({ indicators: state.indicators.filter((c) => c !== code) }));
    chips.append(el('li', { class: 'chip', 'data-code': code }, el('span', {}, state.names.get(code) || code), remove));
  }
  const search = el('input', { id: 'indicator-search', type: 'search', autocomplete: 'off', placeholder: '输入指标名称或代码，如 老龄化率' });
  const found = el('ul', { class: 'suggestions', id: 'suggestions' });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = search.value.trim();
      if (!q) { found.replaceChildren(); return; }
      // Every frequency: 低保户数 is monthly, 留守儿童 quarterly. One of another frequency than the
      // period shown moves the dashboard to that frequency's last closed period, with the picked
      // indicators of that frequency.
      const list = await api('GET', `/api/v1/indicators?${new URLSearchParams({ q, status: 'active' })}`);
      const shown = frequencyOf(state.period);
      found.replaceChildren(...list.items.filter((i) => !state.indicators.includes(i.code)).slice(0, 8).map((i) => {
        const other = i.frequency !== shown;
        const add = el('button', { type: 'button', class: 'suggestion', 'data-code': i.code },
          `${i.name}（${FREQUENCIES[i.frequency] || i.frequency}）`, other ? el('span', { class: 'muted' }, ` · 切换到${FREQUENCIES[i.frequency]}`) : '');
        add.addEventListener('click', () => {
          state.names.set(i.code, i.name);
          state.frequencies.set(i.code, i.frequency);
          if (!other) return go({ indicators: [...state.indicators, i.code] });
          const kept = state.indicators.filter((c) => state.frequencies.get(c) === i.frequency);
          return go({ indicators: [...kept, i.code], period: lastClosed(i.frequency) });
        });
        return el('li', {}, add);
      }));
    }, 200);
  });
  return el('div', { class: 'control picker' },
    el('label', { for: 'indicator-search' }, '指标'), chips, search, found);
}

function chartCard(title, id, draw) {
  const box = el('div', { class: 'chart', id, role: 'img', 'aria-label': title });
  const card = el('section', { class: 'card chart-card' }, el('h2', {}, title), box);
  return { card, draw: () => draw(box) };
}

/**
 * 趋势: one indicator over the last years, for the region itself and for each of its parts, from
 * GET /api/v1/aggregates/series (one request for all the years).
 */
function trendCard(region, answer) {
  const indicator = el('select', { id: 'trend-indicator' }, answer.indicators.map((i) => el('option', { value: i.code }, i.name)));
  // Years, quarters or months, as the dashboard's period is.
  const frequency = frequencyOf(state.period);
  const spans = { annual: [[3, '近3年'], [5, '近5年']], quarterly: [[4, '近4个季度'], [8, '近8个季度']], monthly: [[6, '近6个月'], [12, '近12个月']] }[frequency];
  const span = el('select', { id: 'trend-span' }, spans.map(([n, label]) => el('option', { value: String(n) }, label)));
  const total = el('div', { class: 'chart', id: 'trend-total' });
  const parts = el('div', { class: 'chart', id: 'trend-parts' });
  const note = el('div', { id: 'trend-note' });
  const card = el('section', { class: 'card trend-card', id: 'trend' },
    el('h2', {}, '趋势'),
    el('div', { class: 'controls trend-controls' },
      el('div', { class: 'control' }, el('label', { for: 'trend-indicator' }, '指标'), indicator),
      el('div', { class: 'control' }, el('label', { for: 'trend-span' }, '期间'), span)),
    note,
    el('h3', {}, `${region.name}合计`), total,
    el('h3', {}, `各${LEVEL_NAMES[answer.level]}`), parts);
  const load = async () => {
    const first = periodsBefore(state.period, Number(span.value)).pop();
    const periods = `${first}..${state.period}`;
    const params = new URLSearchParams({ indicators: indicator.value, within: state.within, periods });
    if (!state.within) params.delete('within');
    const trend = await api('GET', `/api/v1/aggregates/series?${params}`);
    const code = indicator.value;
    const meta = trend.indicators.find((i) => i.code === code);
    const unit = meta ? meta.unit : '';
    note.replaceChildren(trend.withheld.includes(code) ? withheldNote([code], trend.level, state.names, 'trend-withheld') : '');
    // The whole country has no row of its own (its parts are the provinces).
    total.hidden = !trend.series.some((p) => p.total);
    total.previousElementSibling.hidden = total.hidden;
    if (!total.hidden) lineChart(total, { periods: trend.periods, unit, series: [
      { name: region.name, bold: true, values: trend.series.map((p) => (p.total ? p.total.values[code] : null)) },
    ] });
    const names = trend.series.length ? trend.series[trend.series.length - 1].rows.map((r) => [r.code, r.name]) : [];
    lineChart(parts, { periods: trend.periods, unit, series: names.map(([c, name]) => ({
      name, values: trend.series.map((p) => { const row = p.rows.find((r) => r.code === c); return row ? row.values[code] : null; }),
    })) });
    card.dataset.drawn = `${code}/${periods}`;
  };
  const reload = () => load().catch(showError);
  indicator.addEventListener('change', reload);
  span.addEventListener('change', reload);
  return { card, load: reload };
}

async function draw() {
  const [region, answer] = await Promise.all([
    state.within ? api('GET', `/api/v1/regions/${state.within}`) : { code: '', name: '全国', path: [] },
    api('GET', aggregatesPath()),
  ]);
  for (const i of answer.indicators) state.names.set(i.code, i.name);
  disposeAll();
  const pick = drillable(answer.level) ? (code) => go({ within: code }) : null;
  const cards = [chartCard('填报完成情况', 'chart-completeness', (box) => completenessChart(box, {
    rows: answer.rows.map((r) => ({ code: r.code, name: r.name, ...r.completeness })), onPick: pick,
  }))];
  for (const indicator of answer.indicators) {
    const title = indicator.unit ? `${indicator.name}（${indicator.unit}）` : indicator.name;
    cards.push(chartCard(title, `chart-${indicator.code}`, (box) => barChart(box, {
      rows: answer.rows.map((r) => ({ code: r.code, name: r.name, value: r.values[indicator.code] })),
      unit: indicator.unit, onPick: pick,
    })));
  }
  // Trends over the last periods of the dashboard's frequency, when it has an indicator to follow.
  const trend = answer.indicators.length ? trendCard(region, answer) : null;
  const withheld = withheldNote(answer.withheld, answer.level, state.names);
  const composer = state.me.role === 'admin' ? composeCard(() => ({
    regionName: region.name, within: state.within, level: answer.level, period: state.period, indicators: state.indicators,
  })) : null;
  document.getElementById('main').replaceChildren(
    state.saved.length ? savedList() : '',
    el('section', { class: 'card dashboard-head' },
      breadcrumb(region),
      el('h1', {}, `${region.name} · ${periodLabel(state.period)} · 按${LEVEL_NAMES[answer.level]}`),
      el('p', { class: 'muted', id: 'as-of' }, `数据截至 ${when(answer.as_of)}（已审核的数据，实时汇总）`),
      el('div', { class: 'controls' }, periodPicker(), indicatorPicker()),
      withheld || '',
      el('div', { id: 'dashboard-error' })),
    el('div', { class: 'chart-grid' }, cards.map((c) => c.card)),
    trend ? trend.card : '',
    dataTable(answer, { onPick: pick, path: aggregatesPath }),
    composer || '');
  for (const c of cards) c.draw();
  if (trend) trend.load();
  document.title = `${region.name} · 看板 · 一张表`;
  // Drawn, on the next frame (the charts paint in theirs): for scripts/bench-dashboard.py.
  requestAnimationFrame(() => performance.mark('onetable-dashboard-drawn'));
  document.body.dataset.drawn = `${state.within}/${state.period}`;
}

async function main() {
  register();
  const current = await session();
  if (!current) return toLogin();
  state.me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${state.me.region_name || '全国'} · ${ROLES[state.me.role] || state.me.role} ${state.me.subject}`;
  const id = new URLSearchParams(location.search).get('id');
  if (id) return showSaved(id, document.getElementById('main'));
  state.saved = (await api('GET', '/api/v1/dashboards')).items;
  readAddress();
  history.replaceState(null, '', address());
  window.addEventListener('popstate', () => { readAddress(); draw().catch(showError); });
  await draw();
  live();
  return undefined;
}

/** How often the live dashboard reads the aggregates again (an approval shows within this). */
const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh')) * 1000 || 60000;

/**
 * Live: the numbers are read again every so often while the page is in sight, so completeness and
 * rates move as reviewers approve — but never while someone is typing or picking on the page.
 */
function live() {
  setInterval(() => {
    const busy = document.activeElement && ['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement.tagName);
    const composing = document.querySelector('#compose[open]');
    if (document.visibilityState !== 'visible' || busy || composing) return;
    const at = window.scrollY;
    draw().then(() => window.scrollTo(0, at)).catch(showError);
  }, REFRESH_MS);
}

runPage(main);
