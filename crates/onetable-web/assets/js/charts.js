// The dashboard's charts, drawn with the vendored Apache ECharts (assets/vendor, loaded by the page
// as a classic script, so it is `window.echarts`). Tooltips are drawn on the canvas (richText): the
// HTML tooltip writes inline styles, which the pages' Content-Security-Policy refuses.

import { short } from './numbers.js';

const ROW_HEIGHT = 30;
const charts = new Set();

function sized(container, count) {
  container.style.height = `${Math.max(220, count * ROW_HEIGHT * (fontSize() / 12) + 70)}px`;
}

/** Whether a chart's box is phone-narrow. */
function narrow(container) {
  return container.clientWidth < 480;
}

/** Larger type on a wall screen (大屏), read from across a room. */
function fontSize() {
  return window.matchMedia('(min-width: 100rem)').matches ? 16 : 12;
}

function make(container) {
  const old = window.echarts.getInstanceByDom(container);
  if (old) { charts.delete(old); old.dispose(); }
  const chart = window.echarts.init(container, null, { renderer: 'canvas', locale: 'ZH' });
  charts.add(chart);
  return chart;
}

/** Forgets the charts of the page before it is drawn again. */
export function disposeAll() {
  for (const chart of charts) chart.dispose();
  charts.clear();
}

window.addEventListener('resize', () => { for (const chart of charts) chart.resize(); });

/** A region's name on the axis, with `<5` or 无数据 where there is no bar to draw. */
function axisName(row) {
  if (row.value === '<5') return `${row.name}（<5）`;
  if (row.value === null || row.value === undefined) return `${row.name}（无数据）`;
  return row.name;
}

/**
 * One indicator across the child regions, a horizontal bar each (the first region on top).
 * `<5` and missing values draw no bar — never a zero — and say so beside the name.
 * `onPick(code)` is called when a bar or a name is clicked (drill-down), if given.
 */
export function barChart(container, { rows, unit, onPick }) {
  sized(container, rows.length);
  const chart = make(container);
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    tooltip: {
      trigger: 'item', renderMode: 'richText',
      formatter: (p) => `${rows[p.dataIndex].name}\n${typeof rows[p.dataIndex].value === 'number' ? short(rows[p.dataIndex].value) : rows[p.dataIndex].value ?? '无数据'}${unit ? ` ${unit}` : ''}`,
    },
    // A phone's axis has room for a few labels: fewer ticks, and none drawn over another.
    xAxis: { type: 'value', splitNumber: narrow(container) ? 3 : 5, axisLabel: { formatter: (v) => short(v), fontSize: fontSize(), hideOverlap: true } },
    yAxis: {
      type: 'category', inverse: true, triggerEvent: Boolean(onPick),
      data: rows.map(axisName),
      axisLabel: { width: 140, overflow: 'truncate', fontSize: fontSize() },
    },
    series: [{
      type: 'bar',
      data: rows.map((r) => (typeof r.value === 'number' ? r.value : null)),
      label: { show: true, position: 'right', fontSize: fontSize(), formatter: (p) => (typeof p.value === 'number' ? short(p.value) : '') },
      itemStyle: { color: '#1f6feb' },
      cursor: onPick ? 'pointer' : 'default',
    }],
  });
  if (onPick) {
    chart.on('click', (p) => {
      const index = p.componentType === 'yAxis' ? rows.findIndex((r) => axisName(r) === p.value) : p.dataIndex;
      if (rows[index]) onPick(rows[index].code);
    });
  }
  return chart;
}

/** Completeness per child region: approved, submitted and awaiting review, not yet submitted. */
export function completenessChart(container, { rows, onPick }) {
  sized(container, rows.length);
  const chart = make(container);
  const part = (name, color, pick) => ({
    name, type: 'bar', stack: 'all', itemStyle: { color }, data: rows.map(pick),
    cursor: onPick ? 'pointer' : 'default',
  });
  chart.setOption({
    animation: false,
    legend: { top: 0, textStyle: { fontSize: fontSize() } },
    grid: { left: 8, right: 24, top: 32, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
    xAxis: { type: 'value', minInterval: 1, splitNumber: narrow(container) ? 3 : 5, axisLabel: { fontSize: fontSize(), hideOverlap: true } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { width: 140, overflow: 'truncate', fontSize: fontSize() } },
    series: [
      part('已审核', '#1a7f37', (r) => r.approved),
      part('待审核', '#54aeff', (r) => r.submitted),
      part('未提交', '#d0d7de', (r) => Math.max(0, r.expected - r.submitted - r.approved)),
    ],
  });
  if (onPick) chart.on('click', (p) => { if (rows[p.dataIndex]) onPick(rows[p.dataIndex].code); });
  return chart;
}

/**
 * Lines over periods, one per series (`values` by period; `<5` and missing values leave a gap).
 * Many lines get a scrolling legend.
 */
export function lineChart(container, { periods, series, unit }) {
  container.style.height = `${Math.round(280 * (fontSize() / 12))}px`;
  const chart = make(container);
  chart.setOption({
    animation: false,
    legend: { type: 'scroll', top: 0, textStyle: { fontSize: fontSize() } },
    grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v) => (typeof v === 'number' ? `${short(v)}${unit ? ` ${unit}` : ''}` : '—') },
    xAxis: { type: 'category', data: periods, axisLabel: { fontSize: fontSize(), hideOverlap: true } },
    yAxis: { type: 'value', scale: true, splitNumber: narrow(container) ? 3 : 5, axisLabel: { formatter: (v) => short(v), fontSize: fontSize(), hideOverlap: true } },
    series: series.map((s) => ({
      name: s.name, type: 'line', connectNulls: false, symbolSize: 8,
      lineStyle: { width: s.bold ? 4 : 2 },
      data: s.values.map((v) => (typeof v === 'number' ? v : null)),
    })),
  });
  return chart;
}

/** Grouped bars: one group per category (e.g. a department), one bar per series. */
export function groupedBars(container, { categories, series }) {
  sized(container, categories.length * Math.max(1, series.length * 0.6));
  const chart = make(container);
  chart.setOption({
    animation: false,
    legend: { top: 0, textStyle: { fontSize: fontSize() } },
    grid: { left: 8, right: 40, top: 32, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, renderMode: 'richText' },
    xAxis: { type: 'value', minInterval: 1, splitNumber: narrow(container) ? 3 : 5, axisLabel: { fontSize: fontSize(), hideOverlap: true } },
    yAxis: { type: 'category', inverse: true, data: categories, axisLabel: { width: 140, overflow: 'truncate', fontSize: fontSize() } },
    series: series.map((s) => ({
      name: s.name, type: 'bar', data: s.values, label: { show: true, position: 'right', fontSize: fontSize() },
    })),
  });
  return chart;
}
