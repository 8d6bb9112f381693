// The approved forms as the Algorithm prints them (the joint order of 26/31 July 2024 No. 277 and
// No. 459/НҚ, Appendices 1–4): the label, «Форма», the title, the header lines in their order, the
// column headings in their words with their numbers, the groups over columns, the lines under the
// table. Copied from the Russian text of the appendices; only the typesetting of the source is
// undone (words broken across lines joined, letters spaced out «И И Н» closed up, the line breaks
// of the narrow columns made spaces). Two slips of the source are not copied: Appendix 2's label
// reads «Приложение 2 Алгоритму» (no «к») and drops the comma after «Акмолинской области»; the
// label is printed as the other three have it. The tests read every printed form against this
// table (test/forms-appendix.test.ts); nothing here is taken from the code under test.

export interface AppendixColumn {
  /** The column number printed under the headings. */
  no: number;
  heading: string;
  /** The heading over several columns, when the column stands under one. */
  group?: string;
}

export interface Appendix {
  no: 1 | 2 | 3 | 4;
  /** «Приложение N» and the rest of the label, as one text (whitespace aside). */
  label: string;
  formWord: 'Форма';
  title: string;
  /** The header lines between the title and the table, in order; the blank to fill is cut off. */
  headerLines: string[];
  columns: AppendixColumn[];
  /** The totals row's label, when the appendix has one under its table. */
  totalsLabel?: string;
  /** Lines under the table (their fixed part). */
  below: string[];
  /** The captions under the signature lines. */
  signatureCaptions: string[];
}

const LABEL_REST =
  'к Алгоритму взаимодействия центральных государственных и местных исполнительных органов городов Астана и Алматы, ' +
  'Акмолинской области, информационных систем и организаций при реализации пилотного проекта по возмещению стоимости ' +
  'услуг индивидуального помощника местными исполнительными органами через некоммерческое акционерное общество ' +
  '"Государственная корпорация "Правительство для граждан"';

const SIGNATURE = '(фамилия, имя, отчество (при его наличии) должность и подпись ответственного лица)';
const GK = 'НАО "Государственная корпорация "Правительство для граждан"';

export const APPENDIX_1: Appendix = {
  no: 1,
  label: `Приложение 1 ${LABEL_REST}`,
  formWord: 'Форма',
  title: 'Список по актам выполненных работ на выплату возмещения стоимости услуг индивидуального помощника через Государственную корпорацию',
  headerLines: ['Подразделение:', 'Месяц на выплату:'],
  columns: [
    { no: 1, heading: '№' },
    { no: 2, heading: 'Область' },
    { no: 3, heading: 'Регион' },
    { no: 4, heading: 'ИИН ЛСИ' },
    { no: 5, heading: 'ФИО ЛСИ' },
    { no: 6, heading: 'БИН НПО/ИИН ИП/поставщика' },
    { no: 7, heading: 'Наименование НПО/ИП/ФИО поставщика' },
    { no: 8, heading: 'ИИН помощника' },
    { no: 9, heading: 'ФИО помощника' },
    { no: 10, heading: 'Номер заказа' },
    { no: 11, heading: 'Номер решения' },
    { no: 12, heading: 'Номер акта' },
    { no: 13, heading: 'Дата поступления акта' },
    { no: 14, heading: 'Месяц акта' },
    { no: 15, heading: 'Гарантированная сумма, тенге' },
    { no: 16, heading: 'сумма поставщику, тенге', group: 'из них' },
    { no: 17, heading: 'на обязательные пенсионные взносы (ОПВ), тенге', group: 'из них' },
    { no: 18, heading: 'на обязательное социальное медицинское страхование (ОСМС), тенге', group: 'из них' },
  ],
  below: ['* ЛСИ - лицо с инвалидностью'],
  signatureCaptions: [],
};

export const APPENDIX_2: Appendix = {
  no: 2,
  label: `Приложение 2 ${LABEL_REST}`,
  formWord: 'Форма',
  title: 'Сведения на возмещение стоимости услуги индивидуального помощника',
  headerLines: [],
  columns: [
    { no: 1, heading: '№' },
    {
      no: 2,
      heading: 'Индивидуальный идентификационный номер или бизнес-идентификационный номер поставщика и индивидуального помощника',
    },
    { no: 3, heading: 'Индивидуальный идентификационный номер лица с инвалидностью' },
    { no: 4, heading: 'Банковские реквизиты поставщика' },
    { no: 5, heading: 'Период оказания услуг (месяц)' },
    { no: 6, heading: 'Сумма на возмещение' },
    { no: 7, heading: 'Сумма на ОПВ' },
    { no: 8, heading: 'Сумма на ОСМС' },
  ],
  below: [],
  signatureCaptions: [],
};

export const APPENDIX_3: Appendix = {
  no: 3,
  label: `Приложение 3 ${LABEL_REST}`,
  formWord: 'Форма',
  title: `Акт сверки о поступивших суммах на выплату возмещения стоимости услуги индивидуального помощника между ${GK} и`,
  headerLines: ['(наименование МИО)', 'Отчетный период'],
  columns: [
    { no: 1, heading: 'Код строки' },
    { no: 2, heading: 'Бизнес-идентификационный номер МИО' },
    { no: 3, heading: 'Наименование МИО' },
    { no: 4, heading: '№ платежного поручения о поступивших суммах возмещения' },
    { no: 5, heading: 'Дата платежного поручения о поступивших суммах возмещения' },
    { no: 6, heading: 'Сумма, тенге' },
  ],
  below: ['Всего:'],
  signatureCaptions: [SIGNATURE, SIGNATURE],
};

export const APPENDIX_4: Appendix = {
  no: 4,
  label: `Приложение 4 ${LABEL_REST}`,
  formWord: 'Форма',
  title:
    'Сведения по произведенным суммам возмещения стоимости услуг индивидуального помощника в разрезе уполномоченной организации по',
  headerLines: ['(наименование МИО)', 'Отчетный период'],
  columns: [
    { no: 1, heading: '№ п/п' },
    { no: 2, heading: 'Наименование уполномоченной организации' },
    { no: 3, heading: 'количество получателей', group: `Перечислено ${GK}` },
    { no: 4, heading: 'сумма тенге', group: `Перечислено ${GK}` },
    { no: 5, heading: 'количество получателей', group: 'Возвращено уполномоченной организации' },
    { no: 6, heading: 'сумма тенге', group: 'Возвращено уполномоченной организации' },
    { no: 7, heading: 'количество получателей', group: `Выплачено ${GK}` },
    { no: 8, heading: 'сумма тенге', group: `Выплачено ${GK}` },
  ],
  totalsLabel: 'ИТОГО',
  below: [GK],
  signatureCaptions: [SIGNATURE],
};

export const APPENDICES = [APPENDIX_1, APPENDIX_2, APPENDIX_3, APPENDIX_4] as const;
