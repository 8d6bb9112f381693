// `payouts import statement FILE [--dry-run]`: a bank statement of ГК's account, matched entry by
// entry to the facts of the cycle (matcher.ts), in one transaction.
//
//  1. The file is read and checked before anything is written (exit 2, nothing changed): one of
//     the three formats by its content, a statement of a known ГК account (gk-account.ts), its
//     balances and period consistent with its entries (model.ts checkConsistency).
//  2. Under the imports lock and the pipeline lock: the statement's identity (account, period,
//     number, date) — the same statement again is a duplicate and changes nothing (exit 0); the
//     same identity with other content, a period overlapping another statement of the account, an
//     opening balance that is not the previous statement's closing (or a closing that is not the
//     next one's opening), a statement ending after the as-of date: refused (exit 4).
//  3. An import_batches row, the statement, then each entry with its match. Money facts go
//     through the rules of the other imports, not a copy: transfers through applyTransfers
//     (pipeline/funding.ts: the open demand as the ceiling), returns through applyReturns
//     (pipeline/returns.ts: a paid line, its exact amount); what those rules refuse leaves the
//     entry unmatched with their reason — the statement itself is a fact and is kept whole. A
//     fact already recorded by another import (a funding CSV, a pain.002) is confirmed, not
//     recorded twice. An order's debit is a payment_order_events row 'debited', dated the
//     booking date (the payment deadline is judged by it, check-deadlines).
//  4. The audit event, the ledger checked; --dry-run rolls everything back and reports the matches.
//
// Exit codes (bin/commands/statement.ts): 0 every entry matched or only the bank's fees left
// (also a duplicate statement); 3 some entries need an officer's look (unmatched for any other
// reason) — the statement and its matched entries are taken all the same; 2 / 4 as above.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { fundingSchema } from '../../schemas/funding.ts';
import { returnSchema } from '../../schemas/returns.ts';
import type { Db } from '../kernel/db.ts';
import { BusinessRuleError, UsageError } from '../kernel/errors.ts';
import { insertInChunks } from '../kernel/bulk.ts';
import { formatAmount, money } from '../kernel/money.ts';
import { hashInputs, lockPipeline } from '../kernel/step-run.ts';
import { applyTransfers } from '../funding.ts';
import { applyReturns } from '../returns.ts';
import { assertLedgerBalanced } from '../ledger.ts';
import { IMPORT_LOCK } from '../imports/run-import.ts';
import { parseStatement } from './codecs.ts';
import { gkAccounts } from './gk-account.ts';
import { applyMapping, loadMappings, mappingFor } from './mapping.ts';
import { describeCandidate, factText, loadLookups, NEEDS_ATTENTION, planMatches, type Candidate, type MatchKind, type Unmatched, type UnmatchedCode } from './matcher.ts';
import { checkConsistency, entriesMovement, FORMAT_LABEL, StatementFormatError, type Direction, type Statement, type StatementEntry, type StatementFormat } from './model.ts';
import { describeChar } from '../../schemas/characters.ts';

export interface StatementImportRequest {
  file: string;
  asOf: string;
  operator: string;
  dryRun?: boolean;
}

export interface EntryOutcome {
  seq: number;
  booking_date: string;
  direction: Direction;
  amount: string;
  counterparty_iban: string;
  counterparty_name: string;
  /** The entry's own reference as the matcher read it (instruction id, end-to-end, message id…). */
  reference: string;
  match: MatchKind | null;
  /** The fact matched, in words. */
  fact: string | null;
  /** E.g. that the fact was recorded earlier by another import. */
  note: string | null;
  unmatched_code: UnmatchedCode | null;
  reason: string | null;
}

export interface StatementImportReport {
  file: string;
  format: StatementFormat;
  mapping: string;
  /** 'done' every entry matched or a bank fee; 'partial' some need a look; 'duplicate' imported before, nothing changed. */
  status: 'done' | 'partial' | 'duplicate';
  dry_run: boolean;
  batch_id: number | null;
  statement_id: number | null;
  statement: {
    account: string;
    statement_no: string;
    statement_date: string;
    from: string;
    to: string;
    opening: string;
    closing: string;
    credits: string;
    debits: string;
    entries: number;
  };
  matched: number;
  unmatched: number;
  needs_attention: number;
  by_kind: Record<MatchKind, number>;
  /** Entries the file lists that are not booked (camt PDNG, INFO): not taken. */
  skipped: { seq: number; status: string }[];
  entries: EntryOutcome[];
}

class DryRunRollback extends Error {
  constructor(readonly report: StatementImportReport) {
    super('dry run');
  }
}

function referenceOf(e: StatementEntry): string {
  const a = e.attributes;
  return a.instructionId || a.endToEndId || a.messageId || a.documentNumber || a.bankReference;
}

/** An entry's outcome: matched to a fact (with its row id) or unmatched with the reason. */
interface Resolution {
  entry: StatementEntry;
  match?: { kind: MatchKind; id: number; fact: string; note: string | null };
  unmatched?: Unmatched;
}

/** Which statement entry already confirms a fact, in words, or null. */
async function confirmedBy(trx: Knex.Transaction, column: 'transfer_id' | 'return_id' | 'payment_order_id', id: number): Promise<string | null> {
  const row = await trx('statement_entries as e')
    .join('statements as s', 's.id', 'e.statement_id')
    .where(`e.${column}`, id)
    .first('e.seq', 's.statement_no', 's.statement_date', 's.file_name');
  if (!row) return null;
  return `операция № ${row.seq} выписки ${row.statement_no ? `№ ${row.statement_no} ` : ''}за ${row.statement_date} (${row.file_name})`;
}

function zodReason(issues: { message: string }[]): string {
  return issues.map((i) => i.message).join('; ');
}

/**
 * Applies the accepted entries through the import's own rules (`import funding`, `import returns`)
 * and turns each into its match, or into a refusal with the import's reason.
 */
async function applyPlanned<T extends { entry: StatementEntry; row: unknown }>(
  toApply: T[],
  apply: (rows: { index: number; row: T['row'] }[]) => Promise<{ rejected: { index: number; reason: string }[] }>,
  matched: (t: T) => Promise<NonNullable<Resolution['match']>>,
): Promise<Resolution[]> {
  if (toApply.length === 0) return [];
  const result = await apply(toApply.map((t) => ({ index: t.entry.seq, row: t.row })));
  const rejected = new Map(result.rejected.map((r) => [r.index, r.reason]));
  const out: Resolution[] = [];
  for (const t of toApply) {
    const why = rejected.get(t.entry.seq);
    out.push(why !== undefined ? { entry: t.entry, unmatched: { code: 'refused', reason: why } } : { entry: t.entry, match: await matched(t) });
  }
  return out;
}

async function resolveTransfers(
  trx: Knex.Transaction,
  plans: { entry: StatementEntry; candidate: Extract<Candidate, { kind: 'transfer' }> }[],
  ctx: { batchId: number; asOf: string; operator: string },
): Promise<Resolution[]> {
  const out: Resolution[] = [];
  const toApply: { entry: StatementEntry; candidate: Extract<Candidate, { kind: 'transfer' }>; row: { mio_bin: string; pp_no: string; pp_date: string; amount: string } }[] = [];
  for (const p of plans) {
    const { entry, candidate: c } = p;
    const parsed = fundingSchema.row.safeParse({ mio_bin: c.mioBin, pp_no: c.ppNo, pp_date: c.ppDate, amount: entry.amount });
    if (!parsed.success) {
      out.push({ entry, unmatched: { code: 'refused', reason: `Поступление от МИО ${c.mioBin} не принято: ${zodReason(parsed.error.issues)}` } });
      continue;
    }
    const existing = await trx('transfers').where({ mio_bin: c.mioBin, pp_no: c.ppNo, pp_date: c.ppDate }).first('id');
    const by = existing ? await confirmedBy(trx, 'transfer_id', Number(existing.id)) : null;
    if (by) {
      out.push({ entry, unmatched: { code: 'already_matched', reason: `Поступление (${describeCandidate(c)}) уже подтверждено: ${by}` } });
      continue;
    }
    toApply.push({ ...p, row: parsed.data });
  }
  const applied = await applyPlanned(toApply, (rows) => applyTransfers(trx, rows, ctx), async (t) => {
    const row = await trx('transfers').where({ mio_bin: t.row.mio_bin, pp_no: t.row.pp_no, pp_date: t.row.pp_date }).first('id', 'batch_id');
    const earlier = Number(row.batch_id) !== ctx.batchId;
    return {
      kind: 'transfer',
      id: Number(row.id),
      fact: describeCandidate(t.candidate),
      note: earlier ? `учтено ранее импортом (пакет № ${row.batch_id}); выписка его подтверждает` : null,
    };
  });
  return [...out, ...applied];
}

async function resolveReturns(
  trx: Knex.Transaction,
  plans: { entry: StatementEntry; candidate: Extract<Candidate, { kind: 'return' }> }[],
  ctx: { batchId: number; asOf: string; operator: string },
): Promise<Resolution[]> {
  const out: Resolution[] = [];
  const toApply: { entry: StatementEntry; candidate: Extract<Candidate, { kind: 'return' }>; row: { payment_ref: string; amount: string; returned_on: string; reason_code: string; reason_text: string } }[] = [];
  for (const p of plans) {
    const { entry, candidate: c } = p;
    const existing = await trx('returns').where({ ref: c.ref }).first('id', 'amount', 'batch_id');
    if (existing) {
      const by = await confirmedBy(trx, 'return_id', Number(existing.id));
      if (by) out.push({ entry, unmatched: { code: 'already_matched', reason: `Возврат платежа ${c.ref} уже подтверждён: ${by}` } });
      else if (!money(existing.amount).eq(money(entry.amount))) {
        out.push({
          entry,
          unmatched: {
            code: 'refused',
            reason: `Возврат платежа ${c.ref} уже принят на сумму ${formatAmount(existing.amount)}, а в выписке ${formatAmount(entry.amount)}: возврат принимается только на точную сумму платежа`,
          },
        });
      } else {
        out.push({
          entry,
          match: { kind: 'return', id: Number(existing.id), fact: describeCandidate(c), note: `учтён ранее импортом (пакет № ${existing.batch_id}); выписка его подтверждает` },
        });
      }
      continue;
    }
    const a = entry.attributes;
    const parsed = returnSchema.row.safeParse({ payment_ref: c.ref, amount: entry.amount, returned_on: entry.bookingDate, reason_code: a.reasonCode, reason_text: a.reasonText });
    if (!parsed.success) {
      out.push({ entry, unmatched: { code: 'refused', reason: `Возврат платежа ${c.ref} не принят: ${zodReason(parsed.error.issues)}` } });
      continue;
    }
    toApply.push({ ...p, row: parsed.data });
  }
  const applied = await applyPlanned(toApply, (rows) => applyReturns(trx, rows, ctx), async (t) => {
    const row = await trx('returns').where({ ref: t.row.payment_ref }).first('id');
    return { kind: 'return', id: Number(row.id), fact: describeCandidate(t.candidate), note: null };
  });
  return [...out, ...applied];
}

async function resolveDebits(trx: Knex.Transaction, plans: { entry: StatementEntry; candidate: Extract<Candidate, { kind: 'order_debit' }> }[]): Promise<Resolution[]> {
  const out: Resolution[] = [];
  for (const { entry, candidate: c } of plans) {
    const o = c.order;
    const by = await confirmedBy(trx, 'payment_order_id', o.id);
    if (by) {
      out.push({ entry, unmatched: { code: 'already_matched', reason: `Списание по поручению № ${o.number} от ${o.date} уже подтверждено: ${by}` } });
    } else if (!money(o.total).eq(money(entry.amount))) {
      out.push({
        entry,
        unmatched: { code: 'refused', reason: `Сумма списания ${formatAmount(entry.amount)} не равна сумме платёжного поручения № ${o.number} от ${o.date} — ${o.total}` },
      });
    } else if (entry.bookingDate < o.date) {
      out.push({
        entry,
        unmatched: { code: 'refused', reason: `Списание ${entry.bookingDate} раньше даты платёжного поручения № ${o.number} от ${o.date}` },
      });
    } else {
      out.push({ entry, match: { kind: 'order_debit', id: o.id, fact: describeCandidate(c), note: null } });
    }
  }
  return out;
}

function outcomeOf(r: Resolution): EntryOutcome {
  const e = r.entry;
  return {
    seq: e.seq,
    booking_date: e.bookingDate,
    direction: e.direction,
    amount: e.amount,
    counterparty_iban: e.attributes.counterpartyIban,
    counterparty_name: e.attributes.counterpartyName,
    reference: referenceOf(e),
    match: r.match?.kind ?? null,
    fact: r.match?.fact ?? null,
    note: r.match?.note ?? null,
    unmatched_code: r.unmatched?.code ?? null,
    reason: r.unmatched?.reason ?? null,
  };
}

function summarize(
  file: string,
  statement: Statement,
  mapping: string,
  outcomes: EntryOutcome[],
  skipped: StatementImportReport['skipped'],
  ids: { batchId: number | null; statementId: number | null },
  duplicate: boolean,
): StatementImportReport {
  const { credits, debits } = entriesMovement(statement.entries);
  const matched = outcomes.filter((o) => o.match !== null);
  const attention = outcomes.filter((o) => o.unmatched_code !== null && NEEDS_ATTENTION.includes(o.unmatched_code));
  const count = (k: MatchKind) => matched.filter((o) => o.match === k).length;
  return {
    file,
    format: statement.format,
    mapping,
    status: duplicate ? 'duplicate' : attention.length > 0 ? 'partial' : 'done',
    dry_run: false,
    batch_id: ids.batchId,
    statement_id: ids.statementId,
    statement: {
      account: statement.account.iban,
      statement_no: statement.statementNo,
      statement_date: statement.statementDate,
      from: statement.from,
      to: statement.to,
      opening: statement.opening,
      closing: statement.closing,
      credits: formatAmount(credits),
      debits: formatAmount(debits),
      entries: statement.entries.length,
    },
    matched: matched.length,
    unmatched: outcomes.length - matched.length,
    needs_attention: attention.length,
    by_kind: { transfer: count('transfer'), order_debit: count('order_debit'), return: count('return') },
    skipped,
    entries: outcomes,
  };
}

/** The outcomes stored with a statement (a duplicate import shows what the first one matched). */
export async function storedOutcomes(q: Knex | Knex.Transaction, statementId: number): Promise<EntryOutcome[]> {
  const rows: Record<string, unknown>[] = await q('statement_entries as e')
    .leftJoin('transfers as t', 't.id', 'e.transfer_id')
    .leftJoin('payment_orders as o', 'o.id', 'e.payment_order_id')
    .leftJoin('returns as r', 'r.id', 'e.return_id')
    .where('e.statement_id', statementId)
    .orderBy('e.seq')
    .select(
      'e.*',
      't.mio_bin as t_mio',
      't.pp_no as t_pp',
      't.pp_date as t_date',
      'o.number as o_number',
      'o.order_date as o_date',
      'o.total as o_total',
      'r.ref as r_ref',
    );
  return rows.map((r) => ({
    seq: Number(r.seq),
    booking_date: String(r.booking_date),
    direction: r.direction as Direction,
    amount: formatAmount(String(r.amount)),
    counterparty_iban: String(r.counterparty_iban),
    counterparty_name: String(r.counterparty_name),
    reference: String(r.instruction_id || r.end_to_end_id || r.message_id || r.document_number || r.bank_reference),
    match: (r.match_kind as MatchKind | null) ?? null,
    fact: factText(r),
    note: null,
    unmatched_code: (r.unmatched_code as UnmatchedCode | null) ?? null,
    reason: (r.unmatched_reason as string | null) ?? null,
  }));
}

async function readBytes(file: string, fileLabel: string): Promise<Buffer> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new UsageError(`Файл ${file} не найден`);
  if (!info.isFile()) throw new UsageError(`${file} — не файл`);
  if (info.size === 0) throw new UsageError(`Файл ${fileLabel} пуст`);
  return readFile(file);
}

/** The first text of the statement the database cannot hold (NUL, a lone surrogate), in words, or null. */
function unstorableText(value: unknown, at = 'выписка'): string | null {
  if (typeof value === 'string') {
    const nul = value.indexOf('\u0000');
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(value);
    const cp = nul >= 0 ? 0 : lone ? lone[0].codePointAt(0)! : null;
    return cp === null ? null : `поле ${at} содержит недопустимый символ ${describeChar(cp)}`;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = unstorableText(v, `${at}[${i + 1}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = unstorableText(v, `${at}.${k}`);
      if (found) return found;
    }
  }
  return null;
}

/** Imports a bank statement (see the file header). */
export async function importStatement(db: Db, req: StatementImportRequest): Promise<StatementImportReport> {
  const fileLabel = path.basename(req.file);
  const bytes = await readBytes(req.file, fileLabel);
  const mappings = loadMappings();
  const raw = parseStatement(bytes, fileLabel, mappings);
  const unstorable = unstorableText(raw);
  if (unstorable) {
    throw new StatementFormatError(`Выписка ${fileLabel}: ${unstorable} — такой файл не загружается; запросите выписку у банка заново. Ничего не загружено`);
  }
  const accounts = await gkAccounts(db);
  const account = accounts.find((a) => a.iban === raw.account.iban);
  if (!account) {
    throw new UsageError(
      `Выписка ${fileLabel} по счёту ${raw.account.iban || '(не указан)'}: это не счёт Госкорпорации ` +
        `(${accounts.map((a) => a.iban).join(', ')}). Принимаются только выписки по счёту ГК; ничего не загружено`,
    );
  }
  const mapping = mappingFor(mappings, raw.format, raw.servicerBic || account.bik);
  const statement = applyMapping(raw, mapping);
  checkConsistency(statement, fileLabel);
  const fileHash = createHash('sha256').update(bytes).digest('hex');
  // What the bank says, not when it said it: a re-export of the same statement is the same content.
  const contentHash = hashInputs({
    format: raw.format,
    account: raw.account,
    statementNo: raw.statementNo,
    statementDate: raw.statementDate,
    from: raw.from,
    to: raw.to,
    opening: raw.opening,
    closing: raw.closing,
    entries: raw.entries,
  });
  const identity = {
    account_iban: statement.account.iban,
    period_from: statement.from,
    period_to: statement.to,
    statement_no: statement.statementNo,
    statement_date: statement.statementDate,
  };
  const label = `${FORMAT_LABEL[statement.format]} ${statement.statementNo ? `№ ${statement.statementNo} ` : ''}за ${statement.from === statement.to ? statement.to : `${statement.from} — ${statement.to}`}`;

  try {
    return await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [IMPORT_LOCK]);
      await lockPipeline(trx);

      const same = await trx('statements').where(identity).first('id', 'content_sha256', 'batch_id', 'file_name');
      if (same) {
        if (same.content_sha256 !== contentHash) {
          throw new BusinessRuleError(
            'statement-conflict',
            `Выписка ${label} по счёту ${statement.account.iban} уже загружена (файл ${same.file_name}, пакет № ${same.batch_id}), ` +
              `а в этом файле она другая. Исправленную выписку банк должен выдать отдельной выпиской; ничего не загружено`,
          );
        }
        const stored = await storedOutcomes(trx, Number(same.id));
        return { ...summarize(req.file, statement, mapping.name, stored, raw.skipped, { batchId: Number(same.batch_id), statementId: Number(same.id) }, true), dry_run: !!req.dryRun };
      }
      if (statement.to > req.asOf) {
        throw new BusinessRuleError('statement-from-future', `Выписка ${label} заканчивается позже рабочей даты ${req.asOf}: выписка из будущего не принимается`);
      }
      const overlap = await trx('statements')
        .where({ account_iban: statement.account.iban })
        .andWhere('period_from', '<=', statement.to)
        .andWhere('period_to', '>=', statement.from)
        .first('statement_no', 'period_from', 'period_to', 'file_name');
      if (overlap) {
        throw new BusinessRuleError(
          'statement-overlap',
          `Период выписки ${label} пересекается с уже загруженной выпиской ${overlap.statement_no ? `№ ${overlap.statement_no} ` : ''}` +
            `за ${overlap.period_from} — ${overlap.period_to} (файл ${overlap.file_name}): операции были бы учтены дважды; ничего не загружено`,
        );
      }
      const prev = await trx('statements').where({ account_iban: statement.account.iban }).andWhere('period_to', '<', statement.from).orderBy('period_to', 'desc').first('closing', 'period_to', 'file_name');
      if (prev && !money(prev.closing).eq(money(statement.opening))) {
        throw new BusinessRuleError(
          'statement-chain',
          `Входящий остаток выписки ${label} (${statement.opening}) не равен исходящему остатку предыдущей выписки за ${prev.period_to} ` +
            `(${formatAmount(prev.closing)}, файл ${prev.file_name}): между ними пропущены операции; ничего не загружено`,
        );
      }
      const next = await trx('statements').where({ account_iban: statement.account.iban }).andWhere('period_from', '>', statement.to).orderBy('period_from').first('opening', 'period_from', 'file_name');
      if (next && !money(next.opening).eq(money(statement.closing))) {
        throw new BusinessRuleError(
          'statement-chain',
          `Исходящий остаток выписки ${label} (${statement.closing}) не равен входящему остатку следующей выписки за ${next.period_from} ` +
            `(${formatAmount(next.opening)}, файл ${next.file_name}); ничего не загружено`,
        );
      }

      const [batch] = await trx('import_batches')
        .insert({ kind: 'statement', file_name: fileLabel, file_sha256: fileHash, operator: req.operator, as_of: req.asOf, strict: false, status: 'done' })
        .returning('id');
      const batchId = Number(batch.id);
      const { credits, debits } = entriesMovement(statement.entries);
      const [row] = await trx('statements')
        .insert({
          ...identity,
          format: statement.format,
          currency: statement.account.currency,
          opening: statement.opening,
          credits: formatAmount(credits),
          debits: formatAmount(debits),
          closing: statement.closing,
          entry_count: statement.entries.length,
          servicer_bik: statement.servicerBic,
          mapping: mapping.name,
          file_name: fileLabel,
          file_sha256: fileHash,
          content_sha256: contentHash,
          batch_id: batchId,
        })
        .returning('id');
      const statementId = Number(row.id);

      const ctx = { batchId, asOf: req.asOf, operator: req.operator };
      const plans = planMatches(statement.entries, await loadLookups(trx, statement.entries), mapping);
      const pick = <K extends MatchKind>(kind: K) =>
        plans.flatMap((p) => ('candidate' in p && p.candidate.kind === kind ? [{ entry: p.entry, candidate: p.candidate as Extract<Candidate, { kind: K }> }] : []));
      const resolutions: Resolution[] = [
        ...plans.flatMap((p) => ('unmatched' in p ? [{ entry: p.entry, unmatched: p.unmatched }] : [])),
        ...(await resolveTransfers(trx, pick('transfer'), ctx)),
        ...(await resolveReturns(trx, pick('return'), ctx)),
        ...(await resolveDebits(trx, pick('order_debit'))),
      ].sort((a, b) => a.entry.seq - b.entry.seq);

      const rawBySeq = new Map(raw.entries.map((e) => [e.seq, e]));
      await insertInChunks(
        trx,
        'statement_entries',
        resolutions.map((r) => {
          const e = r.entry;
          const a = e.attributes;
          const rawEntry = rawBySeq.get(e.seq)!;
          return {
            statement_id: statementId,
            seq: e.seq,
            direction: e.direction,
            amount: e.amount,
            booking_date: e.bookingDate,
            value_date: e.valueDate || null,
            reversal: e.reversal,
            instruction_id: a.instructionId,
            end_to_end_id: a.endToEndId,
            message_id: a.messageId,
            document_number: a.documentNumber,
            document_date: a.documentDate || null,
            counterparty_iban: a.counterpartyIban,
            counterparty_name: a.counterpartyName,
            counterparty_id: a.counterpartyId,
            purpose: a.purpose,
            reason_code: a.reasonCode,
            reason_text: a.reasonText,
            bank_reference: a.bankReference,
            bank_tx_code: a.bankTxCode,
            fields: rawEntry.fields,
            match_kind: r.match?.kind ?? null,
            transfer_id: r.match?.kind === 'transfer' ? r.match.id : null,
            payment_order_id: r.match?.kind === 'order_debit' ? r.match.id : null,
            return_id: r.match?.kind === 'return' ? r.match.id : null,
            unmatched_code: r.unmatched?.code ?? null,
            unmatched_reason: r.unmatched?.reason ?? null,
          };
        }),
      );
      const debited = resolutions.filter((r) => r.match?.kind === 'order_debit');
      if (debited.length) {
        const ids = new Map(
          ((await trx('statement_entries').where({ statement_id: statementId }).select('id', 'seq')) as { id: number; seq: number }[]).map((r) => [Number(r.seq), Number(r.id)]),
        );
        await insertInChunks(
          trx,
          'payment_order_events',
          debited.map((r) => ({ order_id: r.match!.id, status: 'debited', event_date: r.entry.bookingDate, statement_entry_id: ids.get(r.entry.seq)! })),
        );
      }

      const report = summarize(req.file, statement, mapping.name, resolutions.map(outcomeOf), raw.skipped, { batchId, statementId }, false);
      await trx('import_batches')
        .where({ id: batchId })
        .update({ total_rows: report.entries.length, accepted: report.matched, rejected: report.needs_attention, status: report.status });
      await trx('audit_events').insert({
        as_of: req.asOf,
        operator: req.operator,
        action: 'import statement',
        object: fileLabel,
        details: JSON.stringify({
          batch_id: batchId,
          statement_id: statementId,
          sha256: fileHash,
          format: statement.format,
          mapping: mapping.name,
          account: statement.account.iban,
          statement_no: statement.statementNo,
          from: statement.from,
          to: statement.to,
          entries: report.entries.length,
          matched: report.matched,
          unmatched: report.unmatched,
          needs_attention: report.needs_attention,
          dry_run: !!req.dryRun,
        }),
      });
      await assertLedgerBalanced(trx);
      if (req.dryRun) throw new DryRunRollback(report);
      return report;
    });
  } catch (err) {
    if (err instanceof DryRunRollback) return { ...err.report, dry_run: true, batch_id: null, statement_id: null };
    throw err;
  }
}
