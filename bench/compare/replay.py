#!/usr/bin/env python3
"""Turns the statements PostgreSQL logged (log_statement = 'all') for one request
into a pgbench script that sends the same statements, in the same order, with
the logged parameter values written in as literals.

    replay.py LOGFILE FIRST_LINE DATABASE [LITERAL=>EXPRESSION ...] > script.pgbench

Reads LOGFILE from line FIRST_LINE on (1-based) up to the statement that
selects 'kabinet-bench-mark-end', keeps the entries of DATABASE only, and
prints one statement per line. A parameter whose logged value is exactly
LITERAL (quotes included) is replaced by EXPRESSION, so each pgbench
transaction can ask for another account, as the load does (for example
"'4244'=>:aid"). Statements are sent by pgbench's
simple protocol: one round trip each, as the extended protocol's cached
statements cost. Prints to stderr how many statements it found.
"""
import re
import sys

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[.\d]* \S+ \[(\d+)\] (\S*)@(\S+) (LOG|DETAIL|ERROR|STATEMENT|HINT|WARNING|NOTICE|FATAL|CONTEXT):  (.*)$")
STATEMENT = re.compile(r"^(?:execute [^:]+|statement): (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def entries(lines, database):
    current = None
    for line in lines:
        m = ENTRY.match(line)
        if m:
            if current:
                yield current
            current = None
            if m.group(3) == database:
                current = [m.group(4), m.group(5)]
        elif current is not None and line.startswith("\t"):
            current[1] += "\n" + line[1:]
    if current:
        yield current


def swap(value, swaps):
    return swaps.get(value, value)


def main():
    path, first, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    swaps = dict(arg.split("=>", 1) for arg in sys.argv[4:])
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()[first - 1:]
    statements = []
    for level, text in entries(lines, database):
        if level == "LOG":
            m = STATEMENT.match(text)
            if m and "kabinet-bench-mark-end" in m.group(1):
                break
            if m and "kabinet-bench-mark" not in m.group(1):
                statements.append(m.group(1))
        elif level == "DETAIL" and text.startswith("parameters: ") and statements:
            values = dict((int(n), v) for n, v in PARAM.findall(text))
            statements[-1] = re.sub(r"\$(\d+)\b", lambda p: swap(values.get(int(p.group(1)), p.group(0)), swaps), statements[-1])
    for sql in statements:
        # pgbench reads one command per line; a ':' would start a variable.
        flat = " ".join(sql.split())
        print(flat.rstrip(";") + ";")
    print(f"{len(statements)} statements", file=sys.stderr)


if __name__ == "__main__":
    main()
