// `f2b-scan list-filters [--json]`: the rules a jail can use, one line each with what it catches.

import type { CommandModule } from 'yargs';
import { failWith } from './common.ts';

interface ListFiltersArgs {
  config: string;
  json: boolean;
}

export const listFiltersCommand: CommandModule<object, ListFiltersArgs> = {
  command: 'list-filters',
  describe: 'the rules (filters) of --config/filter.d and the shipped ones: name, where from, what it catches, the enabled jails using it',
  builder: (y) =>
    y
      .option('json', { type: 'boolean', default: false, describe: 'print [{name, file, origin, description, jails}]' })
      .example('$0 list-filters | grep -i nginx', 'the rules for nginx') as never,
  handler: async (args) => {
    try {
      const { listFilters, formatFilterList } = await import('../ops/list-filters.ts');
      const r = listFilters({ configDir: args.config });
      for (const w of r.warnings) process.stderr.write(`f2b-scan: warning: ${w}\n`);
      process.stdout.write(args.json ? JSON.stringify(r.filters) + '\n' : formatFilterList(r.filters));
    } catch (e) {
      failWith(e);
    }
  },
};
