// The State Corporation's own requisites (reference/state-corporation.json): the payer of every
// payment order. Checked on reading (БИН, IBAN mod-97, БИК); a file marked `synthetic` carries
// sample requisites that only the demo and the tests may put in a bank file (DOMAIN.md §7).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isValidBik, isValidIinBin, isValidKzIban } from '../kernel/identifiers.ts';

export const STATE_CORPORATION_FILE = fileURLToPath(new URL('../../reference/state-corporation.json', import.meta.url));

const stateCorporationSchema = z.strictObject({
  name: z.string().min(1),
  bin: z.string().refine(isValidIinBin, { message: 'некорректный БИН' }),
  iban: z.string().refine(isValidKzIban, { message: 'некорректный IBAN' }),
  bik: z.string().refine(isValidBik, { message: 'некорректный БИК' }),
  kod: z.string().regex(/^\d{2}$/),
  synthetic: z.boolean(),
  note: z.string().optional(),
});
export type StateCorporation = z.infer<typeof stateCorporationSchema>;

export function loadStateCorporation(file: string = STATE_CORPORATION_FILE): StateCorporation {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Не удалось прочитать реквизиты Госкорпорации ${file}: ${(e as Error).message}`);
  }
  const parsed = stateCorporationSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `Некорректные реквизиты Госкорпорации ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
