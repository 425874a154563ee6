#!/usr/bin/python3
# bench-stores.py: the store's figures on PostgreSQL next to SQLite and
# next to raw libpq doing the same rows, in one run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/bench-stores.py BUILD/bench/ql-bench-store [--runs N]
#
# Starts a throwaway PostgreSQL cluster (initdb in a temporary folder,
# Unix socket only, fsync on) and stops it at the end; SQLite files live
# in a temporary folder. Each run uses fresh databases. Prints one JSON
# object per figure: the median of each side, every sample, and the
# ratio of the PostgreSQL store to raw libpq where there is one.

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                'tests'))
import ql_test_postgres  # noqa: E402

TARGETS = {
    'durable_append': 'postgresql >= 0.9x raw libpq single-row commits',
    'bulk_import': 'postgresql >= 200,000 events/s',
    'first_read': '(no target: the first read after an import)',
    'replay': 'postgresql >= 1,000,000 events/s',
    'log_read': '(no target)',
    'follow_latency_p99': 'postgresql < 50 ms',
}


def run(program, *args):
    out = subprocess.run([program, *args], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('program', help='the built bench/ql-bench-store')
    parser.add_argument('--runs', type=int, default=3)
    args, extra = parser.parse_known_args()

    samples = {}
    cluster = ql_test_postgres.Cluster(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix='ql-bench-stores-') as folder:
            for n in range(args.runs):
                figures = run(args.program, '--db', os.path.join(folder, f'ledger-{n}.db'),
                              '--side', 'sqlite', *extra)
                figures += run(args.program, '--db', cluster.database(f'store-{n}'),
                               '--side', 'postgresql',
                               '--raw-postgres', cluster.database(f'raw-{n}'), *extra)
                for f in figures:
                    samples.setdefault(f['figure'], {}).setdefault(
                        f['side'], {'unit': f['unit'], 'values': []})['values'].append(f['value'])
                    print(json.dumps(f), file=sys.stderr)
    finally:
        cluster.stop()

    for figure, sides in samples.items():
        result = {'figure': figure, 'target': TARGETS.get(figure, '')}
        medians = {}
        for side, data in sides.items():
            medians[side] = statistics.median(data['values'])
            result[side] = {'median': round(medians[side], 2), 'unit': data['unit'],
                            'samples': [round(v, 2) for v in data['values']]}
        raw = [s for s in sides if s.startswith('raw')]
        if raw:
            result['postgresql_over_raw'] = round(medians['postgresql'] / medians[raw[0]], 3)
        print(json.dumps(result), flush=True)


if __name__ == '__main__':
    main()
