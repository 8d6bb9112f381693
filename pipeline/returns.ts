// Returns from banks (DOMAIN.md §4, 002 §17–20): a bank sends back a credit it could not make.
//
// applyReturns takes the rows of one `returns` import (CSV, XLSX, JSON or pain.002, parsed by the
// importer) inside the importer's transaction. A return must quote a paid line (kind payout or
// repayment) by its end-to-end reference and carry its exact amount; it is its own row and its
// own status event, the paid line is never edited. Each accepted return:
//   - inserts `returns` (natural key: the payment reference) and a 'returned' line event;
//   - marks the bank-details version the line went to as incorrect (bank_detail_events);
//   - puts two notifications in the outbox, dated the import's as-of: the provider's cabinet
//     ("your bank details are incorrect", 002 §18) and Е-Собес ("return relayed", 002 §17);
//   - posts the ledger entry 'return' (see pipeline/ledger.ts).
// The same return again is a duplicate and changes nothing; a different one for the same
// reference is a conflict and is rejected.
import type { Knex } from 'knex';
import { compareDates, isValidDate } from './kernel/dates.ts';
import { formatAmount, isAmount, money, parseAmount } from './kernel/money.ts';
import { account, post } from './ledger.ts';
import { lockPipeline } from './kernel/step-run.ts';
import { faultPoint } from './kernel/faults.ts';
import { insertInChunks } from './kernel/bulk.ts';
import { orderMessageId } from './orders/numbering.ts';
import { APPROVED_SQL } from './orders/issuing.ts';
import type { ReturnRow } from '../schemas/returns.ts';

export type { ReturnRow };

export interface ReturnsContext {
  batchId: number;
  asOf: string;
  operator: string;
}

export interface RejectedReturn {
  index: number;
  field: string | null;
  reason: string;
}

export interface ApplyReturnsResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedReturn[];
}

interface PaidLine {
  id: number;
  ref: string;
  kind: 'payout' | 'repayment' | 'to_mio';
  mio_bin: string;
  provider_id: string;
  bank_detail_id: number | null;
  bik: string;
  iban: string;
  amount: string;
  order_date: string;
  year: number;
  number: number;
  /** The line's order was approved (four eyes) and the line not rejected: the money left. */
  sent: boolean;
}

interface ExistingReturn {
  ref: string;
  amount: string;
  returned_on: string;
  reason_code: string;
  reason_text: string;
}

const KIND_LABEL: Record<PaidLine['kind'], string> = {
  payout: 'выплата',
  repayment: 'повторная выплата',
  to_mio: 'возврат средств в МИО',
};

/** Dedupe keys of the outbox: one notification of each kind per return. */
export const returnNotificationKey = {
  providerCabinet: (ref: string) => `return:${ref}:provider_cabinet`,
  esobes: (ref: string) => `return:${ref}:esobes`,
};

function clean(row: ReturnRow): ReturnRow {
  const text = (v: unknown) => (v == null ? '' : String(v).trim());
  return {
    payment_ref: text(row.payment_ref),
    amount: text(row.amount),
    returned_on: text(row.returned_on),
    reason_code: text(row.reason_code),
    reason_text: text(row.reason_text),
    message_id: text(row.message_id),
  };
}

/** The first format problem of a row, or null. */
function formatProblem(r: ReturnRow): { field: string; reason: string } | null {
  if (r.payment_ref === '') return { field: 'payment_ref', reason: 'Не указан референс платежа (payment_ref)' };
  if (!isAmount(r.amount)) {
    return { field: 'amount', reason: `Некорректная сумма «${r.amount}»: ожидается число с точкой и не более двух знаков после неё` };
  }
  if (parseAmount(r.amount).lte(0)) return { field: 'amount', reason: `Сумма возврата должна быть больше нуля, указано «${r.amount}»` };
  if (!isValidDate(r.returned_on)) {
    return { field: 'returned_on', reason: `Некорректная дата возврата «${r.returned_on}»: ожидается ГГГГ-ММ-ДД` };
  }
  if (r.reason_code === '') return { field: 'reason_code', reason: 'Не указан код причины возврата (reason_code)' };
  return null;
}

/** Which field of a repeated return differs from the one already taken, or null when it is the same. */
function differingField(r: ReturnRow, existing: ExistingReturn): string | null {
  if (!parseAmount(r.amount).eq(money(existing.amount))) return 'amount';
  if (r.returned_on !== existing.returned_on) return 'returned_on';
  if (r.reason_code !== existing.reason_code) return 'reason_code';
  if (r.reason_text !== existing.reason_text) return 'reason_text';
  return null;
}

const CHUNK = 1000;

async function loadLines(trx: Knex.Transaction, refs: string[]): Promise<Map<string, PaidLine>> {
  const out = new Map<string, PaidLine>();
  for (let i = 0; i < refs.length; i += CHUNK) {
    const rows: PaidLine[] = await trx('payment_lines as l')
      .join('payment_orders as o', 'o.id', 'l.order_id')
      .whereIn('l.ref', refs.slice(i, i + CHUNK))
      .select('l.id', 'l.ref', 'l.kind', 'l.mio_bin', 'l.provider_id', 'l.bank_detail_id', 'l.bik', 'l.iban', 'l.amount', 'o.order_date', 'o.year', 'o.number')
      .select(trx.raw(`(not l.rejected and ${APPROVED_SQL}) as sent`));
    for (const r of rows) out.set(r.ref, { ...r, id: Number(r.id), bank_detail_id: r.bank_detail_id == null ? null : Number(r.bank_detail_id) });
  }
  return out;
}

async function loadExisting(trx: Knex.Transaction, refs: string[]): Promise<Map<string, ExistingReturn>> {
  const out = new Map<string, ExistingReturn>();
  for (let i = 0; i < refs.length; i += CHUNK) {
    const rows: ExistingReturn[] = await trx('returns')
      .whereIn('ref', refs.slice(i, i + CHUNK))
      .select('ref', 'amount', 'returned_on', 'reason_code', 'reason_text');
    for (const r of rows) out.set(r.ref, r);
  }
  return out;
}

/**
 * Applies the rows of a `returns` import inside the importer's transaction (see the file header).
 * Rows are taken in the order given; a row repeated within the file is a duplicate of the first.
 */
export async function applyReturns(
  trx: Knex.Transaction,
  rows: { index: number; row: ReturnRow }[],
  ctx: ReturnsContext,
): Promise<ApplyReturnsResult> {
  await lockPipeline(trx);
  const cleaned = rows.map(({ index, row }) => ({ index, row: clean(row) }));
  const refs = [...new Set(cleaned.map((r) => r.row.payment_ref).filter((ref) => ref !== ''))];
  const lines = await loadLines(trx, refs);
  // Returns already taken: by earlier files, or by earlier rows of this one (added as they are accepted).
  const taken = await loadExisting(trx, refs);

  const result: ApplyReturnsResult = { accepted: 0, duplicates: 0, rejected: [] };
  const accepted: { row: ReturnRow; line: PaidLine }[] = [];
  const reject = (index: number, field: string | null, reason: string) => result.rejected.push({ index, field, reason });

  for (const { index, row } of cleaned) {
    const problem = formatProblem(row);
    if (problem) {
      reject(index, problem.field, problem.reason);
      continue;
    }
    const line = lines.get(row.payment_ref);
    if (!line) {
      reject(index, 'payment_ref', `Платёж с референсом «${row.payment_ref}» не найден: возврат должен ссылаться на проведённый платёж`);
      continue;
    }
    if (!line.sent) {
      reject(
        index,
        'payment_ref',
        `Платёж «${row.payment_ref}» не отправлялся в банк: его платёжное поручение № ${line.number} от ${line.order_date} не утверждено или отклонено`,
      );
      continue;
    }
    const lineMessage = orderMessageId(Number(line.year), Number(line.number));
    if (row.message_id && row.message_id !== lineMessage) {
      reject(
        index,
        'message_id',
        `Платёж «${row.payment_ref}» входит в сообщение ${lineMessage} (платёжное поручение № ${line.number} от ${line.order_date}), ` +
          `а отчёт банка относится к сообщению ${row.message_id}: возврат по чужому сообщению не принимается`,
      );
      continue;
    }
    const existing = taken.get(row.payment_ref);
    if (existing) {
      const field = differingField(row, existing);
      if (field === null) {
        result.duplicates++;
        continue;
      }
      reject(
        index,
        field,
        `Конфликт: возврат по платежу «${row.payment_ref}» уже принят (${formatAmount(existing.amount)} тенге, ` +
          `${existing.returned_on}, код ${existing.reason_code}) с другими данными (поле ${field})`,
      );
      continue;
    }
    if (line.kind === 'to_mio') {
      reject(
        index,
        'payment_ref',
        `Платёж «${row.payment_ref}» — ${KIND_LABEL.to_mio}, а не выплата поставщику: возврат по нему не принимается`,
      );
      continue;
    }
    if (!parseAmount(row.amount).eq(money(line.amount))) {
      reject(
        index,
        'amount',
        `Сумма возврата ${formatAmount(row.amount)} не равна сумме платежа «${row.payment_ref}» ${formatAmount(line.amount)}: ` +
          `возврат принимается только на точную сумму платежа`,
      );
      continue;
    }
    if (compareDates(row.returned_on, line.order_date) < 0) {
      reject(
        index,
        'returned_on',
        `Дата возврата ${row.returned_on} раньше даты платёжного поручения ${line.order_date} по платежу «${row.payment_ref}»`,
      );
      continue;
    }
    if (compareDates(row.returned_on, ctx.asOf) > 0) {
      reject(index, 'returned_on', `Дата возврата ${row.returned_on} позже рабочей даты ${ctx.asOf}: возврат из будущего не принимается`);
      continue;
    }

    const normalized = { ...row, amount: formatAmount(row.amount) };
    accepted.push({ row: normalized, line });
    taken.set(row.payment_ref, { ref: row.payment_ref, ...normalized });
  }
  result.accepted = accepted.length;
  if (accepted.length > 0) await recordReturns(trx, accepted, ctx);
  return result;
}

/** Writes the accepted returns and everything that follows from them, set-based. */
async function recordReturns(trx: Knex.Transaction, accepted: { row: ReturnRow; line: PaidLine }[], ctx: ReturnsContext): Promise<void> {
  const ids = new Map<string, number>();
  for (let i = 0; i < accepted.length; i += CHUNK) {
    const inserted: { id: number; ref: string }[] = await trx('returns')
      .insert(
        accepted.slice(i, i + CHUNK).map(({ row, line }) => ({
          payment_line_id: line.id,
          ref: row.payment_ref,
          amount: row.amount,
          returned_on: row.returned_on,
          reason_code: row.reason_code,
          reason_text: row.reason_text,
          batch_id: ctx.batchId,
        })),
      )
      .returning(['id', 'ref']);
    for (const r of inserted) ids.set(r.ref, Number(r.id));
  }
  const items = accepted.map((a) => ({ ...a, returnId: ids.get(a.row.payment_ref)! }));
  faultPoint('returns.apply.after-returns');

  await insertInChunks(
    trx,
    'payment_line_events',
    items.map(({ row, line, returnId }) => ({ line_id: line.id, status: 'returned', event_date: row.returned_on, return_id: returnId })),
  );
  await insertInChunks(
    trx,
    'bank_detail_events',
    items
      .filter(({ line }) => line.bank_detail_id != null)
      .map(({ line, returnId }) => ({ bank_detail_id: line.bank_detail_id, status: 'incorrect', event_date: ctx.asOf, return_id: returnId })),
  );
  await insertInChunks(trx, 'notifications', items.flatMap((item) => returnNotifications(item, ctx.asOf)));
  faultPoint('returns.apply.before-ledger');
  await post(
    trx,
    items.map(({ row, line, returnId }) => {
      const amount = money(row.amount);
      return {
        date: row.returned_on,
        source: 'return',
        sourceId: String(returnId),
        description: `Возврат банком ${line.bik} платежа ${row.payment_ref}`,
        batchId: ctx.batchId,
        postings: [
          { account: account.gkFunds(line.mio_bin), debit: amount },
          { account: account.bankClearing(line.bik), credit: amount },
          { account: account.bankClearing(line.bik), debit: amount },
          { account: account.providerPayable(line.mio_bin), credit: amount },
        ],
      };
    }),
  );
  await insertInChunks(
    trx,
    'audit_events',
    items.map(({ row, returnId }) => ({
      as_of: ctx.asOf,
      operator: ctx.operator,
      action: 'return',
      object: row.payment_ref,
      details: { return_id: returnId, batch_id: ctx.batchId, amount: row.amount, returned_on: row.returned_on },
    })),
  );
}

/**
 * The outbox of one return, dated the day it is recorded: the provider's cabinet (its bank
 * details are incorrect, 002 §18) and Е-Собес (the return relayed, 002 §17).
 */
function returnNotifications({ row, line, returnId }: { row: ReturnRow; line: PaidLine; returnId: number }, asOf: string): Record<string, unknown>[] {
  const payload = {
    return_id: returnId,
    payment_ref: row.payment_ref,
    provider_id: line.provider_id,
    mio_bin: line.mio_bin,
    amount: row.amount,
    returned_on: row.returned_on,
    reason_code: row.reason_code,
    reason_text: row.reason_text,
    bank_detail_id: line.bank_detail_id,
    bik: line.bik,
    iban: line.iban,
  };
  const reason = row.reason_text ? `${row.reason_code} ${row.reason_text}` : row.reason_code;
  return [
    {
      dedupe_key: returnNotificationKey.providerCabinet(row.payment_ref),
      channel: 'provider_cabinet',
      recipient: line.provider_id,
      kind: 'bank_details_incorrect',
      payload: {
        ...payload,
        message:
          `Банк вернул платёж ${row.payment_ref} на сумму ${row.amount} тенге (${reason}). ` +
          `Банковские реквизиты (БИК ${line.bik}, IBAN ${line.iban}) признаны некорректными: укажите новые реквизиты на портале.`,
      },
      created_on: asOf,
    },
    {
      dedupe_key: returnNotificationKey.esobes(row.payment_ref),
      channel: 'esobes',
      recipient: 'esobes',
      kind: 'return_relayed',
      payload: {
        ...payload,
        message: `Возврат суммы возмещения ${row.amount} тенге по платежу ${row.payment_ref} поставщика ${line.provider_id} (${reason}).`,
      },
      created_on: asOf,
    },
  ];
}
