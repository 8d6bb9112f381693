// How the composites and the queue commands print items and results for people (Russian) and
// as JSON (INTERFACE.md field names, snake_case).
import type { PlanItem } from './planner.ts';
import type { ItemResult, ItemStatus } from './runner.ts';

const STATUS_WORDS: Record<ItemStatus, string> = {
  done: 'выполнен',
  'already-done': 'уже был выполнен, ничего не изменено',
  'dry-run': 'пробный запуск, ничего не записано',
  refused: 'ОТКАЗ',
  skipped: 'ПРОПУЩЕН',
  failed: 'ОШИБКА',
  'not-due': 'срок ещё не наступил',
};

export function itemLabel(it: PlanItem): string {
  return it.month ? `${it.step} за ${it.month} (на ${it.date})` : `${it.step} на ${it.date}`;
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `${v.length} шт.`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('count' in o && 'amount' in o) return `${String(o.count)} на ${String(o.amount)}`;
    const scalars = Object.entries(o).filter(([, x]) => x === null || typeof x !== 'object');
    return `{${scalars.map(([k, x]) => `${k}: ${String(x)}`).join(', ')}}`;
  }
  return String(v);
}

/** A step's summary in one line: scalars as they are, {count, amount} as "n на amount", lists by length. */
export function describeSummary(summary: Record<string, unknown> | undefined): string {
  if (!summary) return '';
  return Object.entries(summary)
    .map(([k, v]) => `${k}: ${describeValue(v)}`)
    .join('; ');
}

export function describeResult(r: ItemResult): string {
  const head = `${itemLabel(r.item)} — ${STATUS_WORDS[r.status]}`;
  const tail = r.message ?? describeSummary(r.summary);
  return tail ? `${head}: ${tail}` : head;
}

export function resultJson(r: ItemResult): Record<string, unknown> {
  return {
    date: r.item.date,
    step: r.item.step,
    ...(r.item.month ? { month: r.item.month } : {}),
    key: r.item.key,
    status: r.status,
    ...(r.runId !== undefined ? { run_id: r.runId } : {}),
    ...(r.summary ? { summary: r.summary } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.rule ? { rule: r.rule } : {}),
  };
}

/** A plain text table: columns padded to their widest cell; numbers (amounts, counts) right-aligned. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => [...(r[c] ?? '')].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^-?[\d.]+$/.test(String(r[c]))));
  const line = (r: string[]) =>
    r.map((v, c) => (numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Russian plural: plural(72, 'день', 'дня', 'дней') → 'дня'. */
export function plural(n: number, one: string, few: string, many: string): string {
  const m10 = n % 10;
  const m100 = n % 100;
  if (m10 === 1 && m100 !== 11) return one;
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
  return many;
}
