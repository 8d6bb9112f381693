// `import funding`: the row format and a known МИО are checked here; the transfer itself —
// natural key, the open demand as the ceiling, the funding of demand rows, the ledger — is
// applyTransfers in pipeline/funding.ts, inside this import's transaction and pipeline lock.
import { fundingSchema, type FundingRow } from '../../schemas/funding.ts';
import { applyTransfers } from '../funding.ts';
import type { ImportKind, RowRejection } from './kind.ts';
import { existingValues } from './natural-keys.ts';
import { unknownMio } from './references.ts';

export const fundingImport: ImportKind<FundingRow> = {
  kind: 'funding',
  title: 'поступления от МИО',
  schema: fundingSchema,
  movesMoney: true,
  async apply(trx, rows, ctx) {
    const mios = await existingValues(trx, 'mios', 'mio_bin', rows.map((r) => r.row.mio_bin));
    const rejected: RowRejection[] = [];
    const known = rows.filter((r) => {
      if (mios.has(r.row.mio_bin)) return true;
      rejected.push({ index: r.index, ...unknownMio('mio_bin', r.row.mio_bin) });
      return false;
    });
    const outcome = known.length ? await applyTransfers(trx, known, ctx) : { accepted: 0, duplicates: 0, rejected: [] };
    return { ...outcome, rejected: [...rejected, ...outcome.rejected] };
  },
};
