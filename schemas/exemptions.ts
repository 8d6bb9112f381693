// `payouts import exemptions`: who is exempt from ОПВ / ОСМС / СО (the answer of АИС «ООП»).
import { bool, date, idNumber, importSchema, optional, text, type RowOf } from './fields.ts';

const columns = {
  iin: idNumber('ИИН помощника'),
  opv_exempt: bool('Освобождён от ОПВ'),
  osms_exempt: bool('Освобождён от ОСМС'),
  so_exempt: bool('Освобождён от СО'),
  valid_from: date('Действует с'),
  valid_to: optional(date('Действует по')),
  reason: text('Основание'),
};

export const exemptionSchema = importSchema(columns, ['iin', 'valid_from'], (row, issue) => {
  if (row.valid_to !== null && row.valid_to < row.valid_from) {
    issue('valid_to', `Действует по ${row.valid_to} раньше, чем действует с ${row.valid_from}`);
  }
});
export type ExemptionRow = RowOf<typeof columns>;
