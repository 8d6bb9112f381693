// Structured logs never carry a whole ИИН/БИН; and which failures the worker retries.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskText, maskValue } from '../pipeline/kernel/logger.ts';
import { BusinessRuleError, isTransient } from '../pipeline/kernel/errors.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      raw.push(String(chunk));
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { lines, raw, log: createLogger({ destination, level: 'debug' }) };
}

describe('log masking', () => {
  it('masks a 12-digit ИИН/БИН standing alone, keeps amounts, IBANs and longer numbers', () => {
    expect(maskText('provider 850312300214 paid')).toBe('provider 8503****0214 paid');
    expect(maskText('850312300214,160440007161')).toBe('8503****0214,1604****7161');
    expect(maskText('amount 123456789012.50')).toBe('amount 123456789012.50');
    expect(maskText('KZ86125KZT5004100100')).toBe('KZ86125KZT5004100100');
    expect(maskText('ref 1234567890123')).toBe('ref 1234567890123'); // 13 digits: not an ИИН
    expect(maskText('2025-03-14')).toBe('2025-03-14');
  });

  it('masks keys, nested values, arrays, numbers and errors', () => {
    expect(
      maskValue({ provider: '850312300214', list: ['160440007161'], nested: { 850312300214: 850312300214 }, count: 3 }),
    ).toEqual({ provider: '8503****0214', list: ['1604****7161'], nested: { '8503****0214': '8503****0214' }, count: 3 });
    const e = maskValue(new Error('МИО с БИН 160440007161 нет в справочнике')) as Record<string, unknown>;
    expect(e.message).toBe('МИО с БИН 1604****7161 нет в справочнике');
    expect(String(e.stack)).not.toMatch(/160440007161/);
  });

  it('every line a logger writes is masked: message, format arguments, fields, child bindings, errors', () => {
    const { lines, raw, log } = capture();
    log.info({ provider: '850312300214' }, 'paid %s to %s', '47196.16', '850312300214');
    log.child({ mio: '160440007161' }).warn('refused for 160440007161');
    log.error({ err: new Error('row of 850312300214 refused') }, 'failed');
    log.child({ role: 'worker' }).child({ provider: '850312300214' }).info('grandchild');
    const text = raw.join('');
    expect(text).not.toMatch(/850312300214|160440007161/);
    expect(lines[0]).toMatchObject({ level: 30, provider: '8503****0214', msg: 'paid 47196.16 to 8503****0214' });
    expect(lines[1]).toMatchObject({ mio: '1604****7161', msg: 'refused for 1604****7161' });
    expect(lines[2]).toMatchObject({ msg: 'failed', err: { message: 'row of 8503****0214 refused' } });
    expect(lines[3]).toMatchObject({ role: 'worker', provider: '8503****0214', msg: 'grandchild' });
  });
});

describe('transient failures (retried by the worker)', () => {
  it('connection losses and retry-me SQLSTATEs are transient', () => {
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('could not serialize access'), { code: '40001' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'))).toBe(true);
    expect(isTransient(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'all failed'))).toBe(true);
    expect(isTransient(new Error('wrapped', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(true);
  });

  it('business refusals, bad data and bugs are not', () => {
    expect(isTransient(new BusinessRuleError('non-working-day', 'Платёжные поручения не формируются в нерабочий день'))).toBe(false);
    expect(isTransient(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});
