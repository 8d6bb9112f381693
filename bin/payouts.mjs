#!/usr/bin/env node
// Entry point: run the TypeScript CLI through tsx so that `npx payouts` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./payouts.ts');
