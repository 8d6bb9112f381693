// The registry of import kinds (INTERFACE.md "Input files").
import type { ImportKind, ImportKindName } from './kind.ts';
import { miosImport } from './mios.ts';
import { banksImport } from './banks.ts';
import { providersImport } from './providers.ts';
import { actsImport } from './acts.ts';
import { exemptionsImport } from './exemptions.ts';
import { bankDetailsImport } from './bank-details.ts';
import { fundingImport } from './funding.ts';
import { returnsImport } from './returns.ts';

export const importKinds: Record<ImportKindName, ImportKind<unknown>> = {
  mios: miosImport as unknown as ImportKind<unknown>,
  banks: banksImport as unknown as ImportKind<unknown>,
  providers: providersImport as unknown as ImportKind<unknown>,
  acts: actsImport as unknown as ImportKind<unknown>,
  exemptions: exemptionsImport as unknown as ImportKind<unknown>,
  'bank-details': bankDetailsImport as unknown as ImportKind<unknown>,
  funding: fundingImport as unknown as ImportKind<unknown>,
  returns: returnsImport as unknown as ImportKind<unknown>,
};
