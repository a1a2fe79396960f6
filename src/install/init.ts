// `f2b-scan init`: survey the machine's logs and propose (or write) a jail.local.

import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { builtinRulesDir } from '../util/paths.ts';
import { renderInitJailLocal } from './init-render.ts';
import { shouldEnable, surveyJails, type JailSurvey } from './survey.ts';

export { surveyJails, shouldEnable, readTail, underRoot, TAIL_LINES, TAIL_BYTES, type JailSurvey, type SurveyedLog } from './survey.ts';
export { renderInitJailLocal } from './init-render.ts';

export interface InitRequest {
  root: string;
  configDir: string;
  write: boolean;
  force: boolean;
  now: number;
}

export interface InitResult {
  /** What goes to stdout: the jail.local, or a summary when it was written. */
  output: string;
  /** One line each, for stderr. */
  warnings: string[];
  surveys: JailSurvey[];
  exitCode: number;
}

export async function runInit(req: InitRequest): Promise<InitResult> {
  const root = resolve(req.root);
  const cfg = loadConfig({ configDir: req.configDir, builtinDir: builtinRulesDir() });
  const surveys = await surveyJails(cfg, { root, now: req.now });
  const text = renderInitJailLocal(surveys, { root, now: req.now });
  const warnings = cfg.warnings.filter((w) => !w.includes('configuration directory not found'));
  if (!req.write) return { output: text, warnings, surveys, exitCode: 0 };

  const target = join(resolve(req.configDir), 'jail.local');
  if (existsSync(target) && !req.force) {
    return {
      output: '',
      warnings: [...warnings, `${target} exists; not overwritten (--force replaces it; its settings were part of this survey)`],
      surveys,
      exitCode: 2,
    };
  }
  mkdirSync(resolve(req.configDir), { recursive: true });
  const tmp = `${target}.f2b-scan-tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, target);
  const enabled = surveys.filter(shouldEnable).map((s) => s.jail);
  return {
    output: `wrote ${target}: ${enabled.length ? `enabled ${enabled.join(', ')}` : 'no jail enabled'}\n`,
    warnings,
    surveys,
    exitCode: 0,
  };
}
