// Reference checks shared by the kinds: the Russian reasons for an unknown БИК, МИО or provider.
import type { RowRejection } from './kind.ts';

type Problem = Omit<RowRejection, 'index'>;

export function unknownBik(field: string, bik: string): Problem {
  return { field, reason: `БИК ${bik} нет в справочнике банков: сначала загрузите банк (payouts import banks)` };
}

export function unknownMio(field: string, bin: string): Problem {
  return { field, reason: `МИО с БИН ${bin} нет в справочнике МИО: сначала загрузите его (payouts import mios)` };
}

export function unknownProvider(field: string, id: string): Problem {
  return {
    field,
    reason: `Поставщик ${id} не зарегистрирован: сначала загрузите его (payouts import providers)`,
  };
}
