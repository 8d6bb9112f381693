// `import mios`: МИО by БИН; its account's БИК must be a known bank.
import { mioSchema, type MioRow } from '../../schemas/mios.ts';
import type { ImportKind } from './kind.ts';
import { existingValues, insertByNaturalKey } from './natural-keys.ts';
import { unknownBik } from './references.ts';

export const miosImport: ImportKind<MioRow> = {
  kind: 'mios',
  title: 'МИО',
  schema: mioSchema,
  movesMoney: false,
  async apply(trx, rows, ctx) {
    const banks = await existingValues(trx, 'banks', 'bik', rows.map((r) => r.row.bik));
    return insertByNaturalKey(
      trx,
      {
        table: 'mios',
        key: ['mio_bin'],
        keyTypes: ['bpchar'],
        noun: 'МИО',
        toRecord: (r) => ({ mio_bin: r.mio_bin, name: r.name, oblast: r.oblast, bik: r.bik, iban: r.iban }),
        check: ({ row }) => (banks.has(row.bik) ? null : unknownBik('bik', row.bik)),
      },
      rows,
      ctx,
    );
  },
};
