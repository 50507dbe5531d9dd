#!/usr/bin/env python3
"""Fail when a service log holds a token, an e-mail address or one of the personal values the
callers sent (names, phones, addresses).

usage: check_log.py LOG VALUES   (VALUES: one personal value per line)
"""
import re
import sys

log_path, values_path = sys.argv[1], sys.argv[2]
with open(log_path, encoding="utf-8", errors="replace") as f:
    lines = f.read().splitlines()
with open(values_path, encoding="utf-8") as f:
    values = sorted({v.strip() for v in f if len(v.strip()) >= 3})

if not lines:
    sys.exit(f"{log_path} is empty: the check would prove nothing")
if not any("graphql operation" in line for line in lines):
    sys.exit(f"{log_path} logs no GraphQL operation: the check would prove nothing")
if not values:
    sys.exit(f"{values_path} lists no personal value: the check would prove nothing")

token = re.compile(r"eyJ[A-Za-z0-9_-]{8,}")
email = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
found = []
for number, line in enumerate(lines, 1):
    if token.search(line):
        found.append((number, "a token", line))
    if email.search(line):
        found.append((number, "an e-mail address", line))
    for value in values:
        if value in line:
            found.append((number, f"the personal value {value!r}", line))
for number, what, line in found[:20]:
    print(f"{log_path}:{number}: {what}: {line[:300]}")
if found:
    sys.exit(f"{len(found)} finding(s) in {log_path}")
print(f"log clean: {len(lines)} lines checked against {len(values)} personal values")
