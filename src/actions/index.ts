// The actions stage as the run sees it. Backends themselves load lazily (registry.ts).

export { enforce, startedKey, type ActionOutcome, type EnforceInput, type EnforceResult } from './enforce.ts';
export { stopActions } from './stop.ts';
export { failedOutcomeLines, outcomesExitCode, oneLineCommand } from './outcomes.ts';
export { rangeRefusalFor } from './ranges.ts';
export { resolveActionParams } from './params.ts';
export { knownActions } from './registry.ts';
export type { Backend, BackendFactory, BanItem, StepResult, ActionParams } from './backend.ts';
