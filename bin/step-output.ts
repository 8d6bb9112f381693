// How a `run` command reports a step's outcome: one line for people, one JSON document with --json.
import type { StepOutcome } from '../pipeline/kernel/step-run.ts';
import type { CliContext } from './context.ts';

export function printStepOutcome<R>(
  ctx: CliContext,
  step: string,
  key: string,
  outcome: StepOutcome<R>,
  describe: (summary: Record<string, unknown>) => string,
): void {
  const base = { step, key, as_of: ctx.asOf, status: outcome.status, summary: outcome.summary };
  if (outcome.status === 'already-done') {
    ctx.print(
      `Шаг ${step} за ${key} уже выполнен ${outcome.ranOn} (оператор ${outcome.operator}); ничего не изменено.\n` +
        describe(outcome.summary),
      { ...base, ran_on: outcome.ranOn, operator: outcome.operator },
    );
    return;
  }
  const head = outcome.status === 'dry-run' ? `Пробный запуск ${step} за ${key} (ничего не записано):` : `Шаг ${step} за ${key} выполнен:`;
  ctx.print(`${head}\n${describe(outcome.summary)}`, base);
}

/** The lines that say which files are still to be written and the command that writes them. */
export function pendingFilesText(pending: string[], error: string | null, exportCommand: string): string[] {
  if (pending.length === 0) return [];
  return [
    `  ВНИМАНИЕ: операция записана в базу, но файлы не записаны (${error ?? 'ошибка записи'}):`,
    ...pending.map((f) => `    не записан ${f}`),
    `  Запишите их командой: ${exportCommand}`,
  ];
}
