// `payouts reconcile sign --month M --mio BIN [--signed-on D] [--copies-received-on D]`
// (DOMAIN.md §5, §9; Алгоритм … (приказ № 277 / № 459/НҚ), п. 21–22): ГК's signature of the act
// of period M and the МИО's two signed paper copies are recorded as append-only events, one of
// each per act, with the operator in the audit trail. The same date again changes nothing; a
// different date for an event already recorded is refused (history is not rewritten).
// Both are deadlines the nightly check watches (pipeline/steps/check-deadlines).
import type { Db } from '../../kernel/db.ts';
import { assertDate, assertMonth, compareDates } from '../../kernel/dates.ts';
import { BusinessRuleError, UsageError } from '../../kernel/errors.ts';
import { isValidIinBin } from '../../kernel/identifiers.ts';
import { lockPipeline } from '../../kernel/step-run.ts';

export interface SignOptions {
  month: string;
  mioBin: string;
  signedOn?: string;
  copiesReceivedOn?: string;
  asOf: string;
  operator: string;
}

export interface SignResult {
  month: string;
  mio_bin: string;
  act_date: string;
  signed_on: string | null;
  copies_received_on: string | null;
  /** The events this call recorded: 'signed', 'copies_received'; empty when nothing changed. */
  recorded: ('signed' | 'copies_received')[];
}

type Kind = 'signed' | 'copies_received';
const WHAT: Record<Kind, string> = { signed: 'подписание акта Госкорпорацией', copies_received: 'получение двух подписанных экземпляров от МИО' };

export async function signAct(db: Db, opts: SignOptions): Promise<SignResult> {
  const month = assertMonth(opts.month);
  const asOf = assertDate(opts.asOf);
  if (!isValidIinBin(opts.mioBin)) throw new UsageError(`Неверный БИН МИО «${opts.mioBin}»: 12 цифр с верной контрольной цифрой`);
  if (opts.signedOn === undefined && opts.copiesReceivedOn === undefined) {
    throw new UsageError('Укажите дату подписания --signed-on и/или дату получения экземпляров --copies-received-on');
  }
  const wanted: [Kind, string][] = [];
  if (opts.signedOn !== undefined) wanted.push(['signed', assertDate(opts.signedOn)]);
  if (opts.copiesReceivedOn !== undefined) wanted.push(['copies_received', assertDate(opts.copiesReceivedOn)]);

  return db.transaction(async (trx) => {
    await lockPipeline(trx);
    const closing = await trx('reconciliation_closings').where({ month }).first('act_date');
    const act = closing ? await trx('reconciliations').where({ month, mio_bin: opts.mioBin }).first('id') : undefined;
    if (!closing || !act) {
      throw new BusinessRuleError(
        'reconciliation-act-missing',
        `Акт сверки за отчётный период ${month} по МИО ${opts.mioBin} не составлен: сначала выполните payouts run reconcile --month ${month}`,
      );
    }
    const actDate = String(closing.act_date);
    const existing = new Map<Kind, string>(
      ((await trx('reconciliation_signatures').where({ month, mio_bin: opts.mioBin }).select('kind', 'event_date')) as { kind: Kind; event_date: string }[]).map(
        (e) => [e.kind, e.event_date],
      ),
    );
    const recorded: Kind[] = [];
    for (const [kind, date] of wanted) {
      const before = existing.get(kind);
      if (before === date) continue;
      if (before !== undefined) {
        throw new BusinessRuleError(
          'reconciliation-sign-conflict',
          `Для акта сверки за ${month} по МИО ${opts.mioBin} уже записано ${WHAT[kind]} ${before}; другая дата (${date}) не принимается`,
        );
      }
      if (compareDates(date, asOf) > 0) {
        throw new BusinessRuleError('reconciliation-sign-future', `Дата (${WHAT[kind]}) ${date} позже рабочей даты ${asOf}`);
      }
      const floor = kind === 'signed' ? actDate : existing.get('signed');
      if (floor === undefined) {
        throw new BusinessRuleError(
          'reconciliation-not-signed',
          `Экземпляры акта сверки за ${month} по МИО ${opts.mioBin} не могут быть получены раньше подписания: укажите --signed-on`,
        );
      }
      if (compareDates(date, floor) < 0) {
        throw new BusinessRuleError(
          'reconciliation-sign-early',
          kind === 'signed'
            ? `Акт сверки за ${month} датирован ${actDate}: подписать его ${date} нельзя`
            : `Экземпляры акта сверки за ${month} не могут быть получены ${date}, раньше подписания ${floor}`,
        );
      }
      await trx('reconciliation_signatures').insert({
        month,
        mio_bin: opts.mioBin,
        kind,
        event_date: date,
        operator: opts.operator,
        recorded_as_of: asOf,
      });
      await trx('audit_events').insert({
        as_of: asOf,
        operator: opts.operator,
        action: `reconcile sign ${kind}`,
        object: `reconciliation:${month}:${opts.mioBin}`,
        details: JSON.stringify({ month, mio_bin: opts.mioBin, kind, date }),
      });
      existing.set(kind, date);
      recorded.push(kind);
    }
    return {
      month,
      mio_bin: opts.mioBin,
      act_date: actDate,
      signed_on: existing.get('signed') ?? null,
      copies_received_on: existing.get('copies_received') ?? null,
      recorded,
    };
  });
}
