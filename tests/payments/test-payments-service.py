#!/usr/bin/python3
# test-payments-service.py: the built quote-ledger serving the seed's
# PaymentService, driven by grpcio clients over 127.0.0.1 only.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run one test class: test-payments-service.py SeedClientTest
# The Python stubs are generated at test time from src/payments/payment.proto
# with grpc_tools, as the seed's chapter does.

import concurrent.futures
import os
import queue
import re
import resource
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import ql_test_postgres  # noqa: E402

SOURCE_DIR = os.path.dirname(os.environ['QL_TEST_SOURCE_DIR'])
BINARY = os.environ['QL_BINARY']
PAYMENTS_BINARY = os.path.join(os.path.dirname(BINARY), 'quote-ledger-payments')
PROTO_DIR = os.path.join(SOURCE_DIR, 'src', 'payments')
PYTHON = '/usr/bin/python3'
HOST = '127.0.0.1'
METHOD = '/payment.PaymentService/ProcessPayment'
READY = re.compile(r'^Payment Service ready on (\S+) \(port (\d+)\)\.$')

# The seed's client (ch06/microservices/grpc/client.py) as printed in the
# chapter. Only its target changes: the tests' own port, and 127.0.0.1 so
# that nothing but the loopback address is ever contacted.
SEED_CLIENT = '''\
import grpc
import payment_pb2
import payment_pb2_grpc
with grpc.insecure_channel("localhost:50051") as chan:
    stub = payment_pb2_grpc.PaymentServiceStub(chan)
    resp = stub.ProcessPayment(
        payment_pb2.PaymentRequest(
            order_id="order123",
            amount=99.99,
            currency="USD",
            user_id="user456",
        )
    )
    print("Payment Service responded.")
    print(f"Response status: {resp.status}")
'''

stubs_dir = None
payment_pb2 = None
payment_pb2_grpc = None


def setUpModule():
    global stubs_dir, payment_pb2, payment_pb2_grpc
    stubs_dir = tempfile.TemporaryDirectory(prefix='ql-payments-stubs-')
    subprocess.run([PYTHON, '-m', 'grpc_tools.protoc', '-I', PROTO_DIR,
                    '--python_out', stubs_dir.name, '--grpc_python_out', stubs_dir.name,
                    os.path.join(PROTO_DIR, 'payment.proto')], check=True)
    sys.path.insert(0, stubs_dir.name)
    import payment_pb2 as pb2
    import payment_pb2_grpc as pb2_grpc
    payment_pb2, payment_pb2_grpc = pb2, pb2_grpc


def tearDownModule():
    stubs_dir.cleanup()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """One quote-ledger --serve-payments process and what it printed."""

    def __init__(self, env, db, port, wrapper=(), preexec_fn=None, options=()):
        self.port = port
        # Options of the service's own program go to it directly.
        command = ([PAYMENTS_BINARY, f'{HOST}:{port}', *options] if options
                   else [BINARY, '--serve-payments', f'{HOST}:{port}'])
        self.process = subprocess.Popen(
            [*wrapper, *command, '--db', db],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn,
            # A group of its own: a wrapper killed (strace -f detaches)
            # must not leave the service running after the test.
            process_group=0)
        self.lines = []
        self.ready = threading.Event()
        self.stderr = ''
        self._readers = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip('\n'))
            if READY.match(self.lines[-1]):
                self.ready.set()

    def _read_stderr(self):
        self.stderr = self.process.stderr.read()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.finish(timeout=10)
                raise AssertionError(f'server not ready: exit {self.process.returncode}, '
                                     f'stdout {self.lines}, stderr {self.stderr!r}')
        return self

    def finish(self, timeout=30):
        """Waits for the exit, returns the status once every output is read."""
        status = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(10)
        return status

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.finish(timeout)

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.finish()


class ServiceTestCase(unittest.TestCase):
    """A private database with user456 holding 1000 USD, and a server on it."""

    server_wrapper = ()
    server_preexec = None
    server_options = ()
    ready_timeout = 30

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='ql-payments-')
        self.addCleanup(self.tmp.cleanup)
        self.env = dict(os.environ, XDG_DATA_HOME=self.tmp.name)
        for name in ('DISPLAY', 'WAYLAND_DISPLAY'):
            self.env.pop(name, None)
        self.db = self.database()
        self.tui('open user456 USD', 'deposit user456 1000', 'open yen JPY', 'deposit yen 5000')
        self.server = self.start_server()
        self.channel = grpc.insecure_channel(f'{HOST}:{self.server.port}')
        self.addCleanup(self.channel.close)
        self.stub = payment_pb2_grpc.PaymentServiceStub(self.channel)

    def database(self):
        return os.path.join(self.tmp.name, 'ledger.db')

    def start_server(self, port=None):
        server = Server(self.env, self.db, port or free_port(), self.server_wrapper,
                        self.server_preexec, self.server_options)
        self.addCleanup(server.kill)
        return server.wait_ready(self.ready_timeout)

    def tui(self, *commands):
        result = subprocess.run([BINARY, '--tui', '--db', self.db], env=self.env,
                                input=''.join(c + '\n' for c in commands),
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn('Error', result.stdout)
        return result.stdout

    def balance(self, name='user456'):
        out = self.tui(f'balance {name}')
        amounts = re.findall(r'Balance: ([\d.]+)', out)
        self.assertEqual(len(amounts), 1, out)
        return amounts[0]

    def pay(self, order_id, amount, currency='USD', user_id='user456', timeout=30):
        return self.stub.ProcessPayment(
            payment_pb2.PaymentRequest(order_id=order_id, amount=amount,
                                       currency=currency, user_id=user_id),
            timeout=timeout)


class SeedClientTest(ServiceTestCase):
    def run_seed_client(self):
        client = os.path.join(self.tmp.name, 'client.py')
        with open(client, 'w') as f:
            f.write(SEED_CLIENT.replace('localhost:50051', f'{HOST}:{self.server.port}'))
        env = dict(self.env, PYTHONPATH=stubs_dir.name)
        return subprocess.run([PYTHON, client], env=env, capture_output=True,
                              text=True, timeout=60)

    def test_seed_client_pays(self):
        self.assertEqual(self.balance(), '1000.00')
        result = self.run_seed_client()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout,
                         'Payment Service responded.\nResponse status: SUCCESS\n')
        self.assertEqual(self.balance(), '900.01')

    def test_seed_client_retried_is_charged_once(self):
        first = self.run_seed_client()
        again = self.run_seed_client()
        self.assertEqual(first.stdout, again.stdout)
        self.assertIn('Response status: SUCCESS', again.stdout)
        self.assertEqual(self.balance(), '900.01')

    def test_terminal_open_on_the_database_sees_payments(self):
        terminal = subprocess.Popen([BINARY, '--tui', '--db', self.db], env=self.env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(terminal.kill)
        lines = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in terminal.stdout],
                                  daemon=True)
        reader.start()

        def ask(command, expected, timeout=60):
            terminal.stdin.write(command + '\n')
            terminal.stdin.flush()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if expected in line:
                    return line
            self.fail(f'{command!r} never showed {expected!r}')

        ask('balance user456', 'Balance: 1000.00 USD')
        self.assertEqual(self.pay('order-live', 250).status, 'SUCCESS')
        ask('balance user456', 'Balance: 750.00 USD')
        ask('log', '"order-live"')
        terminal.stdin.close()
        self.assertEqual(terminal.wait(60), 0)


class FailureTest(ServiceTestCase):
    CASES = [
        ('unknown account', 'o-1', 10, 'USD', 'nobody'),
        ('currency mismatch', 'o-2', 10, 'EUR', 'user456'),
        ('currency of another account', 'o-3', 10, 'JPY', 'user456'),
        ('insufficient funds', 'o-4', 1000.01, 'USD', 'user456'),
        ('zero', 'o-5', 0, 'USD', 'user456'),
        ('negative', 'o-6', -5, 'USD', 'user456'),
        ('below the minor unit', 'o-7', 0.001, 'USD', 'user456'),
        ('tiny', 'o-8', 1e-05, 'USD', 'user456'),
        ('not a number', 'o-9', float('nan'), 'USD', 'user456'),
        ('infinite', 'o-10', float('inf'), 'USD', 'user456'),
        ('negative infinite', 'o-11', float('-inf'), 'USD', 'user456'),
        ('overflow', 'o-12', 1e300, 'USD', 'user456'),
        ('fraction of a yen', 'o-13', 1.5, 'JPY', 'yen'),
    ]

    def test_refused_payments_change_nothing(self):
        for why, order_id, amount, currency, user_id in self.CASES:
            with self.subTest(why):
                response = self.pay(order_id, amount, currency, user_id)
                self.assertEqual(response.status, 'FAILED')
                self.assertEqual(response.payment_id, '')
        self.assertEqual(self.balance(), '1000.00')
        self.assertEqual(self.balance('yen'), '5000')

    def test_server_keeps_serving_after_failures(self):
        self.assertEqual(self.pay('o-x', 2000).status, 'FAILED')
        self.assertEqual(self.pay('o-y', 20).status, 'SUCCESS')
        self.assertEqual(self.balance(), '980.00')


class IdempotencyTest(ServiceTestCase):
    def test_same_order_answers_same_payment(self):
        first = self.pay('order-1', 10.25)
        again = self.pay('order-1', 10.25)
        self.assertEqual(first.status, 'SUCCESS')
        self.assertEqual(again.status, 'SUCCESS')
        self.assertNotEqual(first.payment_id, '')
        self.assertEqual(again.payment_id, first.payment_id)
        other = self.pay('order-2', 10.25)
        self.assertNotEqual(other.payment_id, first.payment_id)
        self.assertEqual(self.balance(), '979.50')

    def test_report_payments_reads_each_order(self):
        """The terminal's payments report, by order id, from the read model:
        a retry counts once, an undo takes its payment back."""
        for order, amount, user in [('order-7', 12.5, 'user456'), ('order-7', 12.5, 'user456'),
                                    ('order-10', 300, 'yen'), ('order-8', 1, 'user456'),
                                    ('order-9', 2, 'user456')]:
            currency = 'JPY' if user == 'yen' else 'USD'
            self.assertEqual(self.pay(order, amount, currency, user).status, 'SUCCESS')
        out = self.tui('report payments order-7', 'report payments order-10',
                       'report payments order-8 --json',
                       'undo user456', 'undo user456', 'report payments order-8',
                       'report payments order-9')
        lines = out.replace('Which quote number would you like to see? ', '').splitlines()
        self.assertEqual(lines, [
            'Ledger   Count  Amount',
            'user456      1   12.50',
            'Ledger  Count  Amount',
            'yen         1     300',
            '{"ledger":"user456","count":1,"amount":100}',
            lines[5], lines[6],
            'No payment for \u201corder-8\u201d stands.',
            'No payment for \u201corder-9\u201d stands.',
        ])
        self.assertTrue(lines[5].startswith('Undid version'), lines[5])

    def test_retry_survives_a_restart(self):
        first = self.pay('order-restart', 1)
        self.assertEqual(self.server.stop(), 0)
        self.server = self.start_server()
        with grpc.insecure_channel(f'{HOST}:{self.server.port}') as channel:
            stub = payment_pb2_grpc.PaymentServiceStub(channel)
            again = stub.ProcessPayment(payment_pb2.PaymentRequest(
                order_id='order-restart', amount=1, currency='USD', user_id='user456'),
                timeout=30)
        self.assertEqual(again.payment_id, first.payment_id)
        self.assertEqual(self.balance(), '999.00')


class TransferCase(ServiceTestCase):
    """user456 (1000 USD) and yen (5000 JPY), and checking and savings,
    100 USD each, for transfers."""

    def setUp(self):
        super().setUp()
        self.tui('open checking USD', 'deposit checking 100',
                 'open savings USD', 'deposit savings 100', 'create-item Laptop 3')

    def transfer(self, order_id, amount, from_account='checking', to_account='savings',
                 currency='USD', stub=None, **notes):
        return (stub or self.stub).Transfer(
            payment_pb2.TransferRequest(order_id=order_id, amount=amount, currency=currency,
                                        from_account=from_account, to_account=to_account,
                                        **notes),
            timeout=60)

    def events(self):
        with sqlite3.connect(f'file:{self.db}?mode=ro', uri=True) as db:
            return db.execute('SELECT count(*) FROM events').fetchone()[0]

    def assert_refused(self, code, *args, **kwargs):
        before = self.events()
        with self.assertRaises(grpc.RpcError) as raised:
            self.transfer(*args, **kwargs)
        self.assertEqual(raised.exception.code(), code, raised.exception.details())
        self.assertEqual(self.events(), before)
        return raised.exception


class TransferTest(TransferCase):
    def test_transfer_moves_both_legs_once(self):
        before = self.events()
        first = self.transfer('move-1', 30.25, payee='Landlord', memo='rent')
        self.assertEqual(first.status, 'SUCCESS')
        self.assertRegex(first.transfer_id, r'^[0-9a-f-]{36}$')
        self.assertEqual(self.events(), before + 2)
        # A retry answers the same transfer and writes nothing.
        again = self.transfer('move-1', 30.25, payee='Landlord', memo='rent')
        self.assertEqual(again.transfer_id, first.transfer_id)
        self.assertEqual(self.events(), before + 2)
        self.assertEqual(self.balance('checking'), '69.75')
        self.assertEqual(self.balance('savings'), '130.25')
        history = self.tui('events savings')
        self.assertIn('Landlord', history)

    def test_retry_survives_a_restart(self):
        first = self.transfer('move-restart', 1)
        self.assertEqual(self.server.stop(), 0)
        self.server = self.start_server()
        with grpc.insecure_channel(f'{HOST}:{self.server.port}') as channel:
            again = self.transfer('move-restart', 1,
                                  stub=payment_pb2_grpc.PaymentServiceStub(channel))
        self.assertEqual(again.transfer_id, first.transfer_id)
        self.assertEqual(self.balance('checking'), '99.00')

    def test_unknown_account_is_not_found(self):
        self.assert_refused(grpc.StatusCode.NOT_FOUND, 't', 1, from_account='nobody')
        self.assert_refused(grpc.StatusCode.NOT_FOUND, 't', 1, to_account='nobody')

    def test_overdraw_is_failed_precondition_and_writes_nothing(self):
        error = self.assert_refused(grpc.StatusCode.FAILED_PRECONDITION, 't', 100.01)
        self.assertIn('checking', error.details())
        self.assertEqual(self.balance('checking'), '100.00')
        self.assertEqual(self.balance('savings'), '100.00')
        # The order id stays free for a transfer that can be made.
        self.assertEqual(self.transfer('t', 100).status, 'SUCCESS')
        self.assertEqual(self.balance('checking'), '0.00')

    def test_mismatches_are_failed_precondition(self):
        code = grpc.StatusCode.FAILED_PRECONDITION
        self.assert_refused(code, 't', 1, currency='EUR')
        self.assert_refused(code, 't', 1, to_account='yen')
        self.assert_refused(code, 't', 1, from_account='Laptop')

    def test_bad_requests_are_invalid_argument(self):
        code = grpc.StatusCode.INVALID_ARGUMENT
        self.assert_refused(code, 't', 0)
        self.assert_refused(code, 't', -1)
        self.assert_refused(code, 't', 0.001)
        self.assert_refused(code, 't', 1, to_account='checking')
        self.assert_refused(code, '', 1)
        self.assert_refused(code, 't', 1, currency='')
        self.assert_refused(code, 't', 1, from_account='')
        self.assert_refused(code, 't', 1, to_account='')
        self.assert_refused(code, 't', 1, memo='m' * 1025)

    def test_reused_order_is_already_exists(self):
        self.transfer('move-1', 5)
        self.assertEqual(self.pay('order-1', 5).status, 'SUCCESS')
        code = grpc.StatusCode.ALREADY_EXISTS
        self.assert_refused(code, 'move-1', 6)
        self.assert_refused(code, 'move-1', 5, from_account='savings', to_account='checking')
        self.assert_refused(code, 'order-1', 5)
        with self.assertRaises(grpc.RpcError) as raised:
            self.pay('move-1', 5, user_id='checking')
        self.assertEqual(raised.exception.code(), code)
        self.assertEqual(self.balance('checking'), '95.00')

    def test_locked_database_is_unavailable_then_transfers(self):
        locker = sqlite3.connect(self.db, isolation_level=None, timeout=0)
        self.addCleanup(locker.close)
        locker.execute('BEGIN EXCLUSIVE')
        with self.assertRaises(grpc.RpcError) as raised:
            self.transfer('move-busy', 10)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE,
                         raised.exception.details())
        locker.execute('ROLLBACK')
        self.assertEqual(self.balance('checking'), '100.00')
        first = self.transfer('move-busy', 10)
        self.assertEqual(self.transfer('move-busy', 10).transfer_id, first.transfer_id)
        self.assertEqual(self.balance('checking'), '90.00')


class ConcurrentTransferTest(TransferCase):
    CLIENTS = 8
    CALLS = 30

    def test_8_clients_crossing_transfers_conserve_the_sum(self):
        """Eight clients, over two service processes on one database, move
        money both ways between checking and savings at once. Each retries
        a call the store turned away, with the same order id."""
        second = self.start_server()
        targets = [self.server.port, second.port]
        moved = []
        lock = threading.Lock()

        def client(number):
            with grpc.insecure_channel(f'{HOST}:{targets[number % 2]}') as channel:
                stub = payment_pb2_grpc.PaymentServiceStub(channel)
                for call in range(self.CALLS):
                    way = ('checking', 'savings') if (number + call) % 2 else ('savings',
                                                                               'checking')
                    amount = 7 + (number * 13 + call * 5) % 31
                    order = f'cross-{number}-{call}'
                    for _ in range(20):
                        try:
                            response = self.transfer(order, amount, *way, stub=stub)
                        except grpc.RpcError as error:
                            if error.code() in (grpc.StatusCode.ABORTED,
                                                grpc.StatusCode.UNAVAILABLE):
                                continue
                            self.assertEqual(error.code(), grpc.StatusCode.FAILED_PRECONDITION,
                                             error.details())
                            break
                        with lock:
                            moved.append((order, response.transfer_id))
                        break

        before = self.events()
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.CLIENTS) as pool:
            for future in [pool.submit(client, n) for n in range(self.CLIENTS)]:
                future.result(timeout=300)

        checking = float(self.balance('checking'))
        savings = float(self.balance('savings'))
        self.assertEqual(checking + savings, 200.0)
        self.assertGreaterEqual(checking, 0)
        self.assertGreaterEqual(savings, 0)
        self.assertGreater(len(moved), self.CLIENTS)
        self.assertEqual(len({transfer for _, transfer in moved}), len(moved))
        # Two legs for each transfer answered, and nothing else.
        self.assertEqual(self.events(), before + 2 * len(moved))


class ConcurrencyTest(ServiceTestCase):
    def test_200_concurrent_payments(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
            futures = [pool.submit(self.pay, f'order-{i}', 1.5) for i in range(200)]
            responses = [f.result(timeout=120) for f in futures]
        self.assertEqual([r.status for r in responses], ['SUCCESS'] * 200)
        self.assertEqual(len({r.payment_id for r in responses}), 200)
        self.assertEqual(self.balance(), '700.00')

    def test_concurrent_retries_of_one_order(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
            futures = [pool.submit(self.pay, 'order-dup', 7) for _ in range(50)]
            responses = [f.result(timeout=120) for f in futures]
        self.assertEqual({r.status for r in responses}, {'SUCCESS'})
        self.assertEqual(len({r.payment_id for r in responses}), 1)
        self.assertEqual(self.balance(), '993.00')


# One client process of the group-commit tests: THREADS threads, each its
# own client paying from its own account, one call after the other. It
# prints a line per payment answered SUCCESS as soon as it is answered,
# and stops at the first call that fails for another reason.
GROUP_CLIENT = '''\
import sys, threading
import grpc
import payment_pb2, payment_pb2_grpc
target, first, threads, calls, prefix = sys.argv[1:6]
lock = threading.Lock()
def run(client):
    account = 'payer%d' % client
    with grpc.insecure_channel(target) as channel:
        stub = payment_pb2_grpc.PaymentServiceStub(channel)
        for n in range(int(calls)):
            order = '%s-%d-%d' % (prefix, client, n)
            try:
                response = stub.ProcessPayment(payment_pb2.PaymentRequest(
                    order_id=order, amount=1, currency='USD', user_id=account), timeout=60)
            except grpc.RpcError as error:
                with lock:
                    print('error', order, error.code().name, flush=True)
                return
            with lock:
                print(response.status.lower(), order, response.payment_id, flush=True)
workers = [threading.Thread(target=run, args=(int(first) + t,)) for t in range(int(threads))]
for w in workers: w.start()
for w in workers: w.join()
'''

CLIENT_PROCESSES = 4
THREADS_PER_PROCESS = 4


class GroupCommitCase(ServiceTestCase):
    """16 accounts, payer0 ... payer15, paid from by 16 clients in 4 processes."""

    def setUp(self):
        super().setUp()
        clients = CLIENT_PROCESSES * THREADS_PER_PROCESS
        self.tui(*[f'open payer{c} USD' for c in range(clients)],
                 *[f'deposit payer{c} 100000' for c in range(clients)])
        self.client = os.path.join(self.tmp.name, 'group-client.py')
        with open(self.client, 'w') as f:
            f.write(GROUP_CLIENT)

    def start_clients(self, port, calls, prefix):
        env = dict(self.env, PYTHONPATH=stubs_dir.name)
        clients = [subprocess.Popen([PYTHON, self.client, f'{HOST}:{port}',
                                     str(p * THREADS_PER_PROCESS), str(THREADS_PER_PROCESS),
                                     str(calls), prefix],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
                   for p in range(CLIENT_PROCESSES)]
        for client in clients:
            self.addCleanup(client.kill)
        return clients

    @staticmethod
    def answers(clients, timeout=300):
        lines = []
        for client in clients:
            out, _ = client.communicate(timeout=timeout)
            lines += [line.split() for line in out.splitlines()]
        return lines

    def stored_references(self):
        with sqlite3.connect(f'file:{self.db}?mode=ro', uri=True) as db:
            return {row[0]: row[1] for row in
                    db.execute('SELECT reference, position FROM events'
                               ' WHERE reference IS NOT NULL')}


class GroupCommitTest(GroupCommitCase):
    """Calls that wait are committed together: far fewer flushes than payments."""
    calls = 60

    @property
    def server_wrapper(self):
        # The service runs in the program quote-ledger hands over to.
        self.strace_log = os.path.join(self.tmp.name, 'strace.txt')
        return ('strace', '-f', '-c', '-e', 'trace=fsync,fdatasync', '-o', self.strace_log)

    def start_server(self, port=None):
        # LeakSanitizer cannot run under ptrace: the service traced here
        # does not check leaks, every other test's does.
        env = self.env
        self.env = dict(env, ASAN_OPTIONS=':'.join(
            filter(None, [env.get('ASAN_OPTIONS', ''), 'detect_leaks=0'])))
        try:
            return super().start_server(port)
        finally:
            self.env = env

    def flushes(self):
        with open(self.strace_log) as f:
            return sum(int(m.group(1)) for m in
                       re.finditer(r'^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$',
                                   f.read(), re.M))

    def test_16_clients_cost_at_most_one_flush_per_4_payments(self):
        clients = self.start_clients(self.server.port, self.calls, 'group')
        answers = self.answers(clients)
        paid = [a for a in answers if a[0] == 'success']
        self.assertEqual(len(paid), CLIENT_PROCESSES * THREADS_PER_PROCESS * self.calls,
                         answers[:5])
        self.assertEqual(len({a[2] for a in paid}), len(paid))
        # The service is strace's child: it gets the signal, and strace
        # writes its counts once it exits.
        with open(f'/proc/{self.server.process.pid}/task/{self.server.process.pid}/children') as f:
            os.kill(int(f.read().split()[0]), signal.SIGTERM)
        self.assertEqual(self.server.finish(), 0, self.server.stderr)
        flushes = self.flushes()
        print(f'{len(paid)} payments, {flushes} flushes', file=sys.stderr)
        self.assertGreater(flushes, 0)
        # Payments share flushes: 1 per 7.7 in a normal build, where the
        # benchmark reports its figure; a sanitizer build's slower service
        # groups less, so the test asks for 1 per 2 at most.
        self.assertLessEqual(flushes * 2, len(paid), f'{flushes} flushes for {len(paid)} payments')
        self.assertEqual(set(self.stored_references()), {a[1] for a in paid})
        self.assertEqual(self.balance('payer0'), f'{100000 - self.calls}.00')

    def test_refusals_in_a_group_fail_alone(self):
        # payer0 can pay 3 of its 5 calls; the other accounts pay all theirs.
        self.tui('open poor USD', 'deposit poor 3')
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(self.pay, f'mixed-{i}', 1,
                                   user_id='poor' if i % 4 == 0 else f'payer{i % 16}')
                       for i in range(20)]
            statuses = [f.result(timeout=120).status for f in futures]
        poor = [s for i, s in enumerate(statuses) if i % 4 == 0]
        self.assertEqual(sorted(poor), ['FAILED', 'FAILED', 'SUCCESS', 'SUCCESS', 'SUCCESS'])
        self.assertEqual([s for i, s in enumerate(statuses) if i % 4 != 0], ['SUCCESS'] * 15)
        self.assertEqual(self.balance('poor'), '0.00')


class GroupCommitKillTest(GroupCommitCase):
    """SIGKILL while groups are being committed loses no acknowledged payment."""

    def test_kill_during_group_commit_loses_nothing_acknowledged(self):
        acknowledged = {}
        server = self.server
        for round_ in range(3):
            clients = self.start_clients(server.port, 100000, f'kill{round_}')
            # Kill once payments are flowing, while calls are in flight.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(self.stored_references()) < \
                    len(acknowledged) + 200:
                time.sleep(0.05)
            server.process.send_signal(signal.SIGKILL)
            server.finish()
            answers = self.answers(clients, timeout=120)
            acknowledged.update({a[1]: a[2] for a in answers if a[0] == 'success'})
            self.assertTrue(any(a[0] == 'error' for a in answers), answers[-3:])
            server = self.start_server()

        stored = self.stored_references()
        self.assertGreater(len(acknowledged), 600)
        for order, payment_id in acknowledged.items():
            self.assertIn(order, stored)
            self.assertEqual(payment_id, f'pay-{stored[order]}')
        # Every stored payment, acknowledged or not, is in the balances.
        total = sum(100000 - float(self.balance(f'payer{c}'))
                    for c in range(CLIENT_PROCESSES * THREADS_PER_PROCESS))
        self.assertEqual(round(total), len(stored))


class PostgresCase:
    """Put before a GroupCommitCase: the service on a PostgreSQL database of
    a throwaway cluster (tests/ql_test_postgres.py), one for the class."""

    @classmethod
    def setUpClass(cls):
        # Never skipped: a machine that runs the tests can run PostgreSQL.
        cls.cluster = ql_test_postgres.Cluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def database(self):
        return self.cluster.database(self.id())

    def stored_references(self):
        out = subprocess.run(
            [os.path.join(self.cluster.bindir, 'psql'), '-Atq', '-F', ' ', '-c',
             'SELECT reference, position FROM ql_events WHERE reference IS NOT NULL', self.db],
            capture_output=True, text=True, check=True).stdout
        return dict(line.split() for line in out.splitlines())


class PostgresTest(PostgresCase, GroupCommitCase):
    """The service on PostgreSQL: group commits and the order-id rule."""

    def test_16_clients_pay_on_postgresql(self):
        calls = 30
        answers = self.answers(self.start_clients(self.server.port, calls, 'pg'))
        paid = {a[1]: a[2] for a in answers if a[0] == 'success'}
        self.assertEqual(len(paid), CLIENT_PROCESSES * THREADS_PER_PROCESS * calls, answers[:5])
        self.assertEqual(len(set(paid.values())), len(paid))
        stored = self.stored_references()
        self.assertEqual(set(stored), set(paid))
        for order, payment_id in paid.items():
            self.assertEqual(payment_id, f'pay-{stored[order]}')
        # A terminal on the same database sees every payment.
        for c in range(CLIENT_PROCESSES * THREADS_PER_PROCESS):
            self.assertEqual(self.balance(f'payer{c}'), f'{100000 - calls}.00')

    def test_terminals_and_service_share_postgresql(self):
        # Two terminals deposit into every payer while 16 clients pay from
        # them, all on one database: every change counts, none twice.
        calls, deposits = 20, 25
        payers = CLIENT_PROCESSES * THREADS_PER_PROCESS
        script = ''.join(f'deposit payer{c} 1\n' for _ in range(deposits) for c in range(payers))
        terminals = [subprocess.Popen([BINARY, '--tui', '--db', self.db], env=self.env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
        for terminal in terminals:
            self.addCleanup(terminal.kill)
        clients = self.start_clients(self.server.port, calls, 'shared')
        outputs = [t.communicate(script, timeout=300) for t in terminals]
        answers = self.answers(clients)
        for terminal, (out, err) in zip(terminals, outputs):
            self.assertEqual((terminal.returncode, err), (0, ''))
            self.assertEqual(out.count('Deposited 1.00'), deposits * payers, out[-300:])
        self.assertEqual([a[0] for a in answers], ['success'] * (payers * calls), answers[:5])
        self.assertEqual(len(self.stored_references()), payers * calls)
        for c in range(payers):
            self.assertEqual(self.balance(f'payer{c}'), f'{100000 - calls + 2 * deposits}.00')

    def test_refusals_and_retries_on_postgresql(self):
        first = self.pay('pg-order', 99.99)
        self.assertEqual(first.status, 'SUCCESS')
        self.assertEqual(self.pay('pg-order', 99.99).payment_id, first.payment_id)
        self.assertEqual(self.pay('pg-too-much', 5000).status, 'FAILED')
        with self.assertRaises(grpc.RpcError) as raised:
            self.pay('pg-order', 5)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
        self.assertEqual(self.balance(), '900.01')
        self.assertEqual(set(self.stored_references()), {'pg-order'})


class PostgresGroupCommitKillTest(PostgresCase, GroupCommitKillTest):
    """SIGKILL of the service while it commits groups on PostgreSQL: the
    server rolls back the transaction the service had open, and every
    payment the service acknowledged was committed before its answer."""


class ProtocolErrorTest(ServiceTestCase):
    def raw_call(self, method, payload):
        call = self.channel.unary_unary(method)
        with self.assertRaises(grpc.RpcError) as raised:
            call(payload, timeout=30)
        return raised.exception

    def test_malformed_request_is_invalid_argument(self):
        for payload in (b'\x0a\x05ab', b'\xff\xff\xff\xff', b'\x00\x00'):
            with self.subTest(payload=payload):
                error = self.raw_call(METHOD, payload)
                self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(self.balance(), '1000.00')

    def test_unknown_method_is_unimplemented(self):
        request = payment_pb2.PaymentRequest(order_id='o', amount=1, currency='USD',
                                             user_id='user456').SerializeToString()
        for method in ('/payment.PaymentService/Refund', '/other.Service/ProcessPayment'):
            with self.subTest(method=method):
                error = self.raw_call(method, request)
                self.assertEqual(error.code(), grpc.StatusCode.UNIMPLEMENTED)
        self.assertEqual(self.balance(), '1000.00')

    def test_empty_request_is_a_payment_of_nothing(self):
        response = self.channel.unary_unary(METHOD)(b'', timeout=30)
        decoded = payment_pb2.PaymentResponse.FromString(response)
        self.assertEqual(decoded.status, 'FAILED')


class BindTest(ServiceTestCase):
    def test_port_in_use_is_an_error(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind((HOST, 0))
            taken.listen()
            port = taken.getsockname()[1]
            server = Server(self.env, self.db, port)
            self.addCleanup(server.kill)
            status = server.finish(timeout=60)
        self.assertNotEqual(status, 0)
        self.assertIn(f'Cannot listen on “{HOST}:{port}”', server.stderr)
        self.assertFalse(server.ready.is_set())

    def test_second_server_on_same_port_fails(self):
        second = Server(self.env, self.db, self.server.port)
        self.addCleanup(second.kill)
        self.assertNotEqual(second.finish(timeout=60), 0)
        self.assertIn('Cannot listen on', second.stderr)
        self.assertEqual(self.pay('order-after', 1).status, 'SUCCESS')
        self.assertEqual(self.balance(), '999.00')


class ShutdownTest(ServiceTestCase):
    def shut_down_during_calls(self, sig):
        """Signals the server once 50 of 2000 queued payments are answered."""
        outcomes = []
        answered_enough = threading.Event()
        lock = threading.Lock()

        def pay_one(i):
            try:
                outcome = self.pay(f'order-{i}', 0.01).status
            except grpc.RpcError as error:
                outcome = error.code()
            with lock:
                outcomes.append(outcome)
                if len(outcomes) == 50:
                    answered_enough.set()

        with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
            futures = [pool.submit(pay_one, i) for i in range(2000)]
            self.assertTrue(answered_enough.wait(120))
            status = self.server.stop(sig)
            for f in futures:
                f.result(timeout=120)
        self.assertEqual(status, 0, self.server.stderr)
        self.assertEqual(self.server.lines[-1], 'Payment Service stopped.')
        answered = outcomes.count('SUCCESS')
        refused = len(outcomes) - answered
        self.assertGreater(answered, 0)
        self.assertTrue(set(outcomes) <= {'SUCCESS', grpc.StatusCode.UNAVAILABLE,
                                          grpc.StatusCode.CANCELLED}, set(outcomes))
        charged = round((1000 - float(self.balance())) * 100)
        self.assertGreaterEqual(charged, answered)
        self.assertLessEqual(charged, answered + refused)
        self.assertLess(answered, 2000, 'the signal came after every call')

    def test_sigterm_with_calls_in_flight(self):
        self.shut_down_during_calls(signal.SIGTERM)

    def test_sigint_with_calls_in_flight(self):
        self.shut_down_during_calls(signal.SIGINT)

    def test_idle_sigterm(self):
        self.assertEqual(self.server.stop(), 0, self.server.stderr)
        self.assertEqual(self.server.stderr, '')


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def raw_request(order_id, amount, currency=b'USD', user_id=b'user456'):
    """A PaymentRequest encoded by hand, so that its strings can be any bytes."""
    def text(number, value):
        return varint(number << 3 | 2) + varint(len(value)) + value
    return (text(1, order_id) + varint(2 << 3 | 1) + struct.pack('<d', amount)
            + text(3, currency) + text(4, user_id))


class RawCallTestCase(ServiceTestCase):
    def raw_pay(self, *args, **kwargs):
        """Sends raw_request(*args); returns (PaymentResponse or None, RpcError or None)."""
        call = self.channel.unary_unary(METHOD, request_serializer=lambda b: b,
                                        response_deserializer=payment_pb2.PaymentResponse.FromString)
        try:
            return call(raw_request(*args, **kwargs), timeout=30), None
        except grpc.RpcError as error:
            return None, error

    def events(self):
        with sqlite3.connect(f'file:{self.db}?mode=ro', uri=True) as db:
            return db.execute('SELECT count(*) FROM events').fetchone()[0]


class HostileRequestTest(RawCallTestCase):
    def assert_refused(self, code, fragment, *args, **kwargs):
        before = self.events()
        response, error = self.raw_pay(*args, **kwargs)
        self.assertIsNone(response)
        self.assertEqual(error.code(), code, error.details())
        self.assertIn(fragment, error.details())
        self.assertEqual(self.events(), before)
        return error

    def test_invalid_utf8_is_refused_and_stores_nothing(self):
        for field in ('order_id', 'currency', 'user_id'):
            with self.subTest(field=field):
                args = {'order_id': b'order-ok', 'amount': 5.0}
                args[field] = b'\xff\xfe'
                self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'not valid UTF-8', **args)
        self.assertEqual(self.balance(), '1000.00')
        # The log still reads: every stored payload is JSON.
        self.assertIn('Balance: 1000.00', self.tui('balance user456'))
        with sqlite3.connect(f'file:{self.db}?mode=ro', uri=True) as db:
            self.assertEqual(db.execute('SELECT count(*) FROM events WHERE NOT json_valid (payload)')
                             .fetchone()[0], 0)

    def test_embedded_nul_is_refused(self):
        self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'NUL byte', b'A\0one', 1.0)
        self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'NUL byte', b'A\0two', 2.0)
        self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'NUL byte', b'A', 2.0,
                            user_id=b'user456\0x')
        # "A" alone is an order of its own, never one of those above.
        response, error = self.raw_pay(b'A', 3.0)
        self.assertIsNone(error)
        self.assertEqual(response.status, 'SUCCESS')
        self.assertEqual(self.balance(), '997.00')

    def test_order_id_over_256_bytes(self):
        response, error = self.raw_pay(b'o' * 256, 1.0)
        self.assertEqual(response.status, 'SUCCESS')
        self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'at most 256 bytes',
                            b'o' * 257, 1.0)
        self.assert_refused(grpc.StatusCode.INVALID_ARGUMENT, 'at most 256 bytes',
                            'é'.encode() * 200, 1.0)
        self.assertEqual(self.balance(), '999.00')

    def test_huge_strings_are_not_read(self):
        for args in ((b'o' * 3_900_000, 1.0), (b'order-big-user', 1.0, b'USD', b'u' * 800_000)):
            with self.subTest(size=max(map(len, args[:1] + args[2:]))):
                before = self.events()
                started = time.monotonic()
                response, error = self.raw_pay(*args)
                self.assertIsNone(response)
                self.assertEqual(error.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, error.details())
                self.assertLess(time.monotonic() - started, 5)
                self.assertEqual(self.events(), before)
        self.assertEqual(self.pay('order-after-big', 1).status, 'SUCCESS')

    def test_reused_order_with_another_request_already_exists(self):
        first = self.pay('order-r', 10)
        self.assertEqual(first.status, 'SUCCESS')
        for why, amount, currency, user_id in (('amount', 11, 'USD', 'user456'),
                                               ('currency', 10, 'JPY', 'user456'),
                                               ('account', 10, 'JPY', 'yen')):
            with self.subTest(why):
                before = self.events()
                with self.assertRaises(grpc.RpcError) as raised:
                    self.pay('order-r', amount, currency, user_id)
                self.assertEqual(raised.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
                self.assertIn(first.payment_id, raised.exception.details())
                self.assertEqual(self.events(), before)
        # The same request again is a safe retry.
        again = self.pay('order-r', 10.0, 'usd', ' user456 ')
        self.assertEqual((again.status, again.payment_id), ('SUCCESS', first.payment_id))
        self.assertEqual(self.balance(), '990.00')
        self.assertEqual(self.balance('yen'), '5000')

    def test_reused_order_survives_a_restart(self):
        first = self.pay('order-restart', 10)
        self.assertEqual(self.server.stop(), 0)
        self.server = self.start_server()
        with grpc.insecure_channel(f'{HOST}:{self.server.port}') as channel:
            stub = payment_pb2_grpc.PaymentServiceStub(channel)
            with self.assertRaises(grpc.RpcError) as raised:
                stub.ProcessPayment(payment_pb2.PaymentRequest(
                    order_id='order-restart', amount=10, currency='JPY', user_id='yen'),
                    timeout=30)
            self.assertEqual(raised.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
            again = stub.ProcessPayment(payment_pb2.PaymentRequest(
                order_id='order-restart', amount=10, currency='USD', user_id='user456'),
                timeout=30)
        self.assertEqual(again.payment_id, first.payment_id)
        self.assertEqual(self.balance('yen'), '5000')


class StoreBusyTest(RawCallTestCase):
    def test_locked_database_is_unavailable_then_pays(self):
        locker = sqlite3.connect(self.db, isolation_level=None, timeout=0)
        self.addCleanup(locker.close)
        locker.execute('BEGIN EXCLUSIVE')
        with self.assertRaises(grpc.RpcError) as raised:
            self.pay('order-busy', 10)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE,
                         raised.exception.details())
        self.assertIn('busy', raised.exception.details())
        locker.execute('ROLLBACK')
        self.assertEqual(self.balance(), '1000.00')
        response = self.pay('order-busy', 10)
        self.assertEqual(response.status, 'SUCCESS')
        self.assertEqual(self.pay('order-busy', 10).payment_id, response.payment_id)
        self.assertEqual(self.balance(), '990.00')

    def test_business_refusal_is_still_failed(self):
        self.assertEqual(self.pay('order-poor', 5000).status, 'FAILED')


def low_descriptor_limit():
    """Runs in the child: a hard limit the service cannot raise."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTOR_LIMIT, DESCRIPTOR_LIMIT))


DESCRIPTOR_LIMIT = 64


class DescriptorTest(ServiceTestCase):
    """The connection limit keeps descriptors free: floods are closed."""
    server_preexec = staticmethod(low_descriptor_limit)

    def flood(self, count):
        """Opens count connections to the service, as clients that never speak."""
        sockets = []
        for _ in range(count):
            s = socket.create_connection((HOST, self.server.port), timeout=10)
            sockets.append(s)
        return sockets

    def test_service_is_back_after_descriptors_ran_out(self):
        self.assertEqual(self.pay('order-before', 1).status, 'SUCCESS')
        for round_ in range(2):
            with self.subTest(round=round_):
                sockets = self.flood(3 * DESCRIPTOR_LIMIT)
                # Long enough for the service to try accepting them all.
                time.sleep(2)
                for s in sockets:
                    s.close()
                self.assertIsNone(self.server.process.poll(), self.server.stderr)
                # A connection of its own: channels of one process share them.
                with grpc.insecure_channel(f'{HOST}:{self.server.port}',
                                           options=[('grpc.use_local_subchannel_pool', 1)]) as channel:
                    stub = payment_pb2_grpc.PaymentServiceStub(channel)
                    response = stub.ProcessPayment(payment_pb2.PaymentRequest(
                        order_id=f'order-after-{round_}', amount=1, currency='USD',
                        user_id='user456'), timeout=20, wait_for_ready=True)
                self.assertEqual(response.status, 'SUCCESS')
        self.assertEqual(self.balance(), '997.00')
        self.assertEqual(self.server.stop(), 0, self.server.stderr)
        return self.server.stderr

    def test_connections_over_the_limit_are_closed(self):
        stderr = self.test_service_is_back_after_descriptors_ran_out()
        self.assertIn('connections are open', stderr)
        self.assertNotIn('Too many open files', stderr)


class DescriptorExhaustionTest(DescriptorTest):
    """No connection limit to speak of: accept() itself runs out."""
    server_options = ('--max-connections', '1000')

    def test_connections_over_the_limit_are_closed(self):
        stderr = self.test_service_is_back_after_descriptors_ran_out()
        self.assertIn('Too many open files', stderr)
        self.assertIn('Accepting connections again', stderr)


class ValgrindTest(ServiceTestCase):
    ready_timeout = 240

    @property
    def server_wrapper(self):
        # The service runs in the program quote-ledger hands over to.
        return ('valgrind', '--quiet', '--trace-children=yes', '--leak-check=full',
                '--errors-for-leak-kinds=definite', '--error-exitcode=1')

    def test_serves_and_shuts_down_cleanly(self):
        self.assertEqual(self.pay('order-v1', 99.99, timeout=120).status, 'SUCCESS')
        self.assertEqual(self.pay('order-v1', 99.99, timeout=120).status, 'SUCCESS')
        self.assertEqual(self.pay('order-v2', 5000, timeout=120).status, 'FAILED')
        with self.assertRaises(grpc.RpcError):
            self.channel.unary_unary(METHOD)(b'\xff\xff', timeout=120)
        with self.assertRaises(grpc.RpcError):
            self.channel.unary_unary('/payment.PaymentService/Refund')(b'', timeout=120)
        status = self.server.stop(timeout=240)
        self.assertEqual(status, 0, self.server.stderr)
        self.assertEqual(self.balance(), '900.01')


if __name__ == '__main__':
    unittest.main(verbosity=2)
