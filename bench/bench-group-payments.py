#!/usr/bin/python3
# bench-group-payments.py: payments per second from 16 concurrent clients
# (several client processes), on SQLite and on PostgreSQL, next to refused
# payments from the same clients in the same run, and the flushes to disk
# the paid ones cost.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/bench-group-payments.py BUILD/src/quote-ledger [--runs N]
#       [--calls N] [--processes N] [--only sqlite|postgresql]
#
# Prints one JSON object per figure, with the median and every sample.
# SQLite lives in a temporary folder; PostgreSQL is a throwaway cluster
# the program starts itself (initdb, Unix socket only, fsync on) and
# stops. Flushes: on SQLite the fsync and fdatasync calls of the service,
# counted by `strace -c -f` in a run of its own (strace slows every call);
# on PostgreSQL the server's own counter of WAL syncs, pg_stat_wal.wal_sync.

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(HERE)
PROTO_DIR = os.path.join(SOURCE_DIR, 'src', 'payments')
PYTHON = '/usr/bin/python3'
HOST = '127.0.0.1'
CLIENTS = 16
DEPOSIT = 10 ** 9

sys.path.insert(0, os.path.join(SOURCE_DIR, 'tests'))
import ql_test_postgres  # noqa: E402

# One client process: its threads wait for a line on stdin, then each
# makes CALLS calls one after the other from its own account, and the
# process prints its first start, last end and the statuses it got.
CLIENT = '''\
import json, sys, threading, time
import grpc
import payment_pb2, payment_pb2_grpc
target, first, threads, calls, prefix, amount = sys.argv[1:7]
statuses = {}
lock = threading.Lock()
stubs = []
channels = []
for t in range(int(threads)):
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=30)
    channels.append(channel)
    stubs.append(payment_pb2_grpc.PaymentServiceStub(channel))
def run(t):
    account = 'payer%d' % (int(first) + t)
    for n in range(int(calls)):
        response = stubs[t].ProcessPayment(payment_pb2.PaymentRequest(
            order_id='%s-%s-%d' % (prefix, account, n), amount=float(amount),
            currency='USD', user_id=account), timeout=120)
        with lock:
            statuses[response.status] = statuses.get(response.status, 0) + 1
workers = [threading.Thread(target=run, args=(t,)) for t in range(int(threads))]
print('ready', flush=True)
sys.stdin.readline()
start = time.time()
for w in workers: w.start()
for w in workers: w.join()
print(json.dumps({'start': start, 'end': time.time(), 'statuses': statuses}), flush=True)
'''


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(process):
    for line in process.stdout:
        if 'ready' in line:
            return
    raise RuntimeError('the service did not start')


class Bench:
    def __init__(self, binary, folder, processes):
        self.binary = binary
        self.folder = folder
        self.processes = processes
        self.env = dict(os.environ, XDG_DATA_HOME=folder, PYTHONPATH=folder)
        for name in ('DISPLAY', 'WAYLAND_DISPLAY'):
            self.env.pop(name, None)
        subprocess.run([PYTHON, '-m', 'grpc_tools.protoc', '-I', PROTO_DIR,
                        '--python_out', folder, '--grpc_python_out', folder,
                        os.path.join(PROTO_DIR, 'payment.proto')], check=True)
        self.client = os.path.join(folder, 'client.py')
        with open(self.client, 'w') as f:
            f.write(CLIENT)

    def prepare(self, db):
        commands = ([f'open payer{c} USD' for c in range(CLIENTS)] +
                    [f'deposit payer{c} {DEPOSIT}' for c in range(CLIENTS)] +
                    ['open broke USD'])
        subprocess.run([self.binary, '--tui', '--db', db], env=self.env, check=True,
                       input=''.join(c + '\n' for c in commands), capture_output=True,
                       text=True, timeout=120)

    def serve(self, db, wrapper=()):
        port = free_port()
        # Each refusal is logged: to a file, which never fills up as a
        # pipe nobody reads would.
        with open(os.path.join(self.folder, 'service.log'), 'a') as log:
            server = subprocess.Popen([*wrapper, self.binary, '--serve-payments',
                                       f'{HOST}:{port}', '--db', db],
                                      env=self.env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=log, text=True)
        wait_ready(server)
        return server, port

    def drive(self, port, calls, prefix, amount):
        """Payments/s of CLIENTS clients in self.processes processes."""
        per_process = CLIENTS // self.processes
        clients = [subprocess.Popen([PYTHON, self.client, f'{HOST}:{port}',
                                     str(p * per_process), str(per_process), str(calls),
                                     prefix, str(amount)],
                                    env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    text=True)
                   for p in range(self.processes)]
        for client in clients:
            if client.stdout.readline().strip() != 'ready':
                raise RuntimeError('a client did not start')
        for client in clients:
            client.stdin.write('go\n')
            client.stdin.flush()
        reports = [json.loads(client.communicate(timeout=600)[0]) for client in clients]
        statuses = {}
        for report in reports:
            for status, count in report['statuses'].items():
                statuses[status] = statuses.get(status, 0) + count
        seconds = max(r['end'] for r in reports) - min(r['start'] for r in reports)
        return CLIENTS * calls / seconds, statuses


def stop(server):
    server.terminate()
    server.communicate(timeout=60)


def wal_syncs(conninfo):
    out = subprocess.run([os.path.join(ql_test_postgres.find_bindir(), 'psql'), '-Atq', '-c',
                          'SELECT wal_sync FROM pg_stat_wal', conninfo],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def strace_flushes(log):
    with open(log) as f:
        return sum(int(m.group(1)) for m in
                   re.finditer(r'^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$',
                               f.read(), re.M))


def child_of(pid):
    with open(f'/proc/{pid}/task/{pid}/children') as f:
        return int(f.read().split()[0])


def run_store(bench, store, db_for, runs, calls):
    paid, refused, flushes = [], [], []
    for run in range(runs):
        db, conninfo = db_for(run)
        bench.prepare(db)
        server, port = bench.serve(db)
        before = wal_syncs(conninfo) if conninfo else None
        rate, statuses = bench.drive(port, calls, f'paid{run}', 1)
        if statuses != {'SUCCESS': CLIENTS * calls}:
            raise RuntimeError(f'payments not all paid: {statuses}')
        paid.append(rate)
        rate, statuses = bench.drive(port, calls, f'refused{run}', DEPOSIT * 10)
        if statuses != {'FAILED': CLIENTS * calls}:
            raise RuntimeError(f'payments not all refused: {statuses}')
        refused.append(rate)
        stop(server)
        # A backend reports its WAL counters now and then, and at the
        # latest when it ends: read them once the service's connections
        # are gone. Refused payments write nothing.
        if conninfo:
            flushes.append((wal_syncs(conninfo) - before) / (CLIENTS * calls))

    if store == 'sqlite':
        db, _ = db_for(runs)
        bench.prepare(db)
        log = os.path.join(bench.folder, 'strace.txt')
        server, port = bench.serve(db, ('strace', '-f', '-c', '-e', 'trace=fsync,fdatasync',
                                        '-o', log))
        bench.drive(port, calls, 'counted', 1)
        os.kill(child_of(server.pid), 15)
        server.communicate(timeout=60)
        flushes.append(strace_flushes(log) / (CLIENTS * calls))

    print(json.dumps({
        'figure': f'payments/s, {CLIENTS} clients in {bench.processes} processes, {store}',
        'median': round(statistics.median(paid)), 'samples': [round(r) for r in paid],
        'refused_median': round(statistics.median(refused)),
        'refused_samples': [round(r) for r in refused],
        'flushes_per_payment': round(statistics.median(flushes), 3),
        'flushes_samples': [round(f, 3) for f in flushes],
        'flush_counted_by': 'strace -c -f' if store == 'sqlite' else 'pg_stat_wal.wal_sync',
        'target': 'flushes_per_payment <= 0.25'}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('binary', help='the built quote-ledger')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--calls', type=int, default=200, help='calls per client and phase')
    parser.add_argument('--processes', type=int, default=4, help='client processes')
    parser.add_argument('--only', choices=('sqlite', 'postgresql'))
    args = parser.parse_args()
    if CLIENTS % args.processes != 0:
        parser.error(f'--processes must divide {CLIENTS}')

    with tempfile.TemporaryDirectory(prefix='ql-bench-group-') as folder:
        bench = Bench(os.path.abspath(args.binary), folder, args.processes)
        if args.only in (None, 'sqlite'):
            run_store(bench, 'sqlite',
                      lambda run: (os.path.join(folder, f'ledger-{run}.db'), None),
                      args.runs, args.calls)
        if args.only in (None, 'postgresql'):
            cluster = ql_test_postgres.Cluster(durable=True)
            try:
                def database(run):
                    conninfo = cluster.database(f'group-{run}')
                    return conninfo, conninfo
                run_store(bench, 'postgresql', database, args.runs, args.calls)
            finally:
                cluster.stop()


if __name__ == '__main__':
    main()
