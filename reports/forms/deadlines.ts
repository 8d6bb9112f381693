// The deadlines of DOMAIN.md §9 as of a date, from the `deadlines` report: every deadline with
// what it watches, when it was due, whether it was met, and how many working days late; the
// count by status on top. The rule and object codes of the report are spelled out in Russian.
import type { Column } from '../render/document.ts';
import type { DeadlineItemDoc, DeadlinesReport } from '../../schemas/reports/index.ts';
import { type FormFile, type FormInput, dateText, widened } from './common.ts';

export const DEADLINES_FORM = 'Контроль сроков (Правила возмещения, Алгоритм взаимодействия)';
export const DEADLINES_TITLE = 'Контроль сроков выплаты возмещения стоимости услуг индивидуального помощника';

export const DEADLINE_RULE_TEXT: Record<DeadlineItemDoc['rule'], string> = {
  'demand-request': 'Направление заявки о сумме потребности (следующий рабочий день)',
  funding: 'Перечисление средств МИО (2 рабочих дня после даты заявки)',
  payment: 'Выплата поставщику (2 рабочих дня после поступления средств)',
  'return-relayed': 'Передача возврата в АИС «Е-Собес» (следующий рабочий день)',
  'return-shown': 'Уведомление поставщика о возврате (1 рабочий день)',
  repayment: 'Повторная выплата после смены реквизитов (2 рабочих дня)',
  'sent-back': 'Возврат невыплаченной суммы МИО (последний рабочий день следующего месяца)',
  'reconciliation-signed': 'Подписание акта сверки (до 25-го числа месяца, следующего за отчётным периодом)',
  'reconciliation-copies': 'Получение от МИО двух подписанных экземпляров акта сверки (до 10-го числа второго месяца после отчётного периода)',
};

export const DEADLINE_STATUS_TEXT: Record<DeadlineItemDoc['status'], string> = {
  breached: 'Нарушен',
  open: 'В работе',
  met_late: 'Исполнен с опозданием',
  met: 'Исполнен',
};

/** "act:123/АВР-1" → «Акт АВР-1, поставщик 123»; the object codes of pipeline/steps/check-deadlines/deadlines.ts. */
export function deadlineObjectText(object: string): string {
  const act = (s: string) => {
    const i = s.indexOf('/');
    return i < 0 ? `акт ${s}` : `акт ${s.slice(i + 1)}, поставщик ${s.slice(0, i)}`;
  };
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  let m = /^act:(.+)$/.exec(object);
  if (m) return cap(act(m[1]));
  m = /^return:(.+)$/.exec(object);
  if (m) return `Возврат ${m[1]}`;
  m = /^reconciliation:(\d{4}-\d{2}):(\d{12})$/.exec(object);
  if (m) return `Акт сверки за ${m[1]}, МИО ${m[2]}`;
  m = /^demand:(\d{4}-\d{2}):(\d{12})(?::act:(.+?))?(?::return:([^:]+))?$/.exec(object);
  if (m) {
    const head = `Потребность ${m[1]}, МИО ${m[2]}`;
    const what = [m[3] ? act(m[3]) : null, m[4] ? `сумма возврата ${m[4]}, запрошенная повторно` : null].filter(Boolean);
    return what.length ? `${head}: ${what.join('; ')}` : head;
  }
  return object;
}

export const DEADLINES_COLUMNS: Column[] = [
  { key: 'no', header: '№', type: 'count' },
  { key: 'rule', header: 'Срок', type: 'text' },
  { key: 'object', header: 'Объект', type: 'text' },
  { key: 'due', header: 'Дата исполнения по сроку', type: 'date' },
  { key: 'status', header: 'Состояние', type: 'text' },
  { key: 'days_late', header: 'Просрочка, рабочих дней', type: 'count' },
];

export function deadlinesForm(doc: DeadlinesReport, input: FormInput): FormFile[] {
  const { as_of: asOf, items } = doc;
  const rows = items.map((it, i) => ({
    no: i + 1,
    rule: DEADLINE_RULE_TEXT[it.rule],
    object: deadlineObjectText(it.object),
    due: it.due,
    status: DEADLINE_STATUS_TEXT[it.status],
    statusKey: it.status,
    days_late: it.days_late,
  }));
  const counts = Object.entries(DEADLINE_STATUS_TEXT).map(([k, text]) => `${text}: ${rows.filter((r) => r.statusKey === k).length}`);
  return [
    {
      baseName: input.baseName,
      // The objects name providers by ИИН.
      personalData: true,
      document: {
        form: DEADLINES_FORM,
        title: DEADLINES_TITLE,
        period: `По состоянию на ${dateText(asOf)}`,
        orientation: 'landscape',
        sections: [
          {
            name: 'Сроки',
            heading: [counts.join('; ')],
            columns: widened(DEADLINES_COLUMNS, rows, ['rule', 'object']),
            rows,
            footer: [
              ...(rows.length === 0 ? ['Сроков для контроля нет.'] : []),
              ...(!doc.checked ? ['Проверка сроков на эту дату не запускалась: данные рассчитаны при формировании отчёта.'] : []),
            ],
          },
        ],
      },
    },
  ];
}
