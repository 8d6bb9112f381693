// Bank statements for tests: a neutral statement of ГК's account built entry by entry (opening
// and closing computed), written to a file in any of the three formats with the real writers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeStatement, statementFileName } from '../../pipeline/statements/codecs.ts';
import { emptyAttributes, entriesMovement, formatSigned, type EntryAttributes, type Statement, type StatementEntry, type StatementFormat } from '../../pipeline/statements/model.ts';
import { loadStateCorporation } from '../../pipeline/orders/state-corporation.ts';
import { money } from '../../pipeline/kernel/money.ts';

export const FORMATS: StatementFormat[] = ['camt053', 'mt940', 'onec'];

/** ГК's account (reference/state-corporation.json, synthetic). */
export const GK = loadStateCorporation();

export interface EntrySpec extends Partial<EntryAttributes> {
  dir: 'credit' | 'debit';
  amount: string;
  /** Booking date; the statement's date unless given. */
  on?: string;
  reversal?: boolean;
}

export function statementOf(
  format: StatementFormat,
  spec: { date: string; from?: string; opening?: string; no?: string; iban?: string; entries: EntrySpec[] },
): Statement {
  const entries: StatementEntry[] = spec.entries.map((e, i) => {
    const { dir, amount, on, reversal, ...attributes } = e;
    return {
      seq: i + 1,
      direction: dir,
      amount: money(amount).toFixed(2),
      bookingDate: on ?? spec.date,
      valueDate: on ?? spec.date,
      reversal: !!reversal,
      transactions: 1,
      attributes: { ...emptyAttributes(), ...attributes },
    };
  });
  const opening = formatSigned(spec.opening ?? '0');
  return {
    format,
    statementNo: format === 'onec' ? '' : (spec.no ?? `${spec.date.slice(5, 7)}${spec.date.slice(8, 10)}/1`),
    createdAt: `${spec.date}T23:59:59+05:00`,
    account: { iban: spec.iban ?? GK.iban, currency: 'KZT' },
    servicerBic: '',
    from: spec.from ?? spec.date,
    to: spec.date,
    statementDate: spec.date,
    opening,
    closing: formatSigned(money(opening).plus(entriesMovement(entries).net)),
    entries,
  };
}

let dir: string | null = null;

/** Writes a statement in its format into a temporary folder; returns the path. */
export function statementFile(s: Statement, name?: string): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'payouts-statements-'));
  const file = path.join(dir, name ?? `${s.format}_${statementFileName(s.format, s.statementDate)}`);
  writeFileSync(file, writeStatement(s, s.format, { owner: { name: GK.name, id: GK.bin } }));
  return file;
}

/** Writes raw bytes or text as a statement file. */
export function rawStatementFile(name: string, content: string | Buffer): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'payouts-statements-'));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
