// `import returns`: the row format is checked here (CSV, XLSX, JSON, or pain.002 XML read by
// parsePain002); matching a paid line and its exact amount, the natural key, the events and the
// ledger are applyReturns in pipeline/returns.ts, inside this import's transaction and lock.
import { returnSchema, type ReturnRow } from '../../schemas/returns.ts';
import { applyReturns } from '../returns.ts';
import type { ImportKind } from './kind.ts';

export const returnsImport: ImportKind<ReturnRow> = {
  kind: 'returns',
  title: 'возвраты',
  schema: returnSchema,
  movesMoney: true,
  acceptsPain002: true,
  apply: (trx, rows, ctx) => applyReturns(trx, rows, ctx),
};
