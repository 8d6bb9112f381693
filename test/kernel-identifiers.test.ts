import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { iinBinCheckDigit, isValidBik, isValidIinBin, isValidKzIban, makeKzIban, maskIdentifier } from '../pipeline/kernel/identifiers.ts';

describe('ИИН/БИН', () => {
  it('known values', () => {
    // 1·1 + 6·2 + 0·3 + 4·4 + 4·5 + 0·6 + 0·7 + 0·8 + 7·9 + 1·10 + 6·11 = 188; 188 mod 11 = 1
    expect(iinBinCheckDigit('16044000716')).toBe(1);
    expect(isValidIinBin('160440007161')).toBe(true);
    expect(isValidIinBin('160440007162')).toBe(false);
    expect(isValidIinBin('160440007160')).toBe(false);
    expect(isValidIinBin('16044000716')).toBe(false);
    expect(isValidIinBin('1604400071611')).toBe(false);
    expect(isValidIinBin('16044000716a')).toBe(false);
    expect(isValidIinBin(' 160440007161')).toBe(false);
  });

  it('second weight set when the first sum gives 10', () => {
    // 00000000010: only d10 = 1. Set 1: 1·10 = 10 → 10, recompute.
    // Set 2 (3,4,5,6,7,8,9,10,11,1,2): d10 has weight 1 → 1·1 = 1 → check digit 1
    expect(iinBinCheckDigit('00000000010')).toBe(1);
    expect(isValidIinBin('000000000101')).toBe(true);
    expect(isValidIinBin('000000000100')).toBe(false);
    // 00000000005: set 1: 5·11 = 55 mod 11 = 0 → 0
    expect(iinBinCheckDigit('00000000005')).toBe(0);
    // 10000000001: set 1: 1·1 + 1·11 = 12 mod 11 = 1
    expect(iinBinCheckDigit('10000000001')).toBe(1);
  });

  it('null when both weight sets give 10', () => {
    // Find 11 digits for which both weight sets give 10, and check it by hand.
    let found: string | null = null;
    for (let i = 0; i < 100_000 && !found; i++) {
      const s = String(i).padStart(11, '0');
      if (iinBinCheckDigit(s) === null) found = s;
    }
    expect(found).not.toBeNull();
    const s = found!;
    const w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const w2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    const sum = (w: number[]) => [...s].reduce((acc, d, i) => acc + Number(d) * w[i], 0);
    expect(sum(w1) % 11).toBe(10);
    expect(sum(w2) % 11).toBe(10);
    for (let d = 0; d <= 9; d++) expect(isValidIinBin(s + d)).toBe(false);
  });

  it('property: a generated check digit is the only valid one', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (first11) => {
        const c = iinBinCheckDigit(first11);
        for (let d = 0; d <= 9; d++) expect(isValidIinBin(first11 + d)).toBe(c === d);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IBAN KZ', () => {
  it('known values', () => {
    expect(isValidKzIban('KZ92009MEDS368609103')).toBe(true);
    expect(isValidKzIban('KZ92009MEDS368609104')).toBe(false); // last character changed
    expect(isValidKzIban('KZ93009MEDS368609103')).toBe(false); // check digit changed
    expect(isValidKzIban('KZ92009MEDT368609103')).toBe(false); // letter changed
    expect(isValidKzIban('kz92009MEDS368609103')).toBe(false);
    expect(isValidKzIban('KZ92 009M EDS3 6860 9103')).toBe(false);
    expect(isValidKzIban('KZ92009MEDS36860910')).toBe(false);
    expect(isValidKzIban('KZ9200AMEDS368609103')).toBe(false); // bank code must be digits
    expect(isValidKzIban('DE89370400440532013000')).toBe(false); // valid IBAN, but not KZ
    expect(makeKzIban('009', 'MEDS368609103')).toBe('KZ92009MEDS368609103');
  });

  it('generator refuses malformed parts', () => {
    expect(() => makeKzIban('09', 'MEDS368609103')).toThrow();
    expect(() => makeKzIban('009', 'meds368609103')).toThrow();
    expect(() => makeKzIban('009', 'MEDS36860910')).toThrow();
  });

  it('property: a generated IBAN is valid, and a changed check digit is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{3}$/), fc.stringMatching(/^[A-Z0-9]{13}$/), fc.integer({ min: 1, max: 9 }), (bank, account, delta) => {
        const iban = makeKzIban(bank, account);
        expect(iban).toHaveLength(20);
        expect(isValidKzIban(iban)).toBe(true);
        const pos = 2 + (delta % 2); // one of the two check digits
        const changed = iban.slice(0, pos) + String((Number(iban[pos]) + delta) % 10) + iban.slice(pos + 1);
        expect(isValidKzIban(changed)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('БИК and masking', () => {
  it('БИК', () => {
    expect(isValidBik('GCVPKZ2A')).toBe(true);
    expect(isValidBik('HSBKKZKX')).toBe(true);
    expect(isValidBik('GCVPRU2A')).toBe(false);
    expect(isValidBik('gcvpkz2a')).toBe(false);
    expect(isValidBik('GCVPKZ2')).toBe(false);
    expect(isValidBik('GCVPKZ2AX')).toBe(false);
  });

  it('masks identifiers for logs', () => {
    expect(maskIdentifier('850312300214')).toBe('8503****0214');
    expect(maskIdentifier('KZ92009MEDS368609103')).toBe('KZ92************9103');
    expect(maskIdentifier('12345678')).toBe('********');
  });
});
