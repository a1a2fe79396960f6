// The ban policy: pure decisions (decide), the bantime.* arithmetic, and the ignore rules.
export { decide, banCandidates, failureWeight, MAX_LINES, FUTURE_SLACK, DEFAULT_HISTORY_AGE } from './decide.ts';
export type { PolicyState, PolicyResult, DecideInput, IsIgnored, Ignored } from './decide.ts';
export { banDuration, banUntil, priorBans, checkBantimePolicy, DEFAULT_FORMULA } from './bantime.ts';
export { compileFormula, type Formula, type FormulaVars } from './formula.ts';
export { makeIsIgnored, parseIgnoreIp, type PreparedIgnore } from './ignore.ts';
export { prepareIgnore, prepareIgnoreData, type PrepareIgnoreOptions } from './prepare-ignore.ts';
export { checkPolicy } from './check.ts';
