// The f2b-scan command line. The cron job's own command line (`f2b-scan [scan]` with plain
// scan flags) is read here directly and never loads yargs: building yargs' parser cost more
// than the rest of an idle run. Anything else (another command, --help, a typo, an unusual
// flag form) goes to yargs-main.ts, which reads it as before.

import { fastScanArgs, fastScanOptions } from './fast-scan.ts';
import { runScanCommand } from './scan.ts';

const argv = process.argv.slice(2);
const fast = fastScanArgs(argv);
if (fast) await runScanCommand(fast, fastScanOptions(argv));
else await import('./yargs-main.ts');
