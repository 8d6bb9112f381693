// The form modules on hand-built report documents (no database): text that looks like a formula,
// ИИН with a leading zero, acts held back, empty months, refusals that leave no file behind,
// the wording helpers, and properties of the totals over random lists.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Big from 'big.js';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formFiles, renderReportFiles } from '../reports/render-report.ts';
import { RenderError } from '../reports/render/document.ts';
import { amountText, dateText, inMonthText, monthText } from '../reports/forms/common.ts';
import { deadlineObjectText } from '../reports/forms/deadlines.ts';
import { tariffText } from '../reports/forms/bank-fees.ts';
import { contributionsForm } from '../reports/forms/contributions.ts';
import { checkReport, type ContributionRegisterDoc, type ContributionsReport, type DemandReport, type ListReport, type ListRow } from '../schemas/reports/index.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import { formatAmount, sum } from '../pipeline/kernel/money.ts';
import { personName, synthBin, synthIin, validId } from './support/ids.ts';
import { listRow } from './support/report-rows.ts';
import { NO_POPPLER_REASON, pdfText, poppler, readTable, readWorkbook, squash, textsBelow } from './support/forms.ts';

if (!poppler) console.warn(`[forms-unit] ${NO_POPPLER_REASON}`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'forms-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A valid ИИН that starts with a zero (born in 2004), as Excel would lose it if it were a number. */
const leadingZeroIin = () => validId('0405125000');

function listDoc(rows: ListRow[], over: Partial<ListReport> = {}): ListReport {
  const t = (k: 'guaranteed' | 'provider_sum' | 'opv' | 'osms' | 'so') => formatAmount(sum(rows.map((r) => r[k])));
  return {
    form: 'list',
    month: '2025-02',
    divisions: [
      {
        mio_bin: synthBin(),
        mio_name: 'ГУ «Управление занятости и социальных программ (синт.)»',
        rows,
        totals: { guaranteed: t('guaranteed'), provider_sum: t('provider_sum'), opv: t('opv'), osms: t('osms'), so: t('so') },
      },
    ],
    held: [],
    ...over,
  };
}

describe('the list from a hand-built document', () => {
  it('keeps text that looks like a formula as text, and the leading zero of an ИИН', async () => {
    const iin = leadingZeroIin();
    const rows = [
      listRow(1, { pwd_iin: iin, pwd_name: '=SUM(A1)', provider_name: '+77010000000', assistant_name: '-5', region: '@x', order_no: '=1+1' }),
      listRow(2),
    ];
    const doc = listDoc(rows);
    const [file] = await renderReportFiles(doc, 'xlsx', dir, 'list_2025-02_inj');
    const ws = (await readWorkbook(file)).worksheets[0];
    const [f] = await formFiles(doc, 'x');
    const table = readTable(ws, f.document.sections[0], 2);
    expect(table.rows[0].slice(2, 10)).toEqual(['@x', iin, '=SUM(A1)', rows[0].provider_id, '+77010000000', rows[0].assistant_iin, '-5', '=1+1']);
    const formulas: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => c.type === ExcelJS.ValueType.Formula && formulas.push(c.address)));
    expect(formulas).toEqual(['O', 'P', 'Q', 'R'].map((col) => `${col}${table.dataEnd + 1}`));
    expect(ws.getCell(table.dataStart, 4).type).toBe(ExcelJS.ValueType.String);
  });

  it('lists the accepted acts the list held back, with the reason, in a separate document list-held_<month> (DOMAIN §6)', async () => {
    const doc = listDoc([listRow(1)], {
      held: [{ provider_id: synthIin(), act_no: 'АВР-7', reason: 'Месяц оказания услуг 2025-02 ещё не завершён: акт войдёт в список после его окончания' }],
    });
    const files = await renderReportFiles(doc, 'xlsx', dir, 'list_2025-02');
    expect(files.map((f) => path.basename(f))).toEqual(['list_2025-02.xlsx', 'list-held_2025-02.xlsx']);
    const form = await readWorkbook(files[0]);
    expect(form.worksheets).toHaveLength(1); // the form holds its divisions only
    const wb = await readWorkbook(files[1]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Не включены в список']);
    const f = formFiles(doc, 'list_2025-02')[1];
    expect(f.document.title).toBe('Принятые акты выполненных работ, не включённые в список, и причина');
    const held = readTable(wb.worksheets[0], f.document.sections[0], 1);
    expect(held.headers).toEqual(['№', 'БИН НПО/ИИН ИП/поставщика', 'Номер акта', 'Причина']);
    expect(held.rows[0].slice(2)).toEqual(['АВР-7', 'Месяц оказания услуг 2025-02 ещё не завершён: акт войдёт в список после его окончания']);
  });

  it('writes a month without lists as an empty form with zero totals and says so outside the form', async () => {
    const doc: ListReport = { form: 'list', month: '2025-07', divisions: [], held: [] };
    const [file] = await renderReportFiles(doc, 'xlsx', dir, 'list_2025-07');
    const ws = (await readWorkbook(file)).worksheets[0];
    const [f] = await formFiles(doc, 'x');
    const table = readTable(ws, f.document.sections[0], 0);
    expect(table.totals!.cells.slice(14).map((c) => c.value)).toEqual(['0.00', '0.00', '0.00', '0.00']);
    expect(textsBelow(ws, table.dataEnd + 1)).toEqual(['* ЛСИ - лицо с инвалидностью']);
    expect(ws.headerFooter.oddFooter).toContain('Списков за июль 2025 г. нет.');
  });

  it.skipIf(!poppler)('prints Kazakh names and the formula-looking text as they are in the PDF', async () => {
    const doc = listDoc([listRow(1, { pwd_name: 'Әбілқасымова Гүлнұр Сәрсенбайқызы', assistant_name: '=SUM(A1)', pwd_iin: leadingZeroIin() })]);
    const [file] = await renderReportFiles(doc, 'pdf', dir, 'list_2025-02_kz');
    const text = pdfText(file);
    expect(squash(text)).toContain('Әбілқасымова');
    expect(text).toContain('=SUM(A1)');
    expect(text).toContain(leadingZeroIin());
    expect(text).toContain('Страница 1 из 1');
  });
});

describe('re-runs', () => {
  it('removes the volumes of an earlier run of the same report that this run did not write, and nothing else', async () => {
    const out = await mkdtemp(path.join(dir, 'stale-'));
    const others = ['list_2025-02_100140000013.pdf', 'list_2025-03.pdf', 'list_2025-02.xlsx', 'notes.pdf'];
    for (const f of ['list_2025-02_vol01.pdf', 'list_2025-02_vol02.pdf', ...others]) await writeFile(path.join(out, f), 'old');
    const files = await renderReportFiles(listDoc([listRow(1)]), 'pdf', out, 'list_2025-02');
    expect(files.map((f) => path.basename(f))).toEqual(['list_2025-02.pdf']);
    expect((await readdir(out)).sort()).toEqual(['list_2025-02.pdf', ...others].sort());
  });
});

describe('refusals', () => {
  it('refuses totals one tiyn off the rows, in either format, and leaves no file', async () => {
    const out = await mkdtemp(path.join(dir, 'off-'));
    const doc = listDoc([listRow(1), listRow(2)]);
    doc.divisions[0].totals.opv = '10726.41';
    await expect(renderReportFiles(doc, 'xlsx', out, 'list_2025-02')).rejects.toThrow(/totals "opv" is "10726.41" but the rows sum to 10726.40/);
    if (poppler) await expect(renderReportFiles(doc, 'pdf', out, 'list_2025-02')).rejects.toThrow(RenderError);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a document that breaks its schema, saying which field', () => {
    expect(() => checkReport({ form: 'list', month: '2025-02', held: [] })).toThrow(/report "list" does not match its schema: divisions: /);
    expect(() => checkReport({ form: 'reconciliation', month: '2025-13', acts: [] })).toThrow(/month: not a month YYYY-MM \("2025-13"\)/);
    const bin = synthBin();
    const returned = { ref: 'R', provider_id: bin, amount: '1.00', returned_on: '2025-02-03', reason_code: 'AC04', status: 'lost', repaid_ref: null, sent_back_on: null };
    const extra = { mio_bin: bin, reason_text: '', repaid_on: null, sent_back_ref: null };
    expect(() => checkReport({ form: 'returns', month: '2025-02', as_of: '2025-02-28', returns: [{ ...returned, ...extra }] })).toThrow(/returns\[0\]\.status: /);
    expect(() => checkReport({ form: 'returns', month: '2025-02', as_of: '2025-02-28', returns: [{ ...returned, ...extra, status: 'pending' }] })).not.toThrow();
  });

  it('removes the files already written when a later file of the same report fails', async () => {
    const out = await mkdtemp(path.join(dir, 'demand-'));
    const bin = synthBin();
    const demand = (rows: number): DemandReport => ({
      form: 'demand',
      month: '2025-02',
      demands: [
        {
          mio_bin: bin,
          mio_name: 'ГУ (синт.)',
          formed_on: '2025-02-15',
          request_on: '2025-02-17',
          request_due: '2025-02-17',
          funding_due: '2025-02-19',
          amount: '100.00',
          rows,
          periods: [{ service_month: '2025-01', rows: 2, amount: '100.00' }],
          funded: '0.00',
          open: '100.00',
        },
      ],
    });
    expect((await renderReportFiles(demand(2), 'xlsx', out, 'demand_2025-02')).map((f) => path.basename(f))).toEqual([
      'demand_2025-02.xlsx',
      `demand-request_2025-02_${bin}.xlsx`,
    ]);
    const bad = await mkdtemp(path.join(dir, 'demand-bad-'));
    // The demand says 3 rows, its periods 2: the summary is written, the letter is refused.
    await expect(renderReportFiles(demand(3), 'xlsx', bad, 'demand_2025-02')).rejects.toThrow(/totals "rows" is 3 but the rows sum to 2/);
    expect(await readdir(bad)).toEqual([]);
  });

  it('refuses contributions registers that do not add up to the report', () => {
    const bin = synthBin();
    const register = (amount: string): ContributionRegisterDoc => ({
      kind: 'opv',
      knp: '010',
      payer: { bin, name: 'ГУ (синт.)', bik: 'KKMFKZ2A', iban: makeKzIban('070', 'SYN0000000001') },
      receiver: { name: 'АО «ЕНПФ» (синт.)', bin: synthBin(), bik: 'NBRKKZKX', iban: makeKzIban('125', 'SYN0000000002'), kbe: '15' },
      persons: [{ iin: synthIin(), name: personName(), period: '2025-01', amount, rows: 1 }],
      count: 1,
      total: amount,
    });
    const doc = (registers: ContributionRegisterDoc[]): ContributionsReport => ({
      form: 'contributions',
      month: '2025-02',
      mios: [
        {
          mio_bin: bin,
          mio_name: 'ГУ (синт.)',
          opv: { count: 1, amount: '5363.20' },
          osms: { count: 0, amount: '0.00' },
          so: { count: 0, amount: '0.00' },
          registers,
        },
      ],
    });
    checkReport(doc([register('5363.20')]));
    expect(contributionsForm(doc([register('5363.20')]), { baseName: 'c' })[0].document.sections).toHaveLength(2);
    expect(() => contributionsForm(doc([register('5363.21')]), { baseName: 'c' })).toThrow(/the opv register .* does not match the summary/);
    expect(() => contributionsForm(doc([]), { baseName: 'c' })).toThrow(/does not match/);
    expect(() => contributionsForm(doc([register('5363.20'), register('5363.20')]), { baseName: 'c' })).toThrow(/does not match/);
    const foreign = { ...register('5363.20'), payer: { ...register('5363.20').payer, bin: synthBin() } };
    expect(() => contributionsForm(doc([foreign]), { baseName: 'c' })).toThrow(/its opv register is paid by МИО/);
  });
});

describe('wording', () => {
  it('spells periods, dates, amounts and tariffs in Russian', () => {
    expect(monthText('2025-02')).toBe('февраль 2025');
    expect(inMonthText('2025-05')).toBe('в мае 2025 г.');
    expect(dateText('2025-02-05')).toBe('05.02.2025');
    expect(amountText('1234567.8')).toBe('1 234 567,80');
    expect(amountText('0')).toBe('0,00');
    expect(tariffText({ fee_per_payment: '50.00', fee_percent: '0.1000', fee_min: '80.00', fee_max: '1000.00' })).toBe(
      '50,00 тенге за платёж + 0,1 % от выплаченной суммы, не менее 80,00 и не более 1 000,00 тенге',
    );
    expect(tariffText({ fee_per_payment: null, fee_percent: '1.0000', fee_min: null, fee_max: null })).toBe('1 % от выплаченной суммы');
    expect(tariffText({ fee_per_payment: null, fee_percent: null, fee_min: null, fee_max: null })).toBe('без оплаты');
  });

  it('spells the objects of the deadlines', () => {
    expect(deadlineObjectText('act:500101300033/АВР-01-P1')).toBe('Акт АВР-01-P1, поставщик 500101300033');
    expect(deadlineObjectText('return:GK2025-000002-00001')).toBe('Возврат GK2025-000002-00001');
    expect(deadlineObjectText('reconciliation:2025-02:100140000013')).toBe('Акт сверки за 2025-02, МИО 100140000013');
    expect(deadlineObjectText('demand:2025-03:100140000013')).toBe('Потребность 2025-03, МИО 100140000013');
    expect(deadlineObjectText('demand:2025-04:100140000013:act:500101300043/АВР-01-P2:return:GK2025-000002-00002')).toBe(
      'Потребность 2025-04, МИО 100140000013: акт АВР-01-P2, поставщик 500101300043; сумма возврата GK2025-000002-00002, запрошенная повторно',
    );
  });
});

describe('properties', () => {
  const tiyn = fc.bigInt({ min: 0n, max: 99_999_999_999n }).map((n) => new Big(n.toString()).div(100).toFixed(2));

  it('amountText reads back as the amount', () => {
    fc.assert(
      fc.property(tiyn, (a) => {
        expect(amountText(a).replace(/ /g, '').replace(',', '.')).toBe(a);
      }),
    );
  });

  it('the XLSX of any list carries every amount and totals whose cached values are the exact sums', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(tiyn, tiyn, tiyn, tiyn), { minLength: 1, maxLength: 12 }), async (amounts) => {
        const rows = amounts.map(([g, p, o, s], i) => listRow(i + 1, { guaranteed: g, provider_sum: p, opv: o, osms: s, so: '0.00' }));
        const doc = listDoc(rows);
        const out = await mkdtemp(path.join(dir, 'prop-'));
        const [file] = await renderReportFiles(doc, 'xlsx', out, 'list_2025-02');
        const [f] = await formFiles(doc, 'x');
        const table = readTable((await readWorkbook(file)).worksheets[0], f.document.sections[0], rows.length);
        expect(table.rows.map((r) => r.slice(14))).toEqual(amounts);
        const totals = doc.divisions[0].totals;
        expect(table.totals!.cells.slice(14).map((c) => c.value)).toEqual([totals.guaranteed, totals.provider_sum, totals.opv, totals.osms]);
        await rm(out, { recursive: true, force: true });
      }),
      { numRuns: 8 },
    );
  });
});
