// `payouts import returns` through the import framework (pipeline/imports) into applyReturns:
// a CSV file and a bank's pain.002 XML, each imported twice — the second time changes nothing.
// World: test/support/two-month-world.ts up to pay 02-19 (P1 47 196.16, P2 37 756.93 at Halyk).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count as rows, type TestDb } from './support/db.ts';
import { tempDir } from './support/files.ts';
import { pain002Of } from './support/imports.ts';
import { gkFunds } from './support/ledger.ts';
import { lineOf, openTwoMonthWorld, OPERATOR, type OpenWorld, type World } from './support/two-month-world.ts';
import { runImport } from '../pipeline/imports/run-import.ts';

let t: TestDb;
let w: World;
let close: OpenWorld['close'] | undefined;
let dir: string;

const count = (table: string) => rows(t.db, table);

beforeAll(async () => {
  dir = tempDir('payouts-returns-');
  ({ t, w, close } = await openTwoMonthWorld('2025-02-19'));
});
afterAll(async () => {
  await close?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('import returns', () => {
  it('takes a CSV file; the same file again is all duplicates; an unknown reference and a wrong amount are rejected rows', async () => {
    const p1 = await lineOf(t.db, w.P1.provider_id, '2025-01');
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const file = path.join(dir, 'returns-0224.csv');
    writeFileSync(
      file,
      [
        'payment_ref,amount,returned_on,reason_code,reason_text',
        `${p1.ref},47196.16,2025-02-21,AC04,Счёт закрыт`,
        'GK2025-999999-00001,100.00,2025-02-21,AC04,Счёт закрыт',
        // P2's line with P1's amount.
        `${p2.ref},47196.16,2025-02-21,AC04,`,
      ].join('\n') + '\n',
    );
    const first = await runImport(t.db, { kind: 'returns', file, asOf: '2025-02-24', operator: OPERATOR });
    expect(first).toMatchObject({ status: 'partial', total_rows: 3, accepted: 1, duplicates: 0, rejected: 2 });
    expect(first.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'payment_ref'],
      [4, 'amount'],
    ]);
    expect(await gkFunds(t.db, w.A.mio_bin)).toBe('47196.16');

    const counts = { returns: await count('returns'), ledger: await count('ledger_entries'), notes: await count('notifications') };
    const again = await runImport(t.db, { kind: 'returns', file, asOf: '2025-02-25', operator: OPERATOR });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: 2 });
    expect({ returns: await count('returns'), ledger: await count('ledger_entries'), notes: await count('notifications') }).toEqual(counts);
  });

  it('takes a pain.002 status report; the same XML again changes nothing', async () => {
    const p2 = await lineOf(t.db, w.P2.provider_id, '2025-01');
    const file = path.join(dir, 'pain002-0226.xml');
    writeFileSync(file, pain002Of([{ ref: p2.ref, amount: '37756.93', on: '2025-02-26', code: 'AC01', text: 'Неверный номер счёта' }]));
    const first = await runImport(t.db, { kind: 'returns', file, asOf: '2025-02-26', operator: OPERATOR });
    expect(first).toMatchObject({ status: 'done', format: 'xml', accepted: 1, duplicates: 0, rejected: 0 });
    expect(await t.db('returns').where({ ref: p2.ref }).first()).toMatchObject({ amount: '37756.93', returned_on: '2025-02-26', reason_code: 'AC01' });

    const returns = await count('returns');
    const again = await runImport(t.db, { kind: 'returns', file, asOf: '2025-02-27', operator: OPERATOR });
    expect(again).toMatchObject({ status: 'done', accepted: 0, duplicates: 1, rejected: 0 });
    expect(await count('returns')).toBe(returns);
    expect(await gkFunds(t.db, w.A.mio_bin)).toBe('84953.09');
  });
});
