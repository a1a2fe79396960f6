# The oracle for test/actions/action-render.test.ts: fail2ban 1.0.2's own code (Debian's
# python3 package, imported at test time, never copied) reads a configuration directory's
# jails and their actions exactly as fail2ban-client does (JailsReader -> command stream),
# builds each action as fail2ban-server does (CommandAction + the stream's `set` commands),
# and drives it through a jail's life with a recording executeCmd in place of the shell:
# nothing runs, every command text fail2ban would run is printed, labelled with the step.
#
# stdin (JSON): {"basedir": DIR, "now": EPOCH, "host": NAME, "tickets": [TICKET, ...]}
#   TICKET: the values of one ban as fail2ban's ActionInfo gives them (ip, family, ...),
#           "F-*" holding the filter's captures.
# stdout (JSON): {jail: {action: {"python": true} | {"life": [[step, cmd]...],
#                                                   "broken": [[step, cmd]...]}}}
#   life:   start; ban each ticket; consistency check; unban each ticket; stop.
#   broken: start; ban the first ticket; the firewall breaks, so the second ban fails once
#           and so does the check that follows: what fail2ban runs to recover (actionrepair,
#           else actionstop + actionstart), then the ban again.
#   stopHeld: start; ban each ticket; the server stops with the bans held (actionflush, or an
#           actionunban per ban; then actionstop).
import json
import sys

from fail2ban.client.jailsreader import JailsReader
from fail2ban.server.action import CommandAction
from fail2ban.server.ipdns import DNSUtils
from fail2ban.server.mytime import MyTime

spec = json.load(sys.stdin)
MyTime.setTime(spec["now"])
# The host name fail2ban puts in <fq-hostname>/<sh-hostname>: fixed, so both sides agree.
for fqdn in (True, False):
    DNSUtils.CACHE_ipToName.set(("self", "hostname", fqdn), spec["host"] if fqdn else spec["host"].split(".")[0])

reader = JailsReader(basedir=spec["basedir"])
if not reader.read():
    sys.exit("fail2ban could not read the jails in %s" % spec["basedir"])
reader.getOptions()
stream = reader.convert(allow_no_files=True)


class FakeActions:
    """What CommandAction asks of its jail's Actions for start/stop/flush (dynamic tags)."""
    banEpoch = 0

    def __init__(self):
        self.actionInfo = {}

    def _getActionInfo(self, ticket):
        return {}


class FakeJail:
    def __init__(self, name):
        self.name = name
        self.actions = FakeActions()

    def __str__(self):
        return self.name


record = []   # (operation, cmd) of the scenario being run
failing = []  # commands that fail once each (the broken firewall's ban, then its check)
step = ["?"]


operation = []  # the operation whose command runs: actionstart, actionban, actioncheck, ...


def execute(realCmd, timeout=60, **kwargs):
    if not realCmd:  # as CommandAction.executeCmd: nothing to do
        return True
    cmd = realCmd if isinstance(realCmd, str) else json.dumps(realCmd)
    op = operation[-1] if operation else step[0]
    if op == "actioncheck" and cmd == repair[0]:
        op, repair[0] = "actionrepair", None
    record.append([op, cmd])
    if cmd in failing:
        failing.remove(cmd)
        return False
    return True


CommandAction.executeCmd = staticmethod(execute)


def labelled(method, tag_of):
    def wrapper(self, *args, **kwargs):
        operation.append(tag_of(self, *args, **kwargs))
        try:
            return method(self, *args, **kwargs)
        finally:
            operation.pop()
    return wrapper


# Which operation each executed command belongs to (start, stop, ban, check, repair, ...).
CommandAction._executeOperation = labelled(CommandAction._executeOperation, lambda self, tag, *a, **k: tag.strip("<>"))
CommandAction._processCmd = labelled(CommandAction._processCmd, lambda self, cmd, *a, **k: cmd.strip("<>"))
CommandAction._invariantCheck = labelled(CommandAction._invariantCheck, lambda self, *a, **k: "actioncheck")
_getOperation = CommandAction._getOperation
repair = [None]  # the actionrepair text the invariant check is about to run


def getOperation(self, tag, family):
    cmd = _getOperation(self, tag, family)
    if tag == "<actionrepair>":
        repair[0] = cmd
    return cmd


CommandAction._getOperation = getOperation

# The jails' actions as fail2ban-server would hold them: name -> list of set commands.
actions = {}
for cmd in stream:
    if cmd[0] == "set" and len(cmd) > 3 and cmd[2] == "addaction":
        actions.setdefault(cmd[1], {})[cmd[3]] = None if len(cmd) > 4 else []
    elif cmd[0] == "multi-set" and cmd[2] == "action":
        actions[cmd[1]][cmd[3]].extend(cmd[4])
    elif cmd[0] == "set" and len(cmd) > 4 and cmd[2] == "action":
        actions[cmd[1]][cmd[3]].append(cmd[4:6])


def build(jail, name, sets):
    a = CommandAction(FakeJail(jail), name)
    for k, v in sets:
        setattr(a, k, v)
    return a


def at(label, fn, *args):
    step[0] = label
    try:
        fn(*args)
    except RuntimeError as e:
        record.append([label, "ERROR " + str(e)])


tickets = spec["tickets"]
out = {}
for jail, acts in actions.items():
    out[jail] = {}
    for name, sets in acts.items():
        if sets is None:  # a Python action (action.d/*.py): not a command action
            out[jail][name] = {"python": True}
            continue
        result = {}
        del record[:]
        a = build(jail, name, sets)
        at("start", a.start)
        for t in tickets:
            at("ban " + t["family"], a.ban, t)
        at("check", a.consistencyCheck)
        for t in tickets:
            at("unban " + t["family"], a.unban, t)
        at("stop", a.stop)
        result["life"] = list(record)

        del record[:]
        a = build(jail, name, sets)
        at("start", a.start)
        at("ban " + tickets[0]["family"], a.ban, tickets[0])
        family = tickets[0]["family"]
        ban = a.replaceDynamicTags(a.replaceTag("<actionban>", a._properties, conditional="family=" + family), tickets[0])
        failing[:] = [ban, a._getOperation("<actioncheck>", family)]
        before = len(record)
        at("broken ban", a.ban, tickets[0])
        del failing[:]
        result["broken"] = record[before:]

        # fail2ban-server stopping with both bans held (Actions.__flushBan, then stop): one
        # actionflush where the action has one, else an actionunban per ban; then actionstop.
        del record[:]
        a = build(jail, name, sets)
        at("start", a.start)
        for t in tickets:
            at("ban " + t["family"], a.ban, t)
        before = len(record)
        if a.actionflush:
            at("flush", a.flush)
        else:
            for t in tickets:
                at("unban " + t["family"], a.unban, t)
        at("stop", a.stop)
        result["stopHeld"] = record[before:]
        out[jail][name] = result
print(json.dumps(out))
