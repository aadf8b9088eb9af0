// Chinese words for what the API says in codes.

/** 2025 → 2025年, 2025Q3 → 2025年第3季度, 2025-09 → 2025年9月. */
export function periodLabel(period) {
  let m = /^(\d{4})Q([1-4])$/.exec(period);
  if (m) return `${m[1]}年第${m[2]}季度`;
  m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) return `${m[1]}年${Number(m[2])}月`;
  return `${period}年`;
}
