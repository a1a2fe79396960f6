// The ban policy: one pass per run (decide), fail2ban's counting (ticket), the bantime.*
// arithmetic, and the ignore rules.
export { decide, startPolicy, PolicyPass, JailFold, FUTURE_SLACK, FUTURE_REASON, DEFAULT_HISTORY_AGE } from './decide.ts';
export type { PolicyResult, PolicyOptions, DecideInput, IsIgnored, Ignored, JailNeeds } from './decide.ts';
export { failureWeight, countingOf, type Counting } from './ticket.ts';
export { banDuration, banUntil, priorBans, checkBantimePolicy, DEFAULT_FORMULA } from './bantime.ts';
export { compileFormula, type Formula, type FormulaVars } from './formula.ts';
export { makeIsIgnored, parseIgnoreIp, type PreparedIgnore } from './ignore.ts';
export { prepareIgnore, prepareIgnoreData, type PrepareIgnoreOptions } from './prepare-ignore.ts';
export { checkPolicy } from './check.ts';
