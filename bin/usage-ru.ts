// Commander's own words in Russian: its usage errors (unknown command, unknown option, missing
// argument, required option, too many arguments…), the help's headings and the help option. The
// settings are inherited by every command created after `russianCommander(program)`.
import { Help, type Command } from 'commander';

const TITLES: Record<string, string> = {
  'Usage:': 'Использование:',
  'Options:': 'Параметры:',
  'Global Options:': 'Общие параметры:',
  'Commands:': 'Команды:',
  'Arguments:': 'Аргументы:',
};

// Commander 14's messages, each with its Russian form. The first that matches wins.
const MESSAGES: [RegExp, (...m: string[]) => string][] = [
  [/^unknown command '(.*)'$/, (c) => `неизвестная команда «${c}»`],
  [/^unknown option '(.*)'$/, (o) => `неизвестный параметр «${o}»`],
  [/^missing required argument '(.*)'$/, (a) => `не указан обязательный аргумент «${a}»`],
  [/^option '(.*)' argument missing$/, (o) => `у параметра «${o}» не указано значение`],
  [/^required option '(.*)' not specified$/, (o) => `не указан обязательный параметр «${o}»`],
  [
    /^too many arguments for '(.*)'\. Expected (\d+) arguments? but got (\d+)\.$/,
    (c, e, g) => `лишние аргументы у команды «${c}»: ожидается ${e}, получено ${g}`,
  ],
  [/^too many arguments\. Expected (\d+) arguments? but got (\d+)\.$/, (e, g) => `лишние аргументы: ожидается ${e}, получено ${g}`],
  [/^(.*) cannot be used with (.*)$/, (a, b) => `${a} нельзя указывать вместе с ${b}`],
  [/^option '(.*)' argument '(.*)' is invalid\.$/, (o, v) => `недопустимое значение «${v}» параметра «${o}»`],
  [/^command-argument value '(.*)' is invalid for argument '(.*)'\.$/, (v, a) => `недопустимое значение «${v}» аргумента «${a}»`],
];

/** One commander message (`error: …`, possibly with «Did you mean …?») in Russian. */
export function russianUsageMessage(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const err = /^error: (.*)$/.exec(line);
      if (err) {
        for (const [re, ru] of MESSAGES) {
          const m = re.exec(err[1]);
          if (m) return `Ошибка: ${ru(...m.slice(1))}`;
        }
        return `Ошибка: ${err[1]}`;
      }
      const hint = /^\(Did you mean (one of )?(.*)\?\)$/.exec(line);
      if (hint) return `(Возможно, имелось в виду: ${hint[2]})`;
      return line;
    })
    .join('\n');
}

/** The help text's fixed words in Russian: usage placeholders and defaults. */
function russianUsage(usage: string): string {
  return usage.replace('[options]', '[параметры]').replace('[command]', '[команда]');
}

/** Applies the Russian messages and help to `program` (before its commands are added). */
export function russianCommander(program: Command): Command {
  return program
    .configureHelp({
      styleTitle: (s: string) => TITLES[s] ?? s,
      commandUsage(cmd: Command): string {
        return russianUsage(Help.prototype.commandUsage.call(this, cmd));
      },
      subcommandTerm(cmd: Command): string {
        return russianUsage(Help.prototype.subcommandTerm.call(this, cmd));
      },
      optionDescription(option): string {
        return Help.prototype.optionDescription
          .call(this, option)
          .replace(/\(default: (.*)\)$/, '(по умолчанию: $1)')
          .replace(/\(choices: (.*)\)/, '(варианты: $1)');
      },
    })
    .configureOutput({ outputError: (str, write) => write(russianUsageMessage(str)) })
    .helpOption('-h, --help', 'показать справку по команде')
    .helpCommand('help [команда]', 'показать справку по команде')
    .showHelpAfterError()
    .exitOverride();
}
