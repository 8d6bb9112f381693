// The world around the pipeline in `payouts demo`: the МИО that transfer money, the banks that
// return two credits, the provider that gives new bank details, the portal that sends February's
// acts, and ГК's own bank, which gives the statement of ГК's account for every working day with
// movements. Each writes an ordinary input file under out/demo/inputs/ (CSV by the pipeline's CSV
// writer, pain.002 by the ISO 20022 codec, statements by the simulated bank in
// pipeline/statements/simulated-bank.ts), which is imported with the importer of `payouts import`
// or `payouts import statement`. The money facts come by statement, as they do for real: the
// МИО's transfers are the statement's credits (no funding CSV), one return comes only by the
// statement's credit and the other by a pain.002 first (the statement then confirms it), and the
// statement debits ГК's payment orders the working day after their date. The statements rotate
// through camt.053, MT940 and 1CClientBankExchange, so every format appears.
// What the world knows it reads where its people would: its own master-data files
// (fixtures/imports), the reports ГК sends (the demand request, the payment-order register) and
// what it did itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Big from 'big.js';
import { parse } from 'csv-parse/sync';
import { csvText } from '../../pipeline/kernel/csv.ts';
import type { Db } from '../../pipeline/kernel/db.ts';
import { PayoutsError } from '../../pipeline/kernel/errors.ts';
import { addMonths, type IsoDate } from '../../pipeline/kernel/dates.ts';
import type { Calendar } from '../../pipeline/kernel/calendar.ts';
import { importStatement } from '../../pipeline/statements/import.ts';
import type { StatementFormat } from '../../pipeline/statements/model.ts';
import { simulatedStatement, type BankDay } from '../../pipeline/statements/simulated-bank.ts';
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

/** The bank's statements rotate through the three formats, in this order. */
export const STATEMENT_FORMATS: readonly StatementFormat[] = ['camt053', 'mt940', 'onec'];

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
  /** The movements of ГК's account today: the statement the bank gives at the end of the day. */
  private bankDay: Required<Pick<BankDay, 'transfers' | 'returns'>> & { date: IsoDate } = { date: '', transfers: [], returns: [] };
  /** Message ids of ГК's orders the bank has debited (shown on a statement). */
  private readonly debited = new Set<string>();
  private statements = 0;

  constructor(
    private readonly db: Db,
    outDir: string,
    private readonly operator: string,
    /** The first day: the months of the order register the bank reads start there. */
    private readonly from: IsoDate,
    /** Banks book on working days only. */
    private readonly calendar: Calendar,
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

  private write(name: string, text: string | Buffer): string {
    const file = path.join(this.inputs, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  /** What happens outside the pipeline during `date`, before the night's steps. */
  async day(date: IsoDate): Promise<void> {
    this.bankDay = { date, transfers: [], returns: [] };
    await this.events(date);
    await this.bankStatement(date);
  }

  private async events(date: IsoDate): Promise<void> {
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
   * remainder of the largest; 'all': every demand of the month in full. The money arrives on
   * ГК's account: the transfers are credits of today's statement (the payment-order number is
   * the instruction id), not a funding file.
   */
  private async fundMonth(date: IsoDate, month: string, part: 'first' | 'rest' | 'all'): Promise<void> {
    const report = (await reportBuilders.demand(this.db, { month, asOf: date })) as { demands: { mio_bin: string; amount: string }[] };
    const demands = [...report.demands].sort((a, b) => money(b.amount).cmp(money(a.amount)));
    if (!demands.length) {
      this.notes.push(`Потребность за ${month} не сформирована: финансировать нечего`);
      return;
    }
    demands.forEach((d, i) => {
      const total = money(d.amount);
      const half = total.div(2).round(0, Big.roundDown);
      const ppNo = `${month.slice(5)}${String(i + 1).padStart(2, '0')}${part === 'rest' ? '2' : '1'}`;
      const transfer = (amount: Big) => this.bankDay.transfers.push({ mioBin: d.mio_bin, ppNo, amount: formatAmount(amount) });
      if (part === 'all') transfer(total);
      else if (part === 'first') transfer(i === 0 ? half : total);
      else if (i === 0) transfer(total.minus(half));
    });
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

  /**
   * Two payout lines of February come back from their banks. Both credits are on today's
   * statement; the first was announced by a pain.002 of its payment order before (the statement
   * confirms it), the second is known only from the statement.
   */
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
      if (i === 0) {
        const xml = buildPain002({
          messageId: `RET-${date.replace(/-/g, '')}-${i + 1}`,
          createdAt: `${date}T11:00:00+05:00`,
          originalMessageId: r.line.messageId,
          transactions: [{ endToEndId: r.line.ref, amount: r.line.amount, reasonCode: r.code, reasonText: r.text, acceptedAt: `${date}T11:00:00+05:00` }],
        });
        await this.importFile(date, 'returns', this.write(`returns_${date}_${i + 1}.xml`, xml));
      }
      this.bankDay.returns.push({ ref: r.line.ref, reasonCode: r.code, reasonText: r.text });
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

  /** ГК's orders dated before `date` that the bank has not debited yet (from the order register). */
  private async undebitedOrders(date: IsoDate): Promise<{ messageId: string; date: IsoDate }[]> {
    const out: { messageId: string; date: IsoDate }[] = [];
    for (let month = this.from.slice(0, 7); month <= date.slice(0, 7); month = addMonths(month, 1)) {
      const register = await reportBuilders['payment-orders'](this.db, { month, asOf: date });
      for (const o of register.orders.filter((x) => x.date < date)) {
        const messageId = orderMessageId(o.year, o.number);
        if (!this.debited.has(messageId)) out.push({ messageId, date: o.date });
      }
    }
    return out;
  }

  /**
   * The statement of ГК's account for `date`, when it is a working day with movements: today's
   * transfers and returned credits, and the debits of the orders dated on earlier days (the bank
   * executes an order the working day after ГК issues it). Written by the simulated bank in the
   * next of the three formats and imported as `payouts import statement` imports it; an entry
   * that matches nothing stops the demo, like a rejected row.
   */
  private async bankStatement(date: IsoDate): Promise<void> {
    if (!this.calendar.isWorkingDay(date)) {
      if (this.bankDay.transfers.length || this.bankDay.returns.length) throw new Error(`demo: money moves on a non-working day ${date}`);
      return;
    }
    const orders = await this.undebitedOrders(date);
    const { transfers, returns } = this.bankDay;
    if (!transfers.length && !returns.length && !orders.length) return;
    const format = STATEMENT_FORMATS[this.statements++ % STATEMENT_FORMATS.length];
    const sim = await simulatedStatement(this.db, { date, transfers, returns, debitOrdersDated: [...new Set(orders.map((o) => o.date))] }, format);
    const file = this.write(sim.fileName, sim.bytes);
    const r = await importStatement(this.db, { file, asOf: date, operator: this.operator });
    this.imports.push({
      date,
      kind: 'statement',
      file: path.relative(process.cwd(), file),
      accepted: r.matched,
      duplicates: r.status === 'duplicate' ? r.statement.entries : 0,
      rejected: r.needs_attention,
      status: r.status,
    });
    if (r.needs_attention) {
      throw new PayoutsError(
        `Демонстрация остановлена: выписка ${path.relative(process.cwd(), file)} на ${date}: операций без сопоставления: ${r.needs_attention} — ` +
          r.entries.filter((e) => e.unmatched_code).map((e) => `операция ${e.seq}: ${e.reason ?? e.unmatched_code}`).join('; '),
        1,
        'demo-input-rejected',
      );
    }
    for (const o of orders) this.debited.add(o.messageId);
  }
}
