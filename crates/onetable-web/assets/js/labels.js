// Chinese words for what the API says in codes.

/** 2025 → 2025年, 2025Q3 → 2025年第3季度, 2025-09 → 2025年9月. */
export function periodLabel(period) {
  let m = /^(\d{4})Q([1-4])$/.exec(period);
  if (m) return `${m[1]}年第${m[2]}季度`;
  m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) return `${m[1]}年${Number(m[2])}月`;
  return `${period}年`;
}

/** An answer's time (UTC, with Z) as a person in China reads it: 2026-12-02 10:31. */
export function when(at) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const get = (type) => (parts.find((p) => p.type === type) || {}).value || '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export const SOURCES = { entry: '录入', import: '导入', carried_forward: '沿用上期', api: '接口', register: '台账', supplied: '部门预填', confirmed: '部门数据（已确认）' };

/** Roles, one word each on every page. */
export const ROLES = { clerk: '村级填报员', reviewer: '乡镇审核员', admin: '管理员', viewer: '看板用户', department: '部门用户', auditor: '审计员' };

/** A form's state, as the clerk's worklist, the form and the reviewer say it. */
export const ENTRY_STATUS = { not_started: '未开始', draft: '填报中', submitted: '已提交，待审核', returned: '已退回', approved: '已通过' };

/** How often an indicator is reported, and what its periods look like. */
export const FREQUENCIES = { annual: '年报', quarterly: '季报', monthly: '月报' };

/** A period's frequency: 2025 annual, 2025Q3 quarterly, 2025-09 monthly. */
export function frequencyOf(period) {
  if (/^\d{4}Q[1-4]$/.test(period)) return 'quarterly';
  if (/^\d{4}-\d{2}$/.test(period)) return 'monthly';
  return 'annual';
}

/** The last period of `frequency` that has ended (Beijing time): the one that is due. */
export function lastClosed(frequency, now = new Date()) {
  const parts = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric' }).formatToParts(now);
  const year = Number(parts.find((p) => p.type === 'year').value);
  const month = Number(parts.find((p) => p.type === 'month').value);
  if (frequency === 'monthly') return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  if (frequency === 'quarterly') {
    const quarter = Math.floor((month - 1) / 3) + 1;
    return quarter === 1 ? `${year - 1}Q4` : `${year}Q${quarter - 1}`;
  }
  return String(year - 1);
}

/** The `count` periods of `frequency` up to and including `last`, newest first. */
export function periodsBefore(last, count) {
  const out = [last];
  while (out.length < count) {
    const p = out[out.length - 1];
    let m = /^(\d{4})Q([1-4])$/.exec(p);
    if (m) { out.push(m[2] === '1' ? `${Number(m[1]) - 1}Q4` : `${m[1]}Q${Number(m[2]) - 1}`); continue; }
    m = /^(\d{4})-(\d{2})$/.exec(p);
    if (m) { out.push(m[2] === '01' ? `${Number(m[1]) - 1}-12` : `${m[1]}-${String(Number(m[2]) - 1).padStart(2, '0')}`); continue; }
    out.push(String(Number(p) - 1));
  }
  return out;
}

/** What the audit trail records, in Chinese. */
export const AUDIT_ACTIONS = {
  'auth.login': '登录', 'auth.logout': '退出', 'auth.lockout': '账户锁定', 'auth.token': '系统换取令牌',
  'entries.edit': '修改数据', 'entries.carry_forward': '沿用上期数据', 'entries.submit': '提交报表',
  'entries.approve': '审核通过', 'entries.return': '退回报表', 'entries.reopen': '重新打开', 'imports.create': '导入数据',
  'users.create': '新建用户', 'users.update': '修改用户', 'users.import': '批量导入账户',
  'users.change_password': '修改本人密码', 'users.reset_password': '重置密码（运维）',
  'deadlines.set': '设置截止日期', 'reminders.send': '催报', 'reminders.hook': '设置群机器人',
  'timeliness.read': '查看及时率', 'reminders.read': '查看催报', 'deadlines.read': '查看截止日期',
  'indicators.create': '新建指标', 'indicators.update': '修改指标', 'indicators.deprecate': '停用指标',
  'rules.create': '新建规则', 'rules.update': '修改规则', 'catalogue.export': '导出指标库',
  'data_request.file': '提交数据需求', 'data_request.approve': '批准数据需求', 'data_request.reject': '驳回数据需求',
  'data_request.revoke': '撤销数据需求', 'data_request.pull': '调取数据',
  'dashboards.create': '新建看板', 'dashboards.update': '修改看板', 'dashboards.delete': '删除看板',
  'forms.analyze': '分析报表', 'forms.confirm': '确认映射', 'forms.cleanup': '报表清理', 'forms.draft_request': '由报表生成数据需求',
  'templates.save': '保存模板', 'templates.delete': '删除模板', 'templates.fill': '下载填好的原表',
  'proposals.accept': '采纳新指标建议', 'proposals.reject': '驳回新指标建议',
  'clients.rotate': '更换系统密钥', 'clients.rotation_request': '申请更换系统密钥', 'clients.rotation_approve': '批准更换系统密钥',
  'aggregates.read': '查看汇总', 'usage.read': '查看数据使用', 'audit.read': '查看审计日志',
};

export const AUDIT_OUTCOMES = { success: '成功', denied: '拒绝', failure: '失败' };

const FINENESS = { annual: 0, quarterly: 1, monthly: 2 };

/**
 * The period of `frequency` containing `period` (the server's `Period::at`): itself at its own
 * frequency, the year of a quarter or month, the quarter of a month; null for a finer one.
 */
export function containing(period, frequency) {
  const own = frequencyOf(period);
  if (FINENESS[frequency] > FINENESS[own]) return null;
  if (frequency === own) return period;
  const year = period.slice(0, 4);
  if (frequency === 'annual') return year;
  return `${year}Q${Math.ceil(Number(period.slice(5, 7)) / 3)}`;
}

/** An indicator's value type, aggregation and sensitivity. */
export const VALUE_TYPES = { integer: '整数', decimal: '小数（两位）', boolean: '是/否', text: '文字', date: '日期' };
export const AGGREGATIONS = { sum: '求和', avg: '平均', min: '最小', max: '最大', count_true: '计“是”的个数', ratio: '比率（由公式计算）', none: '不汇总' };
export const SENSITIVITY = { public: '公开', internal: '内部', sensitive: '敏感' };
