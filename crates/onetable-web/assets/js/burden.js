// 减负成效 (/burden): what the platform saves the villages of the admin's region — indicators they
// enter once, the requests and departments served from them, pulls this month, indicators shared
// between departments — with a chart per department (GET /api/v1/burden).

import { api, el, scrolling, session } from './api.js';
import { groupedBars } from './charts.js';
import { exact } from './numbers.js';
import { runPage, toLogin } from './page.js';

function figure(id, label, value) {
  return el('div', { class: 'figure', id }, el('span', { class: 'figure-value' }, exact(value)), el('span', { class: 'figure-label' }, label));
}

async function main() {
  if (!(await session())) return toLogin();
  const me = await api('GET', '/api/v1/me');
  document.getElementById('who').textContent = `${me.region_name || '全国'} · 管理员 ${me.subject}`;
  const within = new URLSearchParams(location.search).get('within');
  const burden = await api('GET', `/api/v1/burden${within ? `?within=${encodeURIComponent(within)}` : ''}`);
  const box = el('div', { class: 'chart', id: 'burden-chart' });
  const departments = burden.by_department;
  document.getElementById('main').replaceChildren(
    el('section', { class: 'card', id: 'burden' }, el('h1', {}, `${me.region_name || '全国'} · 减负成效`),
      el('div', { class: 'figures' },
        figure('f-entered', '村里填报的指标（一次录入）', burden.indicators_entered_by_villages),
        figure('f-requests', '在用的数据需求', burden.active_requests),
        figure('f-departments', '服务的部门', burden.departments_served.length),
        figure('f-pulls', '本月调取次数', burden.pulls_this_month),
        figure('f-requested', '被申请的指标', burden.indicators_requested),
        figure('f-reused', '多个部门共用的指标', burden.indicators_reused.length))),
    el('section', { class: 'card', id: 'forms-cleanup' }, el('h2', {}, '报表清理'),
      burden.forms_cleanup
        ? el('p', { class: 'figure-value', id: 'cleanup-figure' },
          `${exact(burden.forms_cleanup.forms)} 张报表、${exact(burden.forms_cleanup.columns)} 列 → ${exact(burden.forms_cleanup.distinct_needs)} 项需求`)
        : el('p', { class: 'muted' }, '还没有做过报表清理'),
      burden.forms_cleanup ? el('p', { class: 'muted' }, `其中指标库已有 ${exact(burden.forms_cleanup.in_registry)} 项，新需求 ${exact(burden.forms_cleanup.new_needs)} 项`) : null,
      el('p', {}, el('a', { href: '/forms' }, '去报表清理'))),
    el('section', { class: 'card chart-card' }, el('h2', {}, '各部门'),
      departments.length ? box : el('p', { class: 'muted' }, '还没有在用的数据需求')),
    el('section', { class: 'card', id: 'burden-supplies' }, el('h2', {}, '数据回流（部门供给，村里确认或改正）'),
      burden.supplies.length
        ? scrolling(el('table', { class: 'data-table' },
          el('thead', {}, el('tr', {}, ['部门', '供给的数值', '村里已确认', '村里改正'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, burden.supplies.map((s) => el('tr', {},
            el('th', { scope: 'row' }, s.department), el('td', {}, exact(s.supplied)), el('td', {}, exact(s.confirmed)), el('td', {}, exact(s.corrected)))))), '数据回流')
        : el('p', { class: 'muted' }, '还没有部门供给数据')));
  if (departments.length) {
    groupedBars(box, {
      categories: departments.map((d) => d.department),
      series: [
        { name: '申请的指标', values: departments.map((d) => d.indicators_requested) },
        { name: '其中与其他部门共用', values: departments.map((d) => d.indicators_shared) },
        { name: '本月调取次数', values: departments.map((d) => d.pulls_this_month) },
      ],
    });
  }
  document.body.dataset.drawn = 'burden';
  return undefined;
}

runPage(main);
