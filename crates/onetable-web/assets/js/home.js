import { api, el, scrolling, session } from './api.js';
import { ENTRY_STATUS, ROLES, lastClosed, periodLabel, periodsBefore, when } from './labels.js';
import { register } from './offline.js';
import { runPage, toLogin } from './page.js';
import { timeliness } from './timeliness.js';


/** 截止日期 and the days left, red once overdue; nothing once handed in. */
function dueLine(item) {
  if (item.status === 'submitted' || item.status === 'approved') return null;
  const [y, m, d] = item.due.split('-').map(Number);
  const date = `截止 ${y}年${m}月${d}日`;
  if (item.overdue) return el('div', { class: 'due overdue' }, `${date} · 已逾期 ${-item.days_left} 天`);
  return el('div', { class: 'due muted' }, `${date} · ${item.days_left === 0 ? '今天截止' : `还剩 ${item.days_left} 天`}`);
}

/** 催报: the reminders of forms not yet handed in, first on the clerk's page until read. */
async function reminders(page) {
  const list = await api('GET', '/api/v1/reminders/mine');
  if (!list.length) return;
  const item = (r) => {
    const ok = el('button', { type: 'button', 'data-action': 'read' }, '知道了');
    const li = el('li', { class: r.read_at ? 'reminder read' : 'reminder', 'data-reminder': String(r.id) },
      el('div', { class: 'work-head' }, el('strong', {}, `${periodLabel(r.period)}报表催报`),
        el('span', { class: 'muted' }, `${r.sent_by} · ${when(r.sent_at)}`)),
      el('p', {}, r.message), r.read_at ? el('span', { class: 'muted' }, '已读') : ok);
    ok.addEventListener('click', async () => {
      await api('POST', `/api/v1/reminders/${r.id}/read`);
      li.classList.add('read');
      ok.replaceWith(el('span', { class: 'muted' }, '已读'));
    });
    return li;
  };
  page.append(el('section', { class: 'card reminders', id: 'my-reminders' }, el('h2', {}, '催报提醒'),
    el('ul', { class: 'list' }, list.map(item))));
}

/** 待核实: values a reviewer marked for follow-up (跟进), until the clerk changes them. */
async function followUps(page) {
  const list = await api('GET', '/api/v1/quality/follow-ups').catch(() => []);
  if (!list.length) return;
  page.append(el('section', { class: 'card follow-ups', id: 'my-follow-ups' }, el('h2', {}, `待核实的数据（${list.length}）`),
    el('p', { class: 'muted' }, '审核员请您核实下列数值：如有错请在报表中改正，改正后自动销号。'),
    el('ul', { class: 'list' }, list.map((f) => el('li', { 'data-follow-up': String(f.id) },
      el('a', { href: `/form?period=${encodeURIComponent(f.period)}#f-${f.indicator}` }, `${periodLabel(f.period)}报表 · ${f.indicator_name || f.indicator}`),
      f.value ? el('span', { class: 'muted' }, ` 现为 ${f.value}`) : null,
      el('p', {}, `${f.created_by}：${f.note}`))))));
}

function workItem(item) {
  return el('li', { class: `work-item ${item.status}`, 'data-period': item.period },
    el('div', { class: 'work-head' },
      el('a', { href: `/form?period=${encodeURIComponent(item.period)}` }, `${periodLabel(item.period)}报表`),
      el('span', { class: `status ${item.status}` }, ENTRY_STATUS[item.status] || item.status)),
    item.status === 'not_started' ? null
      : el('a', { class: 'print-link', href: `/print?period=${encodeURIComponent(item.period)}` }, '打印 / 盖章用'),
    el('div', { class: 'muted' }, `已填 ${item.filled} / ${item.fields} 项` +
      (item.missing_required ? `，必填项还差 ${item.missing_required} 项` : '')),
    dueLine(item),
    item.return_comment ? el('p', { class: 'return-comment' }, `退回意见（${item.returned_by || '审核员'}）：${item.return_comment}`) : null);
}

async function clerkHome(page, me) {
  const list = await api('GET', '/api/v1/worklist');
  page.append(
    el('section', { class: 'card' },
      el('h2', {}, '待办报表'),
      list.items.length
        ? el('ul', { class: 'list', id: 'worklist' }, list.items.map(workItem))
        : el('p', { class: 'muted' }, '目前没有需要填报的报表')),
    el('section', { class: 'card' },
      el('h2', {}, '台账'),
      el('p', { class: 'muted' }, '低保户、监测户、残疾人等名单在这里维护，报表中的户数、人数随之自动更新。'),
      el('ul', { class: 'list' }, el('li', {}, el('a', { href: '/registers', id: 'registers-link' }, '本村台账')))));
}

/** 谁用了我的数据: every department's use of the village's data. */
async function usage(page, me) {
  const used = await api('GET', `/api/v1/regions/${me.region}/usage`);
  page.append(el('section', { class: 'card', id: 'usage' },
    el('h2', {}, '谁用了我的数据'),
    used.uses.length
      ? el('ul', { class: 'list' }, used.uses.map((u) => el('li', { 'data-request': u.request_id },
        el('strong', {}, u.department), ` · ${u.title}`,
        el('div', { class: 'muted' }, `用途：${u.purpose}`),
        el('div', { class: 'muted' }, `指标：${(u.indicator_names || u.indicators).join('、')}`),
        el('div', { class: 'muted' }, `共调取 ${u.pulls} 次，最近一次 ${when(u.last_pulled_at)}`))))
      : el('p', { class: 'muted' }, '还没有部门调取过本村的数据')));
}

/** One form waiting for review. */
function queueItem(i) {
  return el('li', { 'data-region': i.region_code, 'data-township': i.township },
    el('div', { class: 'work-head' },
      el('a', { href: `/form?period=${encodeURIComponent(i.period)}&region=${i.region_code}` }, `${i.village} · ${periodLabel(i.period)}报表`),
      el('span', { class: 'status submitted' }, '待审核')),
    el('div', { class: 'muted' }, `${i.township} · ${i.submitted_by} 提交于 ${when(i.submitted_at)}`));
}

/** Forms listed flat before the queue is grouped by township. */
const FLAT_QUEUE = 20;

/**
 * 待审核: the submitted forms in the reviewer's scope, the longest waiting first. A long queue (an
 * admin's whole prefecture) is grouped by township, each group opened on demand, so the page is
 * not 35,000 px of forms.
 */
async function reviewerHome(page) {
  const queue = await api('GET', '/api/v1/review-queue');
  const townships = [...new Set(queue.items.map((i) => i.township))];
  const filter = el('select', { id: 'township-filter' }, el('option', { value: '' }, '全部乡镇'),
    townships.map((t) => el('option', { value: t }, t)));
  let list;
  if (queue.items.length <= FLAT_QUEUE) {
    list = el('ul', { class: 'list', id: 'review-queue' }, queue.items.map(queueItem));
    filter.addEventListener('change', () => {
      for (const li of list.children) li.hidden = filter.value !== '' && li.dataset.township !== filter.value;
    });
  } else {
    // By county (when the queue spans several), then township.
    const group = (t, items) => el('details', { class: 'township-group', 'data-township': t },
      el('summary', {}, `${t}（${items.length}）`), el('ul', { class: 'list' }, items.map(queueItem)));
    const counties = [...new Set(queue.items.map((i) => i.county))];
    const byTownship = (items) => [...new Set(items.map((i) => i.township))]
      .map((t) => group(t, items.filter((i) => i.township === t)));
    list = el('div', { id: 'review-queue' }, counties.length > 1
      ? counties.map((c) => {
        const items = queue.items.filter((i) => i.county === c);
        return el('details', { class: 'county-group', 'data-county': c },
          el('summary', {}, `${c}（${items.length}）`), el('div', { class: 'township-groups' }, byTownship(items)));
      })
      : byTownship(queue.items));
    filter.addEventListener('change', () => {
      for (const group of list.querySelectorAll('.township-group')) {
        group.hidden = filter.value !== '' && group.dataset.township !== filter.value;
        if (filter.value !== '' && !group.hidden) {
          group.open = true;
          group.closest('.county-group')?.setAttribute('open', '');
        }
      }
      for (const county of list.querySelectorAll('.county-group')) {
        county.hidden = [...county.querySelectorAll('.township-group')].every((g) => g.hidden);
      }
    });
  }
  page.append(el('section', { class: 'card' },
    el('h2', {}, `待审核报表（${queue.items.length}）`),
    queue.items.length ? el('div', {}, el('label', { for: 'township-filter' }, '按乡镇筛选'), filter, list)
      : el('p', { class: 'muted' }, '目前没有待审核的报表')));
}

/** 填报进度: each child region's villages by the status of their form of a period. */
async function progress(page) {
  // The forms due of every frequency: the last three years, quarters and months.
  const periods = ['annual', 'quarterly', 'monthly'].flatMap((f) => periodsBefore(lastClosed(f), 3));
  const select = el('select', { id: 'progress-period' }, periods.map((p) => el('option', { value: p }, `${periodLabel(p)}报表`)));
  const body = el('div');
  const load = async () => {
    const answer = await api('GET', `/api/v1/progress?period=${encodeURIComponent(select.value)}`);
    const head = ['区域', '应报', '未开始', '填报中', '待审核', '已退回', '已通过'];
    body.replaceChildren(scrolling(el('table', { class: 'progress' },
      el('thead', {}, el('tr', {}, head.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, answer.map((r) => el('tr', { 'data-region': r.code },
        el('th', { scope: 'row' }, r.name),
        [r.expected, r.not_started, r.draft, r.submitted, r.returned, r.approved].map((n) => el('td', {}, String(n))))))), '填报进度'));
  };
  select.addEventListener('change', () => load().catch((e) => body.replaceChildren(el('p', { class: 'error' }, e.message))));
  page.append(el('section', { class: 'card', id: 'progress' },
    el('h2', {}, '填报进度'), el('label', { for: 'progress-period' }, '期别'), select, body));
  await load();
}


async function main() {
  register();
  const current = await session();
  if (!current) return toLogin();
  const me = await api('GET', '/api/v1/me');
  // A viewer's page is the dashboard.
  // An auditor's page is the audit trail, and nothing else.
  if (me.role === 'auditor') return location.replace('/audit');
  // A department's page is its data requests.
  if (me.role === 'department') return location.replace('/requests');
  if (me.role === 'viewer') {
    const { landing } = await api('GET', '/api/v1/dashboards');
    return location.replace(landing ? `/dashboard?id=${landing}` : '/dashboard');
  }
  const who = document.getElementById('who');
  who.textContent = `${me.region_name || '全国'} · ${ROLES[me.role] || me.role} ${me.subject}`;
  const page = document.getElementById('main');
  page.replaceChildren(
    el('section', { class: 'card' },
      el('h1', {}, me.region_name || '全国'),
      el('p', { class: 'muted' }, `区划代码 ${me.region || '—'}`),
      el('p', {}, `您以${ROLES[me.role] || me.role}身份登录。`)),
  );
  if (me.role === 'reviewer' || me.role === 'admin') {
    page.append(el('section', { class: 'card', id: 'shortcuts' }, el('h2', {}, me.role === 'admin' ? '管理' : '常用'),
      el('ul', { class: 'list' }, el('li', {}, el('a', { href: '/dashboard', id: 'dashboard-link' }, `${me.region_name || '全国'}汇总看板`)),
        me.role === 'admin' ? el('li', {}, el('a', { href: '/requests', id: 'requests-link' }, '数据需求审核')) : null,
        me.role === 'reviewer' ? el('li', {}, el('a', { href: '/registers', id: 'registers-link' }, '台账重复核查')) : null,
        me.role === 'admin' ? el('li', {}, el('a', { href: '/registry', id: 'registry-link' }, '指标库')) : null,
        me.role === 'admin' ? el('li', {}, el('a', { href: '/users', id: 'users-link' }, '用户管理')) : null,
        me.role === 'admin' ? el('li', {}, el('a', { href: '/imports', id: 'imports-link' }, '历年数据导入')) : null,
        me.role === 'admin' ? el('li', {}, el('a', { href: '/burden', id: 'burden-link' }, '减负成效')) : null,
        me.role === 'admin' ? el('li', {}, el('a', { href: '/forms', id: 'forms-link' }, '报表清理')) : null)));
    await reviewerHome(page);
    await timeliness(page, me);
    await progress(page);
  }
  if (me.role === 'clerk') {
    await reminders(page);
    await followUps(page);
    await clerkHome(page, me);
    await usage(page, me);
  }
}

runPage(main);
