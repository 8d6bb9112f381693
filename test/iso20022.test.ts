import Big from 'big.js';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../pipeline/kernel/errors.ts';
import { makeKzIban } from '../pipeline/kernel/identifiers.ts';
import {
  buildPain001,
  writePain001,
  buildPain002,
  Iso20022FormatError,
  PAIN001_NAMESPACE,
  PAIN002_NAMESPACE,
  parsePain002,
  type Pain001Message,
} from '../pipeline/iso20022/index.ts';
import { validId } from './support/ids.ts';
import { parsePain001, type ParsedPain001 } from './support/pain001-parser.ts';

const GK_BIN = '160440007161';
const ASSISTANT_IIN = validId('85031230021');
const ENTREPRENEUR_IIN = validId('90010240013');
const NPO_BIN = validId('05024000123');

function message(overrides: Partial<Pain001Message> = {}): Pain001Message {
  return {
    messageId: 'PO-2025-000042',
    createdAt: '2025-02-17T10:15:00+05:00',
    initiatingParty: { name: 'НАО «Государственная корпорация "Правительство для граждан"»', bin: GK_BIN },
    debtor: { name: 'НАО «Правительство для граждан»', bin: GK_BIN, iban: makeKzIban('070', '0000000000001'), bik: 'GCVPKZ2A' },
    paymentInfoId: 'PO-2025-000042-1',
    requestedExecutionDate: '2025-02-17',
    purposeKnp: '010',
    transactions: [
      {
        endToEndId: 'E2E-2025-000042-0001',
        amount: '112345.67',
        creditor: { name: 'Иванов Иван Иванович', idNumber: ASSISTANT_IIN, iban: makeKzIban('722', 'S000012345678'), bik: 'CASPKZKA', kbe: '19' },
        remittance: 'Возмещение услуг индивидуального помощника за 2025-01',
        knp: '010',
      },
      {
        endToEndId: 'E2E-2025-000042-0002',
        amount: '0.1',
        creditor: { name: 'ИП "Сулейменов & К°"', idNumber: ENTREPRENEUR_IIN, iban: makeKzIban('601', '0000000000077'), bik: 'HSBKKZKX', kbe: '19' },
        remittance: "Возмещение <по акту № 7> 'январь'",
        knp: '010',
      },
      {
        endToEndId: 'E2E-2025-000042-0003',
        amount: '0.2',
        creditor: { name: 'ОФ «Жан & Шуақ» <НПО>', idNumber: NPO_BIN, iban: makeKzIban('914', '398KZT0000001'), bik: 'SABRKZKA', kbe: '17' },
        remittance: '',
        knp: '010',
      },
    ],
    ...overrides,
  };
}

/** One unit of the given kind (fast-check 4 has no fc.char). */
function oneCodePoint(unit: 'binary' | 'binary-ascii' | 'grapheme'): fc.Arbitrary<string> {
  return fc.string({ unit, minLength: 1, maxLength: 1 });
}

function withoutControl(parsed: ParsedPain001): Pain001Message {
  const { control: _control, ...msg } = parsed;
  return msg;
}

// An independent reader for structure checks (fast-xml-parser with its own defaults).
const plain = new XMLParser({ ignoreAttributes: false, parseTagValue: false, removeNSPrefix: true, isArray: (n) => n === 'CdtTrfTxInf' });

describe('buildPain001 / parsePain001', () => {
  it('builds three transactions that parse back with every amount, NbOfTxs and CtrlSum', () => {
    const msg = message();
    const xml = buildPain001(msg);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(`<Document xmlns="${PAIN001_NAMESPACE}">`);

    const parsed = parsePain001(xml);
    const expectedSum = msg.transactions.reduce((s, t) => s.plus(t.amount), new Big(0)).toFixed(2);
    expect(expectedSum).toBe('112345.97'); // 0.1 + 0.2 stays 0.30 with big.js
    expect(parsed.control).toEqual({
      groupNbOfTxs: '3',
      groupCtrlSum: expectedSum,
      paymentNbOfTxs: '3',
      paymentCtrlSum: expectedSum,
    });
    expect(parsed.transactions.map((t) => t.amount)).toEqual(['112345.67', '0.10', '0.20']);
    expect(parsed.transactions.reduce((s, t) => s.plus(t.amount), new Big(0)).toFixed(2)).toBe(parsed.control.groupCtrlSum);

    expect(withoutControl(parsed)).toEqual({
      ...msg,
      transactions: msg.transactions.map((t) => ({ ...t, amount: new Big(t.amount).toFixed(2) })),
    });
  });

  it('writes the elements a bank expects', () => {
    const doc = plain.parse(buildPain001(message())).Document.CstmrCdtTrfInitn;
    expect(doc.GrpHdr.MsgId).toBe('PO-2025-000042');
    expect(doc.GrpHdr.CreDtTm).toBe('2025-02-17T10:15:00+05:00');
    expect(doc.GrpHdr.InitgPty.Id.OrgId.Othr.Id).toBe(GK_BIN);
    const pmt = doc.PmtInf;
    expect(pmt.PmtMtd).toBe('TRF');
    expect(pmt.ReqdExctnDt.Dt).toBe('2025-02-17');
    expect(pmt.PmtTpInf.CtgyPurp.Prtry).toBe('010');
    expect(pmt.Dbtr.Id.OrgId.Othr.Id).toBe(GK_BIN);
    expect(pmt.DbtrAcct.Id.IBAN).toBe(makeKzIban('070', '0000000000001'));
    expect(pmt.DbtrAgt.FinInstnId.BICFI).toBe('GCVPKZ2A');
    const [first, second, third] = pmt.CdtTrfTxInf;
    expect(first.PmtId.EndToEndId).toBe('E2E-2025-000042-0001');
    expect(first.Amt.InstdAmt).toEqual({ '#text': '112345.67', '@_Ccy': 'KZT' });
    expect(first.CdtrAgt.FinInstnId.BICFI).toBe('CASPKZKA');
    expect(first.Cdtr.Nm).toBe('Иванов Иван Иванович');
    expect(first.Cdtr.Id.PrvtId.Othr.Id).toBe(ASSISTANT_IIN); // an ИИН: private identification
    expect(third.Cdtr.Id.OrgId.Othr.Id).toBe(NPO_BIN); // a БИН: organisation identification
    expect(first.CdtrAcct.Id.IBAN).toBe(makeKzIban('722', 'S000012345678'));
    expect(first.Purp.Prtry).toBe('010');
    expect(first.RmtInf.Ustrd).toBe('Возмещение услуг индивидуального помощника за 2025-01 КНП 010 КБе 19');
    expect(second.RmtInf.Ustrd).toBe("Возмещение <по акту № 7> 'январь' КНП 010 КБе 19");
    expect(third.RmtInf.Ustrd).toBe('КНП 010 КБе 17');
  });

  it('escapes quotes, ampersands, angle brackets and keeps «» as they are', () => {
    const xml = buildPain001(message());
    expect(xml).toContain('<Nm>ИП &quot;Сулейменов &amp; К°&quot;</Nm>');
    expect(xml).toContain('<Nm>ОФ «Жан &amp; Шуақ» &lt;НПО&gt;</Nm>');
    expect(xml).toContain('<Ustrd>Возмещение &lt;по акту № 7&gt; &apos;январь&apos; КНП 010 КБе 19</Ustrd>');
    expect(xml).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;|#13;)/);
  });

  it('writes a carriage return as a character reference, so no XML parser can normalise it away', () => {
    const base = message();
    const tx = base.transactions[0];
    const xml = buildPain001({ ...base, transactions: [{ ...tx, remittance: 'строка 1\r\nстрока 2' }] });
    expect(xml).toContain('<Ustrd>строка 1&#13;\nстрока 2 КНП 010 КБе 19</Ustrd>');
    expect(parsePain001(xml).transactions[0].remittance).toBe('строка 1\r\nстрока 2');
  });

  it('is deterministic and parse → build gives back the same bytes', () => {
    const xml = buildPain001(message());
    expect(buildPain001(message())).toBe(xml);
    expect(buildPain001(withoutControl(parsePain001(xml)))).toBe(xml);
  });

  it('round-trips any text in names and purposes', () => {
    // XML 1.0 cannot carry most control characters; everything else must come back unchanged.
    const text = (max: number) =>
      fc
        .string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", '«', '»', ' ', '\n', '\r', '\t', ';', '#', 'К', 'ә'), oneCodePoint('binary-ascii'), oneCodePoint('binary'), oneCodePoint('grapheme')), maxLength: max })
        .filter((s) => ![...s].some((ch) => (ch < ' ' && !'\t\n\r'.includes(ch)) || ch === '\uFFFE' || ch === '\uFFFF'));
    const name = text(60).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(name, name, text(100), (debtorName, creditorName, remittance) => {
        const base = message();
        const msg: Pain001Message = {
          ...base,
          debtor: { ...base.debtor, name: debtorName },
          transactions: [{ ...base.transactions[0], creditor: { ...base.transactions[0].creditor, name: creditorName }, remittance }],
        };
        const xml = buildPain001(msg);
        expect(XMLValidator.validate(xml)).toBe(true);
        const back = parsePain001(xml);
        expect(back.debtor.name).toBe(debtorName);
        expect(back.transactions[0].creditor.name).toBe(creditorName);
        expect(back.transactions[0].remittance).toBe(remittance);
        expect(buildPain001(withoutControl(back))).toBe(xml);
      }),
      { numRuns: 300 },
    );
  });

  it('CtrlSum is the exact big.js sum of the amounts', () => {
    const amount = fc
      .tuple(fc.bigInt({ min: 0n, max: 99_999_999_999n }), fc.integer({ min: 0, max: 99 }))
      .filter(([w, t]) => w > 0n || t > 0)
      .map(([w, t]) => `${w.toString()}.${String(t).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 30 }), (amounts) => {
        const base = message();
        const template = base.transactions[0];
        const transactions = amounts.map((a, i) => ({ ...template, endToEndId: `E2E-${i + 1}`, amount: a }));
        const parsed = parsePain001(buildPain001({ ...base, transactions }));
        const expected = amounts.reduce((s, a) => s.plus(a), new Big(0)).toFixed(2);
        expect(parsed.control.groupCtrlSum).toBe(expected);
        expect(parsed.control.paymentCtrlSum).toBe(expected);
        expect(parsed.control.groupNbOfTxs).toBe(String(amounts.length));
        expect(parsed.transactions.map((t) => t.amount)).toEqual(amounts.map((a) => new Big(a).toFixed(2)));
      }),
      { numRuns: 200 },
    );
  });

  describe('refuses a message it must not send', () => {
    const base = message();
    const tx = base.transactions[0];
    const cases: Array<[string, Pain001Message, string]> = [
      ['no transactions', { ...base, transactions: [] }, 'нет ни одной операции'],
      ['a zero amount', { ...base, transactions: [{ ...tx, amount: '0.00' }] }, 'больше нуля'],
      ['three decimals', { ...base, transactions: [{ ...tx, amount: '1.005' }] }, 'сумма'],
      ['a negative amount', { ...base, transactions: [{ ...tx, amount: '-5' }] }, 'сумма'],
      ['a duplicate EndToEndId', { ...base, transactions: [tx, { ...tx }] }, 'повторяется'],
      ['a wrong IBAN checksum', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, iban: 'KZ00722S000012345678' } }] }, 'IBAN получателя'],
      ['a wrong ИИН checksum', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, idNumber: '850312300219' } }] }, 'ИИН/БИН получателя'],
      ['a bad БИК', { ...base, debtor: { ...base.debtor, bik: 'gcvpkz2a' } }, 'БИК плательщика'],
      ['a bad КНП', { ...base, transactions: [{ ...tx, knp: '10' }] }, 'КНП'],
      ['a bad КБе', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, kbe: '1' } }] }, 'КБе'],
      ['a bad date', { ...base, requestedExecutionDate: '2025-02-30' }, 'дата исполнения'],
      ['a bad CreDtTm', { ...base, createdAt: '17.02.2025' }, 'CreDtTm'],
      ['a long MsgId', { ...base, messageId: 'X'.repeat(36) }, 'длиннее 35'],
      ['a control character', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name: 'Иванов\u0007' } }] }, 'управляющий символ'],
      ['a lone surrogate', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name: 'Иванов\ud83d' } }] }, 'управляющий символ'],
      ['U+FFFF', { ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name: 'Иванов\uffff' } }] }, 'управляющий символ'],
    ];
    it('writes in pieces nothing at all when a later transaction is bad, and the pieces make buildPain001', () => {
      const many = { ...base, transactions: Array.from({ length: 50 }, (_v, i) => ({ ...tx, endToEndId: `E2E-${i}` })) };
      const pieces: string[] = [];
      writePain001(many, (xml) => pieces.push(xml));
      expect(pieces.length).toBeGreaterThan(50);
      expect(pieces.join('')).toBe(buildPain001(many));
      const bad = { ...many, transactions: [...many.transactions.slice(0, 49), { ...tx, endToEndId: 'E2E-49', amount: '0.00' }] };
      const written: string[] = [];
      expect(() => writePain001(bad, (xml) => written.push(xml))).toThrow('операция 50: сумма должна быть больше нуля');
      expect(written).toEqual([]);
    });

    it('counts a surrogate pair as one character and escapes markup', () => {
      const name = '😀' + 'Ж'.repeat(134) + ' <&">';
      const xml = buildPain001({ ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name } }] });
      expect(xml).toContain(`<Nm>😀${'Ж'.repeat(134)} &lt;&amp;&quot;&gt;</Nm>`);
      expect(parsePain001(xml).transactions[0].creditor.name).toBe(name);
    });
    it('fits a name and a purpose longer than 140 characters instead of refusing them (issue 13.1)', () => {
      // 141 characters, a surrogate pair first: cut to 140 characters at a character boundary.
      const long = '😀' + 'Ж'.repeat(140);
      const purpose = 'Ж'.repeat(126);
      const xml = buildPain001({
        ...base,
        initiatingParty: { ...base.initiatingParty, name: 'И'.repeat(150) },
        debtor: { ...base.debtor, name: 'Д'.repeat(150) },
        transactions: [{ ...tx, creditor: { ...tx.creditor, name: long }, remittance: purpose }],
      });
      const back = parsePain001(xml);
      expect(back.transactions[0].creditor.name).toBe('😀' + 'Ж'.repeat(139));
      expect([...back.transactions[0].creditor.name]).toHaveLength(140);
      expect(back.initiatingParty.name).toBe('И'.repeat(140));
      expect(back.debtor.name).toBe('Д'.repeat(140));
      // The purpose keeps its codes whole: 124 characters of text, a space, 15 of codes = 140.
      const codes = ` КНП ${tx.knp} КБе ${tx.creditor.kbe}`;
      expect(back.transactions[0].remittance).toBe('Ж'.repeat(140 - codes.length));
      // The same input gives the same bytes.
      expect(buildPain001({ ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name: long }, remittance: purpose }] })).toBe(
        buildPain001({ ...base, transactions: [{ ...tx, creditor: { ...tx.creditor, name: long }, remittance: purpose }] }),
      );
    });
    it.each(cases)('%s', (_label, msg, text) => {
      expect(() => buildPain001(msg)).toThrow(Iso20022FormatError);
      expect(() => buildPain001(msg)).toThrow(text);
    });
  });

  it('refuses to read back a document of another kind', () => {
    const pain002 = buildPain002({ messageId: 'R', createdAt: '2025-02-18T10:00:00', originalMessageId: 'X', transactions: [] });
    expect(() => parsePain001(pain002)).toThrow('неизвестное пространство имён');
  });
});

describe('parsePain002', () => {
  it('round-trips the rejected transactions and skips the accepted ones', () => {
    const xml = buildPain002({
      messageId: 'HSBK-RJCT-0001',
      createdAt: '2025-02-19T11:00:00+05:00',
      originalMessageId: 'PO-2025-000042',
      transactions: [
        { endToEndId: 'E2E-2025-000042-0001', amount: '112345.67', reasonCode: 'AC04', reasonText: 'Счёт закрыт', acceptedAt: '2025-02-18T16:20:00+05:00' },
        { endToEndId: 'E2E-2025-000042-0002', status: 'ACSC' },
        { endToEndId: 'E2E-2025-000042-0003', amount: '1500.5', reasonCode: 'AC06', reasonText: ['Счёт заблокирован', 'по решению суда «№ 2» & ЧСИ <Алматы>'] },
        { endToEndId: 'E2E-2025-000042-0004', status: 'ACCP' },
      ],
    });
    expect(xml).toContain(`<Document xmlns="${PAIN002_NAMESPACE}">`);
    expect(XMLValidator.validate(xml)).toBe(true);
    const report = parsePain002(xml);
    expect(report.messageId).toBe('HSBK-RJCT-0001');
    expect(report.originalMessageId).toBe('PO-2025-000042');
    expect(report.rows).toEqual([
      {
        rowNo: 1,
        payment_ref: 'E2E-2025-000042-0001',
        amount: '112345.67',
        returned_on: '2025-02-18',
        reason_code: 'AC04',
        reason_text: 'Счёт закрыт',
      },
      {
        rowNo: 3,
        payment_ref: 'E2E-2025-000042-0003',
        amount: '1500.5', // exactly as written: the import's check decides
        returned_on: '2025-02-19', // no AccptncDtTm: the date of the report
        reason_code: 'AC06',
        reason_text: 'Счёт заблокирован по решению суда «№ 2» & ЧСИ <Алматы>',
      },
    ]);
    expect(report.skipped).toEqual([
      { rowNo: 2, payment_ref: 'E2E-2025-000042-0002', status: 'ACSC' },
      { rowNo: 4, payment_ref: 'E2E-2025-000042-0004', status: 'ACCP' },
    ]);
  });

  it('gives rows with the columns of the CSV returns import', () => {
    const xml = buildPain002({
      messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
      transactions: [{ endToEndId: 'E1', amount: '10.00', reasonCode: 'BE01' }],
    });
    const [row] = parsePain002(xml).rows;
    const { rowNo: _rowNo, ...columns } = row;
    expect(Object.keys(columns)).toEqual(['payment_ref', 'amount', 'returned_on', 'reason_code', 'reason_text']);
    expect(columns).toEqual({ payment_ref: 'E1', amount: '10.00', returned_on: '2025-03-03', reason_code: 'BE01', reason_text: '' });
  });

  it('round-trips random references, amounts and reason texts', () => {
    const safe = fc.string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", '«', '»', 'Қ', 'ё'), oneCodePoint('binary-ascii')), minLength: 1, maxLength: 35 })
      .filter((s) => s.trim() === s && s !== '' && ![...s].some((ch) => ch < ' '));
    const word = fc.string({ unit: fc.oneof(fc.constantFrom('&', '<', '"', 'Ж', 'а'), oneCodePoint('binary-ascii')), minLength: 1, maxLength: 30 })
      .filter((s) => !/\s/.test(s) && ![...s].some((ch) => ch < ' '));
    const reasonText = fc.array(word, { minLength: 1, maxLength: 12 }).map((ws) => ws.join(' '));
    const tx = fc.record({
      endToEndId: safe,
      rejected: fc.boolean(),
      amount: fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 99 })).map(([w, t]) => `${w}.${String(t).padStart(2, '0')}`),
      reasonCode: fc.constantFrom('AC01', 'AC04', 'AC06', 'BE01'),
      reasonText,
    });
    fc.assert(
      fc.property(fc.array(tx, { minLength: 1, maxLength: 10 }), (txs) => {
        const xml = buildPain002({
          messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
          transactions: txs.map((t) => ({ ...t, status: t.rejected ? 'RJCT' : 'ACSC' })),
        });
        const report = parsePain002(xml);
        const expectedRows = txs.flatMap((t, i) =>
          t.rejected
            ? [{ rowNo: i + 1, payment_ref: t.endToEndId, amount: t.amount, returned_on: '2025-03-03', reason_code: t.reasonCode, reason_text: t.reasonText }]
            : [],
        );
        expect(report.rows).toEqual(expectedRows);
        expect(report.skipped.map((s) => s.rowNo)).toEqual(txs.flatMap((t, i) => (t.rejected ? [] : [i + 1])));
      }),
      { numRuns: 200 },
    );
  });

  it('reads a pain.002.001.03 from a bank: prefixes, status inherited, several reasons', () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- выписка банка -->
<p:Document xmlns:p="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <p:CstmrPmtStsRpt>
    <p:GrpHdr>
      <p:MsgId>CASP/2025/03/000017</p:MsgId>
      <p:CreDtTm>2025-03-04T19:30:00Z</p:CreDtTm>
    </p:GrpHdr>
    <p:OrgnlGrpInfAndSts>
      <p:OrgnlMsgId>PO-2025-000051</p:OrgnlMsgId>
      <p:OrgnlMsgNmId>pain.001.001.09</p:OrgnlMsgNmId>
      <p:GrpSts>PART</p:GrpSts>
    </p:OrgnlGrpInfAndSts>
    <p:OrgnlPmtInfAndSts>
      <p:OrgnlPmtInfId>PO-2025-000051-1</p:OrgnlPmtInfId>
      <p:PmtInfSts>RJCT</p:PmtInfSts>
      <p:TxInfAndSts>
        <p:OrgnlEndToEndId> E2E-51-0001 </p:OrgnlEndToEndId>
        <p:StsRsnInf>
          <p:Rsn><p:Cd>AC01</p:Cd></p:Rsn>
          <p:AddtlInf>Неверный номер</p:AddtlInf>
          <p:AddtlInf>счёта получателя</p:AddtlInf>
        </p:StsRsnInf>
        <p:StsRsnInf>
          <p:Rsn><p:Prtry>KZ-17</p:Prtry></p:Rsn>
          <p:AddtlInf>ФИО не совпадает &#x2014; &quot;Иванов&quot;</p:AddtlInf>
        </p:StsRsnInf>
        <p:OrgnlTxRef>
          <p:Amt><p:InstdAmt Ccy="KZT">  7000.00 </p:InstdAmt></p:Amt>
        </p:OrgnlTxRef>
      </p:TxInfAndSts>
      <p:TxInfAndSts>
        <p:OrgnlEndToEndId>E2E-51-0002</p:OrgnlEndToEndId>
        <p:TxSts>ACSC</p:TxSts>
      </p:TxInfAndSts>
    </p:OrgnlPmtInfAndSts>
  </p:CstmrPmtStsRpt>
</p:Document>`;
    const report = parsePain002(xml);
    expect(report.namespace).toBe('urn:iso:std:iso:20022:tech:xsd:pain.002.001.03');
    expect(report.rows).toEqual([
      {
        rowNo: 1,
        payment_ref: 'E2E-51-0001',
        amount: '7000.00',
        returned_on: '2025-03-05', // 19:30 UTC is 00:30 next day in Almaty
        reason_code: 'AC01',
        reason_text: 'Неверный номер счёта получателя; ФИО не совпадает — "Иванов"',
      },
    ]);
    expect(report.skipped).toEqual([{ rowNo: 2, payment_ref: 'E2E-51-0002', status: 'ACSC' }]);
  });

  it.each(['03', '04', '05', '06', '07', '08', '09', '10'])('accepts pain.002.001.%s', (v) => {
    const xml = buildPain002({
      messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
      transactions: [{ endToEndId: 'E1', amount: '1.00', reasonCode: 'AC04' }],
    }).replace(PAIN002_NAMESPACE, `urn:iso:std:iso:20022:tech:xsd:pain.002.001.${v}`);
    expect(parsePain002(xml).rows).toHaveLength(1);
  });

  describe('refuses what is not a pain.002 status report', () => {
    const good = buildPain002({
      messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
      transactions: [{ endToEndId: 'E1', amount: '1.00', reasonCode: 'AC04' }],
    });
    const cases: Array<[string, string, string]> = [
      ['a pain.001', buildPain001(message()), `неизвестное пространство имён «${PAIN001_NAMESPACE}»`],
      ['a camt.054', good.replace(PAIN002_NAMESPACE, 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.08'), 'неизвестное пространство имён'],
      ['pain.002.001.02', good.replace(PAIN002_NAMESPACE, 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.02'), 'неизвестное пространство имён'],
      ['pain.002.001.11', good.replace(PAIN002_NAMESPACE, 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.11'), 'неизвестное пространство имён'],
      ['no namespace', good.replace(` xmlns="${PAIN002_NAMESPACE}"`, ''), 'пространство имён не указано'],
      ['malformed XML', good.replace('</TxSts>', '</TxStatus>'), 'не является корректным XML'],
      ['an unescaped ampersand', good.replace('<MsgId>M</MsgId>', '<MsgId>M & N</MsgId>'), 'не является корректным XML'],
      ['an HTML entity', good.replace('<MsgId>M</MsgId>', '<MsgId>M&nbsp;N</MsgId>'), 'не является корректным XML'],
      ['CSV text', 'payment_ref,amount,returned_on,reason_code,reason_text\nE1,1.00,2025-03-03,AC04,\n', 'не является корректным XML'],
      ['an empty file', '  \n', 'файл пуст'],
      ['no Document', good.replace(/Document/g, 'Envelope'), 'нет корневого элемента Document'],
      ['two roots', `${good}<Document xmlns="${PAIN002_NAMESPACE}"/>`, 'больше одного корневого элемента'],
      ['a DOCTYPE', good.replace('<Document', '<!DOCTYPE Document [<!ENTITY x "y">]>\n<Document'), 'DOCTYPE'],
      ['no CstmrPmtStsRpt', `<Document xmlns="${PAIN002_NAMESPACE}"><Other/></Document>`, 'нет элемента CstmrPmtStsRpt'],
    ];
    it.each(cases)('%s', (_label, xml, text) => {
      let error: unknown;
      try {
        parsePain002(xml);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Iso20022FormatError);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as Error).message).toContain(text);
    });
  });

  it('refuses a whole-message rejection that names no transaction', () => {
    const xml = buildPain002({ messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO', groupStatus: 'RJCT', transactions: [] });
    expect(() => parsePain002(xml)).toThrow('отклонено целиком');
  });

  it('reads a whole-message acceptance as nothing to take', () => {
    const xml = buildPain002({ messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO', groupStatus: 'ACSC', transactions: [] });
    expect(parsePain002(xml)).toMatchObject({ rows: [], skipped: [] });
  });

  it('refuses a rejected amount in another currency', () => {
    const xml = buildPain002({
      messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
      transactions: [{ endToEndId: 'E1', amount: '1.00', currency: 'USD', reasonCode: 'AC04' }],
    });
    expect(() => parsePain002(xml)).toThrow('валюта USD, ожидается KZT');
  });

  it('passes missing or odd values through for the row checks to refuse', () => {
    const xml = buildPain002({
      messageId: 'M', createdAt: 'вчера', originalMessageId: 'PO',
      transactions: [{ endToEndId: '', reasonCode: 'AC04' }, { endToEndId: 'E2', amount: '12,50', acceptedAt: '2025-02-30T10:00:00' }],
    });
    expect(parsePain002(xml).rows).toEqual([
      { rowNo: 1, payment_ref: '', amount: '', returned_on: 'вчера', reason_code: 'AC04', reason_text: '' },
      { rowNo: 2, payment_ref: 'E2', amount: '12,50', returned_on: '2025-02-30', reason_code: '', reason_text: '' },
    ]);
  });

  it('is deterministic', () => {
    const input = {
      messageId: 'M', createdAt: '2025-03-03T09:00:00', originalMessageId: 'PO',
      transactions: [{ endToEndId: 'E1', amount: '1.00', reasonCode: 'AC04', reasonText: 'Слово '.repeat(40).trim() }],
    };
    const xml = buildPain002(input);
    expect(buildPain002(input)).toBe(xml);
    // A reason longer than 105 characters is cut into several AddtlInf and read back whole.
    expect(xml.match(/<AddtlInf>/g)?.length).toBeGreaterThan(1);
    expect(parsePain002(xml).rows[0].reason_text).toBe(input.transactions[0].reasonText);
  });
});
