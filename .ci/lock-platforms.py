#!/usr/bin/env python3
"""Adds lockfile entries for optional platform packages (other OS/CPU builds of @duckdb/node-bindings,
rollup…) that this workplace's registry does not serve, so `npm ci` sees the lockfile in sync.
npm never fetches them here: their os/cpu do not match, so they are skipped at install.
Usage: python3 .ci/lock-platforms.py package-lock.json < missing-names.txt"""
import json
import re
import sys

OSES = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony']
CPUS = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el']

path = sys.argv[1]
lock = json.load(open(path))
packages = lock['packages']
wanted = {}
for key, entry in packages.items():
    for dep, spec in (entry.get('optionalDependencies') or {}).items():
        wanted.setdefault(dep, spec)
for name in (line.strip() for line in sys.stdin):
    if not name or f'node_modules/{name}' in packages:
        continue
    base = name.split('/')[-1]
    os_ = next((o for o in OSES if re.search(rf'(^|-){o}(-|$)', base)), None)
    cpu = next((c for c in CPUS if re.search(rf'(^|-){c}(-|$)', base)), None)
    if cpu == 'arm' and 'arm64' in base:
        cpu = 'arm64'
    entry = {'version': wanted.get(name, '0.0.0'), 'optional': True}
    if os_:
        entry['os'] = [os_]
    if cpu:
        entry['cpu'] = [cpu]
    if 'musl' in base:
        entry['libc'] = ['musl']
    elif os_ == 'linux':
        entry['libc'] = ['glibc']
    packages[f'node_modules/{name}'] = entry
lock['packages'] = dict(sorted(packages.items(), key=lambda kv: (kv[0] != '', kv[0])))
json.dump(lock, open(path, 'w'), indent=2)
open(path, 'a').write('\n')
