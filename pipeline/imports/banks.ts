// `import banks`: authorized organizations by БИК, with their tariffs (data, DOMAIN §5).
import { bankSchema, type BankRow } from '../../schemas/banks.ts';
import type { ImportKind } from './kind.ts';
import { insertByNaturalKey } from './natural-keys.ts';

export const banksImport: ImportKind<BankRow> = {
  kind: 'banks',
  title: 'банки',
  schema: bankSchema,
  movesMoney: false,
  apply: (trx, rows, ctx) =>
    insertByNaturalKey(
      trx,
      {
        table: 'banks',
        key: ['bik'],
        keyTypes: ['bpchar'],
        noun: 'банк',
        toRecord: (r) => ({
          bik: r.bik,
          name: r.name,
          fee_per_payment: r.fee_per_payment,
          fee_percent: r.fee_percent,
          fee_min: r.fee_min,
          fee_max: r.fee_max,
        }),
      },
      rows,
      ctx,
    ),
};
