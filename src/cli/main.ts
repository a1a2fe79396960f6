// The f2b-scan command line. The cron job's own command line (`f2b-scan [scan]` with plain
// scan flags) is read here directly and never loads yargs: building yargs' parser cost more
// than the rest of an idle run. Anything else (another command, --help, a typo, an unusual
// flag form) goes to yargs-main.ts, which reads it as before.

import { fastScanArgs } from './fast-scan.ts';
import { runScanCommand } from './scan.ts';

const argv = process.argv.slice(2);
const fast = fastScanArgs(argv);
// A --config given on the line must exist (yargs-main checks it for every other line).
if (fast) await runScanCommand(fast, { checkConfig: argv.some((a) => a === '--config' || a.startsWith('--config=')) });
else await import('./yargs-main.ts');
