// Expected failures carry the exit code of INTERFACE.md and a message a finance officer
// understands (Russian). Anything else is an unexpected failure (exit 1).

export class PayoutsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Exit 2: an unusable command or file; nothing changed. */
export class UsageError extends PayoutsError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Exit 4: refused by a business rule; nothing changed. `rule` names the rule. */
export class BusinessRuleError extends PayoutsError {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message, 4);
  }
}
