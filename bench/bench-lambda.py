#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cold start and warm invocations of lambda.zip's square function, next to
the chapter's Python function, both run by the same emulator (@vercel/fun's
native provider, tests/lambda/emulator) in one run.

Cold start: from the emulator creating the function (the runtime's process
started) to the first response. Warm: invocations per second of one
process, invoked one after the other.

Usage: bench-lambda.py LAMBDA_ZIP [--runs N] [--warm N]
Prints one JSON object per figure with the median of the runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUN_INVOKE = os.path.join(ROOT, 'tests', 'lambda', 'fun-invoke.js')
PYTHON_FUNCTION = os.path.join(ROOT, 'bench', 'lambda', 'lambda_function_square.py')
PAYLOAD = '{"number": 6}'


def run(zip_path, runtime, handler, count, cache, env):
    result = subprocess.run(['node', FUN_INVOKE, zip_path, runtime, handler, json.dumps(env)],
                            input=(PAYLOAD + '\n') * count, capture_output=True, text=True,
                            timeout=600, env=dict(os.environ, XDG_CACHE_HOME=cache))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    if result.returncode != 0 or lines[-1] != {'closed': True}:
        sys.exit('bench-lambda.py: %s failed: %s' % (handler, result.stderr))
    invocations = lines[:-1]
    for invocation in invocations:
        if 'FunctionError' in invocation or '36' not in invocation['Payload']:
            sys.exit('bench-lambda.py: %s answered %s' % (handler, invocation))
    return [invocation['ms'] for invocation in invocations]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('zip')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--warm', type=int, default=1000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='ql-bench-lambda-') as tmp:
        python_zip = os.path.join(tmp, 'python.zip')
        with zipfile.ZipFile(python_zip, 'w') as archive:
            archive.write(PYTHON_FUNCTION, 'lambda_function_square.py')
        functions = [
            ('c-bootstrap', args.zip, 'provided', 'square', {}),
            ('python-chapter', python_zip, 'python3', 'lambda_function_square.lambda_handler',
             {}),
        ]
        cold = {name: [] for name, *_ in functions}
        warm = {name: [] for name, *_ in functions}
        for _ in range(args.runs):
            for name, zip_path, runtime, handler, env in functions:
                times = run(zip_path, runtime, handler, args.warm + 1, tmp, env)
                cold[name].append(times[0])
                warm[name].append(1000.0 * args.warm / sum(times[1:]))
        for name, *_ in functions:
            print(json.dumps({'figure': 'lambda-cold-start', 'function': name,
                              'median_ms': round(statistics.median(cold[name]), 1),
                              'runs': args.runs}))
            print(json.dumps({'figure': 'lambda-warm', 'function': name,
                              'median_invocations_per_s': round(statistics.median(warm[name])),
                              'invocations': args.warm, 'runs': args.runs}))


if __name__ == '__main__':
    main()
