// Every ИИН/БИН-looking number masked as 8503****0214: in the logs (logger.ts), the CLI's error
// messages, `payouts status` and the queue's failure reasons. One rule, one home.
import { maskIdentifier } from './identifiers.ts';

// A 12-digit run not inside a longer number and not the integer part of an amount ("…012.50").
const ID12_RE = /(?<![\d.])\d{12}(?![\d]|\.\d)/g;

/** Masks every ИИН/БИН-looking number in a text. */
export function maskText(text: string): string {
  return text.replace(ID12_RE, (m) => maskIdentifier(m));
}

/** A copy of a value with every string (and 12-digit number) masked, keys included. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1e11 && value < 1e12) return maskText(String(value));
  if (typeof value === 'bigint') return maskText(value.toString());
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: maskText(value.message) };
    if (value.stack) out.stack = maskText(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[maskText(k)] = maskValue(v, depth + 1);
  return out;
}

