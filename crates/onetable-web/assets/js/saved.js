// A saved dashboard (看板), as an admin composed it: each item drawn from /aggregates (or
// /aggregates/series for a trend) with its period rule resolved by the server today. A click on
// a bar opens the live dashboard one level down.

import { api, el } from './api.js';
import { LEVEL_NAMES, dataTable, drillable, withheldNote } from './board.js';
import { barChart, completenessChart, disposeAll, lineChart } from './charts.js';
import { when } from './numbers.js';

const CHART_NAMES = { bar: '柱状图', line: '趋势', table: '数据表', completeness: '填报完成情况' };

function aggregatesPath(board, item, format) {
  const params = new URLSearchParams({
    indicators: item.indicators.join(','), within: board.region_code, level: item.resolved_level, period: item.resolved_period,
  });
  if (format) params.set('format', format);
  return `/api/v1/aggregates?${params}`;
}

function live(within, item) {
  const params = new URLSearchParams({ within, period: item.resolved_period, indicators: item.indicators.join(',') });
  return () => location.assign(`/dashboard?${params}`);
}

/** One item: its card, and what draws it once the card is on the page. */
async function itemCard(board, item, index, names) {
  const card = el('section', { class: `card chart-card item-${item.chart}`, id: `item-${index}`, 'data-chart': item.chart });
  const heading = el('h2', {});
  // Named once the answer has told the indicators' names.
  const title = () => {
    const text = item.title || (item.indicators.length
      ? item.indicators.map((c) => names.get(c) || c).join('、') : CHART_NAMES[item.chart]);
    heading.textContent = `${text} · ${item.resolved_periods || item.resolved_period}`;
  };
  if (item.chart === 'line') {
    const trend = await api('GET', `/api/v1/aggregates/series?${new URLSearchParams({
      indicators: item.indicators.join(','), within: board.region_code, level: item.resolved_level, periods: item.resolved_periods,
    })}`);
    for (const i of trend.indicators) names.set(i.code, i.name);
    title();
    const boxes = trend.indicators.map((i) => ({ i, box: el('div', { class: 'chart', id: `item-${index}-${i.code}` }) }));
    card.replaceChildren(heading, withheldNote(trend.withheld, trend.level, names, `item-${index}-withheld`) || '',
      ...boxes.flatMap(({ i, box }) => [el('h3', {}, i.name), box]));
    return { card, answer: trend, draw: () => boxes.forEach(({ i, box }) => lineChart(box, {
      periods: trend.periods, unit: i.unit,
      series: [{ name: board.region_name, bold: true, values: trend.series.map((p) => (p.total ? p.total.values[i.code] : null)) },
        ...(trend.series.at(-1)?.rows || []).map((r) => ({
          name: r.name, values: trend.series.map((p) => p.rows.find((x) => x.code === r.code)?.values[i.code] ?? null),
        }))],
    })) };
  }
  const answer = await api('GET', aggregatesPath(board, item));
  for (const i of answer.indicators) names.set(i.code, i.name);
  title();
  const pick = drillable(answer.level) ? (code) => live(code, item)() : null;
  const note = withheldNote(answer.withheld, answer.level, names, `item-${index}-withheld`) || '';
  if (item.chart === 'table') {
    const table = dataTable(answer, { title: heading.textContent, id: `item-${index}-table`, onPick: pick, path: (f) => aggregatesPath(board, item, f) });
    table.id = `item-${index}`;
    if (note) table.querySelector('.work-head').after(note);
    return { card: table, answer, draw: () => {} };
  }
  if (item.chart === 'completeness') {
    const box = el('div', { class: 'chart', id: `item-${index}-chart` });
    card.replaceChildren(heading, box);
    return { card, answer, draw: () => completenessChart(box, {
      rows: answer.rows.map((r) => ({ code: r.code, name: r.name, ...r.completeness })), onPick: pick,
    }) };
  }
  const boxes = answer.indicators.map((i) => ({ i, box: el('div', { class: 'chart', id: `item-${index}-${i.code}` }) }));
  card.replaceChildren(heading, note, ...boxes.flatMap(({ i, box }) => [el('h3', {}, i.unit ? `${i.name}（${i.unit}）` : i.name), box]));
  return { card, answer, draw: () => boxes.forEach(({ i, box }) => barChart(box, {
    rows: answer.rows.map((r) => ({ code: r.code, name: r.name, value: r.values[i.code] })), unit: i.unit, onPick: pick,
  })) };
}

/** Draws the saved dashboard `id` into `main`. */
export async function showSaved(id, main) {
  const board = await api('GET', `/api/v1/dashboards/${encodeURIComponent(id)}`);
  const names = new Map();
  const items = await Promise.all(board.items.map((item, i) => itemCard(board, item, i, names)));
  disposeAll();
  const asOf = items.map((i) => i.answer.as_of).sort()[0];
  const level = board.items[0] ? board.items[0].resolved_level : null;
  main.replaceChildren(
    el('section', { class: 'card dashboard-head' },
      el('h1', { id: 'board-name' }, board.name),
      el('p', {}, `${board.region_name}${level ? ` · 按${LEVEL_NAMES[level]}` : ''}`),
      asOf ? el('p', { class: 'muted', id: 'as-of' }, `数据截至 ${when(asOf)}（已审核的数据，实时汇总）`) : null,
      el('p', {}, el('a', { href: `/dashboard?within=${board.region_code}`, id: 'to-live' }, '自选指标看板'))),
    el('div', { class: 'chart-grid' }, items.filter((i) => !i.card.classList.contains('table-card')).map((i) => i.card)),
    ...items.filter((i) => i.card.classList.contains('table-card')).map((i) => i.card));
  for (const item of items) item.draw();
  document.title = `${board.name} · 一张表`;
  document.body.dataset.drawn = `dashboard/${board.id}`;
}
