// `payouts import acts`: accepted acts of completed work from the portal (ПСУ).
import Big from 'big.js';
import { daysInMonth } from '../pipeline/kernel/dates.ts';
import { amount, date, decimal, idNumber, importSchema, month, optional, text, type RowOf } from './fields.ts';

/** An individual assistant works at most 8 hours a day (Social Code art. 163). */
export const MAX_HOURS_PER_DAY = 8;

const columns = {
  act_no: text('Номер акта', 100),
  order_no: text('Номер заказа', 100),
  decision_no: text('Номер решения', 100),
  provider_id: idNumber('ИИН/БИН поставщика'),
  mio_bin: idNumber('БИН МИО'),
  oblast: text('Область'),
  region: text('Регион'),
  pwd_iin: idNumber('ИИН ЛСИ'),
  pwd_name: text('ФИО ЛСИ'),
  assistant_iin: idNumber('ИИН помощника'),
  assistant_name: text('ФИО помощника'),
  service_month: month('Месяц оказания услуг'),
  hours: decimal('Часы', 2),
  claimed_amount: optional(amount('Заявленная сумма', { positive: true })),
  received_on: date('Дата поступления акта'),
  accepted_on: date('Дата принятия акта'),
};

export const actSchema = importSchema(columns, ['provider_id', 'act_no'], (row, issue) => {
  const hours = new Big(row.hours);
  const limit = MAX_HOURS_PER_DAY * daysInMonth(row.service_month);
  if (hours.lte(0)) issue('hours', `Часы должны быть больше нуля (в файле ${hours.toFixed()})`);
  else if (hours.gt(limit)) {
    issue(
      'hours',
      `Часы: ${row.hours} больше ${limit} (не более ${MAX_HOURS_PER_DAY} часов в день × ` +
        `${daysInMonth(row.service_month)} дней месяца ${row.service_month})`,
    );
  }
  if (row.accepted_on < row.received_on) {
    issue('accepted_on', `Дата принятия ${row.accepted_on} раньше даты поступления акта ${row.received_on}`);
  }
  if (row.received_on.slice(0, 7) < row.service_month) {
    issue('received_on', `Акт поступил ${row.received_on}, до начала месяца оказания услуг ${row.service_month}`);
  }
});
export type ActRow = RowOf<typeof columns>;
