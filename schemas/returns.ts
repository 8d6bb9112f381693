// `payouts import returns`: credits a bank could not make (002 §17), from CSV/XLSX/JSON or a
// pain.002 status report.
import { amount, date, importSchema, optional, text, type RowOf } from './fields.ts';

const columns = {
  payment_ref: text('Референс платежа', 100),
  amount: amount('Сумма возврата', { positive: true }),
  returned_on: date('Дата возврата'),
  reason_code: text('Код причины', 35),
  reason_text: optional(text('Причина возврата', 1000)),
  // The MsgId of the pain.001 the return is about (a pain.002's OrgnlMsgId): when given, it must
  // be the message of the returned line's order.
  message_id: optional(text('Номер исходного сообщения', 35)),
};

const schema = importSchema(columns, ['payment_ref']);
type ParsedReturnRow = RowOf<typeof columns>;

/** One valid return row, as `applyReturns` in pipeline/returns.ts receives it. */
export interface ReturnRow {
  payment_ref: string;
  amount: string;
  returned_on: string;
  reason_code: string;
  /** '' when the file gives none. */
  reason_text: string;
  /** The original message id (pain.002 OrgnlMsgId); '' or absent when the file gives none. */
  message_id?: string;
}

export const returnSchema = {
  ...schema,
  row: schema.row.transform((r: ParsedReturnRow): ReturnRow => ({ ...r, reason_text: r.reason_text ?? '', message_id: r.message_id ?? '' })),
};
