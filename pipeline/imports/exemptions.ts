// `import exemptions`: who is exempt from ОПВ / ОСМС / СО and from when (АИС «ООП»).
import { exemptionSchema, type ExemptionRow } from '../../schemas/exemptions.ts';
import type { ImportKind } from './kind.ts';
import { insertByNaturalKey } from './natural-keys.ts';

export const exemptionsImport: ImportKind<ExemptionRow> = {
  kind: 'exemptions',
  title: 'освобождения',
  schema: exemptionSchema,
  movesMoney: false,
  apply: (trx, rows, ctx) =>
    insertByNaturalKey(
      trx,
      {
        table: 'exemptions',
        key: ['iin', 'valid_from'],
        keyTypes: ['bpchar', 'date'],
        noun: 'освобождение',
        loadedWord: 'загружено',
        toRecord: (r) => ({
          iin: r.iin,
          opv_exempt: r.opv_exempt,
          osms_exempt: r.osms_exempt,
          so_exempt: r.so_exempt,
          valid_from: r.valid_from,
          valid_to: r.valid_to,
          reason: r.reason,
        }),
      },
      rows,
      ctx,
    ),
};
