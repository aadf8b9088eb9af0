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

export const SOURCES = { entry: '录入', import: '导入', carried_forward: '沿用上期', api: '接口' };
