// The world around the pipeline in `payouts demo`: the МИО that transfer money, the bank that
// returns two credits, the provider that gives new bank details, and the portal that sends
// February's acts. Each writes an ordinary input file under out/demo/inputs/ (CSV by
// the pipeline's CSV writer, pain.002 by the ISO 20022 codec), which is imported with the importer of
// `payouts import`. What the world knows it reads where its people would: its own master-data
// files (fixtures/imports), the reports ГК sends (the demand request, the payment-order
// register) and what it did itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Big from 'big.js';
import { parse } from 'csv-parse/sync';
import { csvText } from '../../pipeline/kernel/csv.ts';
import type { Db } from '../../pipeline/kernel/db.ts';
import { PayoutsError } from '../../pipeline/kernel/errors.ts';
import { addMonths, type IsoDate } from '../../pipeline/kernel/dates.ts';
import { makeKzIban } from '../../pipeline/kernel/identifiers.ts';
import { buildPain002 } from '../../pipeline/iso20022/index.ts';
import { formatAmount, money } from '../../pipeline/kernel/money.ts';
import { orderMessageId } from '../../pipeline/orders/numbering.ts';
import { runImport, type ImportReport } from '../../pipeline/imports/run-import.ts';
import { reportBuilders } from '../../reports/registry.ts';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'imports');

/** The master data imported on the first day, in this order (fixtures/imports/<kind>.csv). */
const MASTER_DATA = ['banks', 'mios', 'providers', 'exemptions', 'acts'];

export interface DemoImport {
  date: IsoDate;
  kind: string;
  file: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  status: string;
}

type CsvRecord = Record<string, string>;

/** A fixture file's rows by column name (the world's own records). */
function fixtureRows(kind: string): CsvRecord[] {
  return parse(readFileSync(path.join(FIXTURES_DIR, `${kind}.csv`)), { columns: true, skip_empty_lines: true });
}

/** CSV text with a header row, as the people around ГК export it. */
function csv(columns: string[], rows: (string | null)[][]): string {
  return csvText(columns, rows);
}

/** A payment line as the bank sees it in the order register. */
interface PaidLine {
  ref: string;
  amount: string;
  providerId: string;
  bik: string;
  /** The MsgId of the pain.001 that carried it. */
  messageId: string;
}

export class DemoWorld {
  readonly imports: DemoImport[] = [];
  readonly notes: string[] = [];
  /** МИО of the master data: the rows of the closing summary. */
  readonly mios: { mio_bin: string; name: string }[] = fixtureRows('mios').map((m) => ({ mio_bin: m.mio_bin, name: m.name }));
  private readonly providers = fixtureRows('providers');
  /** The credits the bank has returned, with its reason code. */
  private readonly returned: (PaidLine & { code: string })[] = [];
  private readonly inputs: string;

  constructor(
    private readonly db: Db,
    outDir: string,
    private readonly operator: string,
    /** The first day: the months of the order register the bank reads start there. */
    private readonly from: IsoDate,
  ) {
    this.inputs = path.join(outDir, 'inputs');
    mkdirSync(this.inputs, { recursive: true });
  }

  /** `payouts import KIND FILE` as of `date`; a rejected row stops the demo. */
  private async importFile(date: IsoDate, kind: string, file: string): Promise<ImportReport> {
    const r = await runImport(this.db, { kind, file, asOf: date, operator: this.operator });
    this.imports.push({
      date,
      kind,
      file: path.relative(process.cwd(), file),
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejected: r.rejected,
      status: r.status,
    });
    if (r.rejected) {
      // The demo's inputs are meant to be clean: a rejected row means the fixtures and the
      // pipeline disagree, and the rest of the cycle would show nothing meaningful.
      throw new PayoutsError(
        `Демонстрация остановлена: импорт ${kind} из ${path.relative(process.cwd(), file)} на ${date} отклонил строк: ${r.rejected} — ` +
          r.errors.map((e) => `строка ${e.row}${e.field ? ` (${e.field})` : ''}: ${e.reason}`).join('; '),
        1,
        'demo-input-rejected',
      );
    }
    return r;
  }

  private write(name: string, text: string): string {
    const file = path.join(this.inputs, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  /** What happens outside the pipeline during `date`, before the night's steps. */
  async day(date: IsoDate): Promise<void> {
    switch (date) {
      case '2025-02-13':
        for (const kind of MASTER_DATA) await this.importFile(date, kind, path.join(FIXTURES_DIR, `${kind}.csv`));
        return;
      case '2025-02-18':
        return this.fundMonth(date, '2025-02', 'first');
      case '2025-02-19':
        return this.fundMonth(date, '2025-02', 'rest');
      case '2025-02-20':
        return this.bankReturns(date);
      case '2025-03-03':
        return this.newBankDetails(date);
      case '2025-03-12':
        return this.februaryActs(date);
      case '2025-03-18':
        return this.fundMonth(date, '2025-03', 'all');
      default:
        return;
    }
  }

  /**
   * The МИО answer the demand request. 'first': the largest demand is half-funded (rounded down
   * to the tenge; transfers fund whole rows, the rest waits), the others in full; 'rest': the
   * remainder of the largest; 'all': every demand of the month in full.
   */
  private async fundMonth(date: IsoDate, month: string, part: 'first' | 'rest' | 'all'): Promise<void> {
    const report = (await reportBuilders.demand(this.db, { month, asOf: date })) as { demands: { mio_bin: string; amount: string }[] };
    const demands = [...report.demands].sort((a, b) => money(b.amount).cmp(money(a.amount)));
    if (!demands.length) {
      this.notes.push(`Потребность за ${month} не сформирована: финансировать нечего`);
      return;
    }
    const rows: string[][] = [];
    demands.forEach((d, i) => {
      const total = money(d.amount);
      const half = total.div(2).round(0, Big.roundDown);
      const ppNo = `${month.slice(5)}${String(i + 1).padStart(2, '0')}${part === 'rest' ? '2' : '1'}`;
      if (part === 'all') rows.push([d.mio_bin, ppNo, date, formatAmount(total)]);
      else if (part === 'first') rows.push([d.mio_bin, ppNo, date, formatAmount(i === 0 ? half : total)]);
      else if (i === 0) rows.push([d.mio_bin, ppNo, date, formatAmount(total.minus(half))]);
    });
    const file = this.write(`funding_${date}.csv`, csv(['mio_bin', 'pp_no', 'pp_date', 'amount'], rows));
    await this.importFile(date, 'funding', file);
  }

  /** The payouts of the orders dated from the first day through `date`, by reference (the order register). */
  private async paidLines(date: IsoDate): Promise<PaidLine[]> {
    const lines: PaidLine[] = [];
    for (let month = this.from.slice(0, 7); month <= date.slice(0, 7); month = addMonths(month, 1)) {
      const register = await reportBuilders['payment-orders'](this.db, { month, asOf: date });
      for (const o of register.orders.filter((x) => x.date <= date)) {
        for (const l of o.lines.filter((x) => x.kind === 'payout')) {
          lines.push({ ref: l.ref, amount: l.amount, providerId: l.provider_id, bik: o.bik, messageId: orderMessageId(o.year, o.number) });
        }
      }
    }
    return lines.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  /** Two payout lines of February come back from their banks (a pain.002 per payment order). */
  private async bankReturns(date: IsoDate): Promise<void> {
    const lines = await this.paidLines(date);
    const kindOf = (providerId: string) => this.providers.find((p) => p.provider_id === providerId)?.kind;
    // One assistant (paid as a person) whose account turns out closed, and one other provider
    // with a wrong account number; different providers, so one can fix its details and the other not.
    const first = lines.find((l) => kindOf(l.providerId) === 'assistant');
    const second =
      lines.find((l) => l.providerId !== first?.providerId && l.bik !== first?.bik) ?? lines.find((l) => l.providerId !== first?.providerId);
    if (!first || !second) {
      this.notes.push('Выплаченных строк меньше двух: возвраты банков не смоделированы');
      return;
    }
    const returns = [
      { line: first, code: 'AC04', text: 'Счёт получателя закрыт' },
      { line: second, code: 'AC01', text: 'Неверный номер счёта получателя' },
    ];
    for (const [i, r] of returns.entries()) {
      const xml = buildPain002({
        messageId: `RET-${date.replace(/-/g, '')}-${i + 1}`,
        createdAt: `${date}T11:00:00+05:00`,
        originalMessageId: r.line.messageId,
        transactions: [{ endToEndId: r.line.ref, amount: r.line.amount, reasonCode: r.code, reasonText: r.text, acceptedAt: `${date}T11:00:00+05:00` }],
      });
      await this.importFile(date, 'returns', this.write(`returns_${date}_${i + 1}.xml`, xml));
      this.returned.push({ ...r.line, code: r.code });
    }
  }

  /** The provider whose account was closed gives new details at another bank (the first other bank of the providers' file). */
  private async newBankDetails(date: IsoDate): Promise<void> {
    const closed = this.returned.find((r) => r.code === 'AC04');
    if (!closed) {
      this.notes.push('Возврата со сменой реквизитов нет: повторная выплата не смоделирована');
      return;
    }
    const other = this.providers.find((p) => p.bik !== closed.bik);
    const bik = other?.bik ?? closed.bik;
    const bankCode = (other?.iban ?? 'KZ00601').slice(4, 7);
    const iban = makeKzIban(bankCode, `DEMO${closed.providerId.slice(-9)}`);
    const file = this.write(`bank-details_${date}.csv`, csv(['provider_id', 'bik', 'iban', 'changed_on'], [[closed.providerId, bik, iban, date]]));
    await this.importFile(date, 'bank-details', file);
  }

  /** February's acts: the same orders as January's, received on 4 March, accepted on the 12th. */
  private async februaryActs(date: IsoDate): Promise<void> {
    const january = fixtureRows('acts')
      .filter((a) => a.service_month === '2025-01')
      .sort((a, b) => (a.provider_id + a.act_no < b.provider_id + b.act_no ? -1 : 1));
    if (!january.length) {
      this.notes.push('Актов за январь нет: акты за февраль не смоделированы');
      return;
    }
    const columns = Object.keys(january[0]);
    const rows = january.map((a) => {
      // February 2025 has 20 working days; an assistant at most 8 hours a day of 28.
      const hours = Big(a.hours).gt(160) ? '160' : Big(a.hours).toString();
      const february: CsvRecord = { ...a, act_no: `${a.act_no}/02`, service_month: '2025-02', hours, received_on: '2025-03-04', accepted_on: date };
      return columns.map((c) => february[c]);
    });
    await this.importFile(date, 'acts', this.write(`acts_${date}.csv`, csv(columns, rows)));
  }
}
