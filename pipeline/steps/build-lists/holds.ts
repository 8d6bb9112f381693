// build-lists, the holds (DOMAIN.md §3, §10): an accepted act the list of month M does not take
// waits with its reason — a provider de-registered before the service month or registered after
// it (never reimbursed), a service month not yet over, no bank details on the run date (taken by
// a later list). Decided in TypeScript over the few candidates that could be held at all.
import type { Trx } from '../../kernel/db.ts';
import { firstDayOfMonth, lastDayOfMonth, type IsoDate, type IsoMonth } from '../../kernel/dates.ts';
import { CANDIDATES, readCandidates, type CandidateAct } from './staging.ts';

export interface HoldDraft {
  act_id: number;
  provider_id: string;
  act_no: string;
  reason: string;
}

/** Why an accepted act is not taken by the list of month M, or null when it is taken. */
export function holdReason(act: CandidateAct, month: IsoMonth, asOf: IsoDate): string | null {
  if (act.deregistered_on !== null && act.deregistered_on < firstDayOfMonth(act.service_month)) {
    const why = act.deregistration_reason ? ` (${act.deregistration_reason})` : '';
    return (
      `Поставщик снят с учёта ${act.deregistered_on}${why}, до начала месяца оказания услуг ${act.service_month}: ` +
      `акт за этот месяц возмещению не подлежит`
    );
  }
  if (act.registered_on > lastDayOfMonth(act.service_month)) {
    return (
      `Месяц оказания услуг ${act.service_month} предшествует регистрации поставщика ${act.registered_on}: ` +
      `акт возмещению не подлежит`
    );
  }
  if (act.service_month >= month) {
    return `Месяц оказания услуг ${act.service_month} ещё не завершён: акт войдёт в список после его окончания`;
  }
  if (act.bank_detail_id === null) {
    return `Нет банковских реквизитов поставщика на ${asOf}: акт войдёт в список после их поступления`;
  }
  return null;
}

/** Decides the holds of the staged candidates and marks them held in the stage. */
export async function decideHolds(trx: Trx, month: IsoMonth, asOf: IsoDate): Promise<HoldDraft[]> {
  const held: HoldDraft[] = [];
  const maybeHeld = await readCandidates(
    trx,
    `deregistered_on is not null or registered_on >= to_date(service_month, 'YYYY-MM') or service_month >= :month or bank_detail_id is null`,
    { month },
  );
  for (const act of maybeHeld) {
    const reason = holdReason(act, month, asOf);
    if (reason) held.push({ act_id: act.id, provider_id: act.provider_id, act_no: act.act_no, reason });
  }
  if (held.length > 0) await trx.raw(`update ${CANDIDATES} set held = true where id = any(?::bigint[])`, [held.map((h) => h.act_id)]);
  return held;
}
