// The schemas of the JSON reports (schemas/reports/) on hand-made documents: what they accept and
// refuse, how they say where a document is wrong, and which reports the CLI checks. The builders'
// documents are checked against them in the forms tests, the fixture ledgers and the demo.
import { describe, expect, it } from 'vitest';
import { SMALL_REPORT_ITEMS, checkReport, checkSmallReport, itemsUpTo, type LedgerReport, type TransmissionReport } from '../schemas/reports/index.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { synthBin, synthIin } from './support/ids.ts';

function ledger(over: Partial<LedgerReport['accounts'][number]> = {}): LedgerReport {
  return {
    form: 'ledger',
    as_of: '2025-04-30',
    accounts: [{ account: 'gk_funds:100140000013', name: 'Средства МИО в ГК', debit: '100.00', credit: '0.00', balance: '100.00', ...over }],
    balanced: true,
    totals: { debit: '100.00', credit: '0.00' },
  };
}

function transmission(rows: number): TransmissionReport {
  const row = {
    provider_id: synthIin(),
    assistant_iin: synthIin(),
    pwd_iin: synthIin(),
    bik: 'HSBKKZKX',
    iban: makeKzIban('601', 'SYN0000000001'),
    service_month: '2025-01',
    provider_sum: '47196.16',
    opv: '5363.20',
    osms: '1072.64',
  };
  return { form: 'transmission', month: '2025-02', rows: Array.from({ length: rows }, (_, i) => ({ no: i + 1, ...row })) };
}

describe('report schemas', () => {
  it('take amounts with exactly two decimals, a minus only on balances, never "-0.00"', () => {
    expect(() => checkReport(ledger())).not.toThrow();
    expect(() => checkReport(ledger({ credit: '100.00', debit: '0.00', balance: '-100.00' }))).not.toThrow();
    for (const bad of ['100', '100.0', '100.000', '1e2', '0100.00', ' 100.00', '100,00', '-0.00']) {
      expect(() => checkReport(ledger({ balance: bad })), bad).toThrow(`accounts[0].balance: not an amount with two decimals (${JSON.stringify(bad)})`);
    }
    expect(() => checkReport(ledger({ debit: '-1.00' }))).toThrow(/accounts\[0\]\.debit: not an amount/);
  });

  it('refuse a field the schema does not name, a missing one, a count that is not a whole number', () => {
    expect(() => checkReport({ ...ledger(), extra: 1 })).toThrow(/report "ledger" does not match its schema: \(document\): Unrecognized key: "extra"/);
    const { balanced: _, ...without } = ledger();
    expect(() => checkReport(without)).toThrow(/balanced: /);
    const doc = transmission(1);
    expect(() => checkReport({ ...doc, rows: [{ ...doc.rows[0], no: 1.5 }] })).toThrow(/rows\[0\]\.no: /);
    expect(() => checkReport({ ...doc, rows: [{ ...doc.rows[0], no: '1' }] })).toThrow(/rows\[0\]\.no: /);
  });

  it('check dates, months and identifiers with their checksums', () => {
    const doc = transmission(1);
    const row = doc.rows[0];
    expect(() => checkReport({ ...doc, month: '2025-13' })).toThrow('month: not a month YYYY-MM ("2025-13")');
    expect(() => checkReport({ ...ledger(), as_of: '2025-02-30' })).toThrow('as_of: not a date YYYY-MM-DD ("2025-02-30")');
    const wrongCheck = `${row.pwd_iin.slice(0, 11)}${(Number(row.pwd_iin[11]) + 1) % 10}`;
    expect(() => checkReport({ ...doc, rows: [{ ...row, pwd_iin: wrongCheck }] })).toThrow(/rows\[0\]\.pwd_iin: not an ИИН\/БИН/);
    expect(() => checkReport({ ...doc, rows: [{ ...row, iban: `${row.iban.slice(0, 19)}X` }] })).toThrow(/rows\[0\]\.iban: not a Kazakh IBAN/);
  });

  it('name every wrong field, five at most, and the form of an unknown document', () => {
    const doc = transmission(8);
    const bad = { ...doc, rows: doc.rows.map((r) => ({ ...r, opv: '1.5' })) };
    expect(() => checkReport(bad)).toThrow(/rows\[0\]\.opv: .*; rows\[4\]\.opv: [^;]*; and 3 more$/);
    expect(() => checkReport({ form: 'nonesuch', month: '2025-02' })).toThrow('not a report of a known form: "form" is "nonesuch"');
    expect(() => checkReport([])).toThrow('not a report of a known form: "form" is undefined');
  });

  it('require the act\'s date, window, late facts and signatures of DOMAIN §5, and refuse them malformed', () => {
    const act = {
      mio_bin: synthBin(),
      act_date: '2025-03-20',
      window: { after: '2025-02-25', through: '2025-03-25' },
      rows: [],
      total: '0.00',
      total_words: 'Ноль тенге 00 тиын',
      balance: { opening: '0.00', received: '0.00', paid: '0.00', returned: '0.00', sent_back: '0.00', closing: '0.00' },
      late: [{ kind: 'return', ref: 'GK2025-000001-00001', dated: '2025-02-21', amount: '10.00' }],
      signed_on: '2025-03-20',
      copies_received_on: null,
      mio_name: 'ГУ (синт.)',
      frozen: false,
      reconciled_on: null,
    };
    const doc = { form: 'reconciliation', month: '2025-02', acts: [act] };
    expect(() => checkReport(doc)).not.toThrow();
    const { act_date: _d, ...undated } = act;
    expect(() => checkReport({ ...doc, acts: [undated] })).toThrow(/acts\[0\]\.act_date: /);
    expect(() => checkReport({ ...doc, acts: [{ ...act, window: { after: '2025-02-25' } }] })).toThrow(/acts\[0\]\.window\.through: /);
    expect(() => checkReport({ ...doc, acts: [{ ...act, late: [{ ...act.late[0], kind: 'other' }] }] })).toThrow(/acts\[0\]\.late\[0\]\.kind: /);
  });
});

describe('which reports the CLI checks', () => {
  it('counts the rows of a document only up to the limit', () => {
    expect(itemsUpTo(transmission(3), 100)).toBe(3);
    expect(itemsUpTo(ledger(), 100)).toBe(1);
    expect(itemsUpTo({ a: [[1, 2], [3]], b: { c: [4] } }, 100)).toBe(6);
    expect(itemsUpTo(transmission(50), 10)).toBe(11);
  });

  it('checks a report up to SMALL_REPORT_ITEMS rows and lets a larger one pass unchecked', () => {
    const small = transmission(SMALL_REPORT_ITEMS);
    small.rows[SMALL_REPORT_ITEMS - 1].opv = '1.5';
    expect(() => checkSmallReport(small)).toThrow(/rows\[9999\]\.opv: not an amount/);
    const large = transmission(SMALL_REPORT_ITEMS + 1);
    large.rows[0].opv = '1.5';
    expect(() => checkSmallReport(large)).not.toThrow();
  });
});
