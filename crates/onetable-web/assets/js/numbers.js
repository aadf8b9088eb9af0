// Numbers as Chinese readers write them: exact with separators in tables, 万 and 亿 on chart axes
// and labels where the digits would not fit.

const exactFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
const shortFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });

/** A value from the API as a table shows it: `<5` and missing values as they are. */
export function exact(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '是' : '否';
  return exactFormat.format(value);
}

/** 12345 → 1.23万, 234500000 → 2.35亿; below 10,000 as it is. */
export function short(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return exact(value);
  const size = Math.abs(value);
  if (size >= 1e8) return `${shortFormat.format(value / 1e8)}亿`;
  if (size >= 1e4) return `${shortFormat.format(value / 1e4)}万`;
  return shortFormat.format(value);
}

// One way of writing a time on every page.
export { when } from './labels.js';
