// `f2b-scan stop [jail...]`: lift every ban from the firewall and remove what start created; the state keeps the bans (start or the next run puts them back).

import { lifecycleCommand } from './start.ts';

export const stopCommand = lifecycleCommand({
  name: 'stop',
  describe: 'lift every ban from the firewall and remove what start created; the state keeps the bans (start or the next run puts them back)',
  example: ['$0 stop sshd', 'take the sshd jail out of the firewall'],
});
