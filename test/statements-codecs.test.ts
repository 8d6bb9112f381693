// The three statement codecs (pipeline/statements/): each writer's file read back by its parser
// and the mapping gives the same statement; detection by content; the hardening and the checks a
// file must pass before anything is written (exit 2); the mapping as data (a bank's own fields,
// patterns, the period convention); the golden files in fixtures/statements/ stay byte-identical.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../pipeline/kernel/errors.ts';
import { detectFormat, parseStatement, readStatement, writeStatement } from '../pipeline/statements/codecs.ts';
import { parseCamt053, writeCamt053 } from '../pipeline/statements/camt053.ts';
import { parseMt940, structuredInfo } from '../pipeline/statements/mt940.ts';
import { decodeOnec, encodeCp1251, parseOnec } from '../pipeline/statements/onec.ts';
import { applyMapping, loadMappings, mappingFor, type MappingFile } from '../pipeline/statements/mapping.ts';
import { checkConsistency, StatementFormatError, type EntryAttributes, type Statement } from '../pipeline/statements/model.ts';
import { parseOrderMessageId } from '../pipeline/statements/matcher.ts';
import { orderMessageId } from '../pipeline/orders/numbering.ts';
import { FORMATS, GK } from './support/statements.ts';
import { SAMPLE_DIR, SAMPLE_FILES, sampleBytes, sampleStatement } from '../fixtures/statements/make.ts';

const MIO_IBAN = 'KZ94070105KSN0000001';

const sample = sampleStatement;

/** What each format carries of the sample's attributes, read back through the default mapping. */
function carried(format: Statement['format'], a: EntryAttributes, dir: 'credit' | 'debit'): Partial<EntryAttributes> {
  const keep = (keys: (keyof EntryAttributes)[]) => Object.fromEntries(keys.filter((k) => a[k] !== '').map((k) => [k, a[k]]));
  switch (format) {
    case 'camt053':
      return keep(['instructionId', 'endToEndId', 'messageId', 'counterpartyIban', 'counterpartyName', 'counterpartyId', 'purpose', 'reasonCode', 'reasonText', 'bankReference']);
    case 'mt940':
      return keep([dir === 'credit' ? 'instructionId' : 'messageId', 'endToEndId', 'documentNumber', 'documentDate', 'counterpartyIban', 'counterpartyName', 'counterpartyId', 'purpose', 'reasonCode', 'reasonText', 'bankReference']);
    case 'onec':
      // No message id, no bank reference; the return's reference and reason ride in the purpose.
      return keep(['instructionId', 'endToEndId', 'documentNumber', 'counterpartyIban', 'counterpartyId', 'reasonCode', 'reasonText']);
  }
}

describe('statement codecs', () => {
  it.each(FORMATS)('%s: the writer\'s file is detected by content and reads back to the same statement', (format) => {
    const s = sample(format);
    const bytes = writeStatement(s, format, { owner: { name: GK.name, id: GK.bin } });
    expect(detectFormat(bytes)).toBe(format);
    const { statement, mapping } = readStatement(bytes, 'без имени.bin', { defaultBic: GK.bik });
    expect(mapping.name).toBe(`${format}:default`);
    expect(statement).toMatchObject({ format, from: '2025-02-20', to: '2025-02-20', statementDate: '2025-02-20', opening: '1000.50', closing: s.closing });
    expect(statement.statementNo).toBe(format === 'onec' ? '' : '00051/001');
    expect(statement.entries.map((e) => [e.seq, e.direction, e.amount, e.bookingDate])).toEqual(s.entries.map((e) => [e.seq, e.direction, e.amount, e.bookingDate]));
    statement.entries.forEach((e, i) => {
      expect(e.attributes, `entry ${i + 1}`).toMatchObject(carried(format, s.entries[i].attributes, e.direction));
    });
    // 1C: Kazakh letters become their Russian neighbours in Windows-1251; the others keep them.
    expect(statement.entries[0].attributes.counterpartyName).toBe(format === 'onec' ? 'ГУ «Управление социальной защиты Костанай»' : 'ГУ «Управление социальной защиты Қостанай»');
    expect(() => checkConsistency(statement, 'x')).not.toThrow();
  });

  it('writes the same bytes for the same statement, and reads the committed files (fixtures/statements/)', () => {
    for (const format of FORMATS) {
      const golden = readFileSync(path.join(SAMPLE_DIR, SAMPLE_FILES[format]));
      expect(sampleBytes(format).equals(golden), SAMPLE_FILES[format]).toBe(true);
      const { statement } = readStatement(golden, SAMPLE_FILES[format]);
      expect(statement.entries.map((e) => [e.direction, e.amount])).toEqual(sample(format).entries.map((e) => [e.direction, e.amount]));
    }
  });

  it('detects nothing in other files, and says which formats it takes', () => {
    expect(detectFormat(Buffer.from('mio_bin,pp_no,pp_date,amount\n'))).toBeNull();
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"/>'))).toBeNull();
    const err = (() => {
      try {
        parseStatement(Buffer.from('просто текст'), 'notes.txt');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('Файл notes.txt не похож на выписку банка: ожидается ISO 20022 camt.053.001.08, SWIFT MT940, 1CClientBankExchange (формат определяется по содержимому)');
  });

  it('order message ids read back into year and number', () => {
    expect(parseOrderMessageId(orderMessageId(2025, 123))).toEqual({ year: 2025, number: 123 });
    expect(parseOrderMessageId(orderMessageId(2026, 1234567))).toEqual({ year: 2026, number: 1234567 });
    expect(parseOrderMessageId('GK2025-12')).toBeNull();
    expect(parseOrderMessageId('A-0218')).toBeNull();
  });
});

describe('checks before anything is written', () => {
  it('a broken balance is refused with both figures', () => {
    const s = { ...sample('camt053'), closing: '150000.00' };
    expect(() => checkConsistency(s, 'st.xml')).toThrow(StatementFormatError);
    expect(() => checkConsistency(s, 'st.xml')).toThrow(
      'Выписка st.xml: остатки не сходятся с операциями — входящий остаток 1000.50 + поступления 196507.65 − списания 85103.09 = 112405.06, ' +
        'а исходящий остаток в выписке 150000.00 (расхождение 37594.94). Выписка не принята',
    );
  });

  it('an entry booked outside the period, declared totals that disagree, another currency: refused', () => {
    const s = sample('camt053');
    const late = { ...s, entries: s.entries.map((e, i) => (i === 1 ? { ...e, bookingDate: '2025-02-21' } : e)) };
    expect(() => checkConsistency(late, 'st.xml')).toThrow('операция № 2 проведена 2025-02-21, вне периода выписки 2025-02-20 — 2025-02-20');
    expect(() => checkConsistency({ ...s, declared: { credits: '1.00' } }, 'st.xml')).toThrow('указано поступлений на 1.00, а по операциям 196507.65');
    expect(() => checkConsistency({ ...s, declared: { debitCount: 3 } }, 'st.xml')).toThrow('указано списаний 3, а операций по дебету 2');
    expect(() => checkConsistency({ ...s, account: { ...s.account, currency: 'USD' } }, 'st.xml')).toThrow('валюта счёта USD');
  });
});

describe('camt.053', () => {
  const xml = writeCamt053(sample('camt053'));

  it('refuses a DOCTYPE, another namespace, two statements in one file', () => {
    expect(() => parseCamt053(xml.replace('<Document', '<!DOCTYPE x [<!ENTITY a "b">]><Document'))).toThrow('DOCTYPE');
    expect(() => parseCamt053(xml.replace('camt.053.001.08', 'camt.053.001.02'))).toThrow('пространство имён «urn:iso:std:iso:20022:tech:xsd:camt.053.001.02»');
    const stmt = xml.slice(xml.indexOf('<Stmt>'), xml.indexOf('</Stmt>') + 7);
    expect(() => parseCamt053(xml.replace(stmt, stmt + stmt))).toThrow('ожидается одна выписка (Stmt) в файле, найдено 2');
  });

  it('reads a debit balance as negative, skips entries not booked, counts a batch, reads a reversal', () => {
    let text = xml.replace(/<Amt Ccy="KZT">1000\.50<\/Amt>\s*<CdtDbtInd>CRDT/, '<Amt Ccy="KZT">1000.50</Amt><CdtDbtInd>DBIT');
    text = text.replace('<Cd>BOOK</Cd>', '<Cd>PDNG</Cd>'); // the first entry
    const raw = parseCamt053(text);
    expect(raw.opening).toBe('-1000.50');
    expect(raw.skipped).toEqual([{ seq: 1, status: 'PDNG' }]);
    expect(raw.entries.map((e) => e.seq)).toEqual([2, 3, 4]);
    const tx = xml.slice(xml.indexOf('<TxDtls>'), xml.indexOf('</TxDtls>') + 9);
    const batch = parseCamt053(xml.replace(tx, tx + tx).replace(/(<CdtDbtInd>CRDT<\/CdtDbtInd>\s*)<Sts>/, '$1<RvslInd>true</RvslInd><Sts>'));
    expect(batch.entries[0]).toMatchObject({ transactions: 2, reversal: true });
    expect(batch.entries[0].fields['NtryDtls/TxDtls/Refs/InstrId']).toBe('A-0218');
  });

  it('refuses an entry in another currency and a summary that disagrees', () => {
    expect(() => parseStatement(Buffer.from(xml.replace('<Amt Ccy="KZT">150.00</Amt>', '<Amt Ccy="USD">150.00</Amt>')), 's.xml')).toThrow(
      'Файл s.xml: camt.053: операция 4 (Ntry): валюта USD, а валюта счёта KZT',
    );
    const wrongSum = Buffer.from(xml.replace('<Sum>196507.65</Sum>', '<Sum>196507.66</Sum>'));
    const { statement } = readStatement(wrongSum, 's.xml');
    expect(() => checkConsistency(statement, 's.xml')).toThrow('указано поступлений на 196507.66, а по операциям 196507.65');
  });
});

describe('MT940', () => {
  const text = writeStatement(sample('mt940'), 'mt940').toString('utf8');

  it('fits a 150-character name and a long purpose into :86: (6 lines of 65) instead of refusing (issue 13.1)', () => {
    const s = sample('mt940');
    const name = `ГУ «${'Ә'.repeat(145)}»/`;
    const purpose = 'Возврат невыплаченного возмещения '.repeat(10);
    const long = { ...s, entries: s.entries.map((e, i) => (i === 0 ? { ...e, attributes: { ...e.attributes, counterpartyName: name, purpose } } : e)) };
    const { statement } = readStatement(writeStatement(long, 'mt940'), 's.sta');
    const a = statement.entries[0].attributes;
    expect(a.counterpartyName).toBe([...name].slice(0, 140).join(''));
    expect(a.purpose.length).toBeGreaterThan(100);
    expect(purpose.startsWith(a.purpose)).toBe(true);
  });

  it('reads the SWIFT blocks: the bank from block 2, the fields from block 4', () => {
    const wrapped = `{1:F01GCVPKZ2AAXXX0000000000}{2:O9401200250220HSBKKZKXAXXX00000000002502201200N}{4:\r\n${text}-}`;
    const raw = parseMt940(wrapped);
    expect(raw.servicerBic).toBe('HSBKKZKX');
    expect(raw.entries).toHaveLength(4);
    expect(mappingFor(loadMappings(), 'mt940', raw.servicerBic).name).toBe('mt940:default');
  });

  it('reads NONREF as no reference, RC as a reversal, an entry date across the new year, Windows-1251 text', () => {
    const s = [
      ':20:STMT',
      ':25:GCVPKZ2A/' + GK.iban,
      ':28C:00001/001',
      ':60F:C241231KZT100,00',
      ':61:2412310101RC5,NTRFNONREF//X1',
      ':86:/EREF/GK2024-000009-00001/RTRN/CUST/RTXT/Отказ клиента',
      ':62F:C250101KZT105,00',
      '',
    ].join('\n');
    const raw = parseMt940(new TextDecoder('windows-1251').decode(encodeCp1251(s, 't')));
    expect(raw.account.iban).toBe(GK.iban);
    expect(raw.entries[0]).toMatchObject({ direction: 'credit', reversal: true, amount: '5.00', bookingDate: '2025-01-01', valueDate: '2024-12-31' });
    expect(raw.entries[0].fields).toMatchObject({ '61.customer_ref': '', '61.bank_ref': 'X1', '86.EREF': 'GK2024-000009-00001', '86.RTRN': 'CUST', '86.RTXT': 'Отказ клиента' });
    // The same file in Windows-1251 bytes is detected and read.
    const bytes = encodeCp1251(s, 't');
    expect(detectFormat(bytes)).toBe('mt940');
    expect(parseStatement(bytes, 'st.sta').entries[0].fields['86.RTXT']).toBe('Отказ клиента');
  });

  it('splits :86: only at the known codes', () => {
    expect(structuredInfo('/EREF/GK1/RTRN/CUST/RTXT/a/b', ['EREF', 'RTRN', 'RTXT'])).toEqual({ EREF: 'GK1', RTRN: 'CUST', RTXT: 'a/b' });
    expect(structuredInfo('свободный текст', ['EREF'])).toEqual({});
  });

  it('refuses two statements in one file and a field it cannot read', () => {
    expect(() => parseMt940(`${text}${text}`)).toThrow('встречается 2 раз: ожидается одна выписка в файле');
    expect(() => parseMt940(text.replace(':60F:C250220KZT1000,50', ':60F:C250230KZT1000,50'))).toThrow('поле :60F:: некорректная дата «250230»');
    expect(() => parseMt940(text.replace(/:61:2502200220C149311,49/, ':61:2502200220C149311.49'))).toThrow('операция 1');
  });
});

describe('1CClientBankExchange', () => {
  const bytes = writeStatement(sample('onec'), 'onec', { owner: { name: GK.name, id: GK.bin } });

  it('is Windows-1251 by its own Кодировка line; DOS (cp866) and the Russian field names are read too', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const text = decodeOnec(bytes);
    expect(text).toContain('Кодировка=Windows');
    const russian = text.replace(/ПлательщикИИК/g, 'ПлательщикСчет').replace(/ПолучательИИК/g, 'ПолучательСчет').replace('Кодировка=Windows', 'Кодировка=UTF-8');
    const raw = parseOnec(Buffer.from(russian, 'utf8'));
    // cp866 bytes, built from the decoder's own table.
    const dos = new Map<string, number>();
    for (let b = 0x80; b <= 0xff; b++) dos.set(new TextDecoder('ibm866').decode(Uint8Array.of(b)), b);
    const dosText = russian.replace('Кодировка=UTF-8', 'Кодировка=DOS').replace(/[Әә]/g, 'А');
    const dosBytes = Buffer.from([...dosText].map((ch) => (ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : dos.get(ch)!)));
    expect(parseOnec(dosBytes).entries[0].fields['НазначениеПлатежа']).toBe('Финансирование по заявке');
    expect(raw.entries.map((e) => e.direction)).toEqual(['credit', 'debit', 'credit', 'debit']);
    expect(applyMapping(raw, mappingFor(loadMappings(), 'onec', '')).entries[0].attributes.counterpartyIban).toBe(MIO_IBAN);
  });

  it('refuses a document of another account, a file cut short, totals that disagree', () => {
    const text = decodeOnec(bytes).replace('Кодировка=Windows', 'Кодировка=UTF-8');
    const other = text.replace(`ПолучательИИК=${GK.iban}`, 'ПолучательИИК=KZ000000000000000000');
    expect(() => parseOnec(Buffer.from(other))).toThrow(
      `1CClientBankExchange: документ 1 (строка 21): ни плательщик (KZ94070105KSN0000001), ни получатель (KZ000000000000000000) не владелец счёта выписки ${GK.iban}`,
    );
    expect(() => parseOnec(Buffer.from(text.replace('КонецФайла', '')))).toThrow('нет строки КонецФайла: файл обрезан');
    const raw = parseOnec(Buffer.from(text.replace('ВсегоСписано=85103.09', 'ВсегоСписано=85103.10')));
    expect(() => checkConsistency(raw, 'st.txt')).toThrow('указано списаний на 85103.10, а по операциям 85103.09');
    expect(() => parseOnec(Buffer.from(text.replace('Кодировка=UTF-8', 'Кодировка=KOI8')))).toThrow('не удалось определить кодировку');
  });

  it('cannot write a character Windows-1251 does not have', () => {
    expect(() => encodeCp1251('Ok 😀', 'имя')).toThrow('символ «😀» не записать в Windows-1251');
  });
});

describe('the mapping is data', () => {
  const withBank = (bank: object): MappingFile => {
    const m = loadMappings();
    return { ...m, formats: { ...m.formats, onec: { ...m.formats.onec, banks: { HSBKKZKX: bank as never } } } };
  };

  it('a bank\'s own field for the instruction id and its own period convention, without a code change', () => {
    const s = sample('mt940');
    const text = writeStatement(s, 'mt940').toString('utf8').replace('/IBAN/', '/PPNO/A-0218-X/IBAN/').replace(':60F:C250220', ':60F:C250219');
    const m = loadMappings();
    const mappings: MappingFile = {
      ...m,
      formats: {
        ...m.formats,
        mt940: {
          ...m.formats.mt940,
          banks: { HSBKKZKX: { period_start: 'day_after_opening_date', attributes: { instruction_id: { credit: ['86.PPNO'], debit: [] } } } },
        },
      },
    };
    const { statement, mapping } = readStatement(Buffer.from(text), 'st.sta', { defaultBic: 'HSBKKZKX', mappings });
    expect(mapping.name).toBe('mt940:HSBKKZKX');
    expect(statement.from).toBe('2025-02-20');
    expect(statement.entries[0].attributes.instructionId).toBe('A-0218-X');
    // Other attributes keep the default mapping.
    expect(statement.entries[0].attributes.counterpartyIban).toBe(MIO_IBAN);
    // Without the bank's mapping the opening date starts the period.
    expect(readStatement(Buffer.from(text), 'st.sta').statement.from).toBe('2025-02-19');
  });

  it('patterns take the first group; the default 1C mapping reads the return from the purpose', () => {
    const { statement } = readStatement(writeStatement(sample('onec'), 'onec'), 'st.txt');
    expect(statement.entries[2].attributes).toMatchObject({ endToEndId: 'GK2025-000001-00001', reasonCode: 'AC04', reasonText: 'Счёт получателя закрыт' });
    const custom = withBank({ attributes: { instruction_id: { credit: [{ field: 'НазначениеПлатежа', pattern: '^(\\S+)' }], debit: [] } } });
    const bank = readStatement(writeStatement(sample('onec'), 'onec'), 'st.txt', { defaultBic: 'HSBKKZKX', mappings: custom });
    expect(bank.mapping.name).toBe('onec:HSBKKZKX');
    expect(bank.statement.entries[0].attributes.instructionId).toBe('Финансирование');
    expect(bank.statement.entries[0].attributes.documentNumber).toBe('A-0218');
  });

  it('refuses a mapping file with a pattern without a group or an unknown attribute', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mapping-'));
    const bad = structuredClone(loadMappings()) as unknown as { formats: { onec: { default: { attributes: Record<string, unknown> } } } };
    bad.formats.onec.default.attributes.end_to_end_id = [{ field: 'НазначениеПлатежа', pattern: 'GK\\d+' }];
    bad.formats.onec.default.attributes.pp_number = ['Номер'];
    const file = path.join(dir, 'm.json');
    writeFileSync(file, JSON.stringify(bad));
    expect(() => loadMappings(file)).toThrow(/в шаблоне нужна группа/);
    expect(() => loadMappings(file)).toThrow(/pp_number/);
  });
});
