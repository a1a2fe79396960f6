# fail2ban-regex as fail2ban-server reads a live log: fail2ban's multi-line cache (Filter.mlfidCache,
# utils.Cache) expires its entries by the reading clock, time.time(). fail2ban-regex reads a
# file in a second, so nothing ever expires there; a server reading as the lines are written
# sees its clock follow the log. This runs Debian's fail2ban-regex unchanged with the cache's
# clock set to the date of the line being matched. Arguments: those of fail2ban-regex.
import sys
import time
import types

from fail2ban.server import filter as f2bfilter
from fail2ban.server import utils
from fail2ban.client.fail2banregex import exec_command_line

clock = [time.time()]
utils.time = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("__")})
utils.time.time = lambda: clock[0]

find = f2bfilter.Filter.findFailure


def findFailure(self, tupleLine, date, *args, **kwargs):
    if date is not None:
        clock[0] = date
    return find(self, tupleLine, date, *args, **kwargs)


f2bfilter.Filter.findFailure = findFailure
exec_command_line(sys.argv[1:])
