#!/usr/bin/python3
# bench-payments.py: calls per second of sequential unary ProcessPayment calls
# from one Python client, against quote-ledger --serve-payments and against a
# Python grpcio server doing the same work, measured in the same run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/bench-payments.py BUILD/src/quote-ledger [CALLS]
#
# Prints one JSON object per figure. Everything listens on 127.0.0.1 and
# lives in a temporary folder.

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(os.path.dirname(HERE), 'src', 'payments')
PYTHON = '/usr/bin/python3'
HOST = '127.0.0.1'
WARM_UP_CALLS = 100


def generate_stubs(folder):
    subprocess.run([PYTHON, '-m', 'grpc_tools.protoc', '-I', PROTO_DIR,
                    '--python_out', folder, '--grpc_python_out', folder,
                    os.path.join(PROTO_DIR, 'payment.proto')], check=True)
    sys.path.insert(0, folder)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve_in_python(port):
    """The comparison server: the seed's servicer shape with the same rules
    as quote-ledger's model, balances in a dict of minor units."""
    import threading
    import payment_pb2
    import payment_pb2_grpc

    class PaymentServiceImpl(payment_pb2_grpc.PaymentServiceServicer):
        def __init__(self):
            self.lock = threading.Lock()
            self.accounts = {'user456': ('USD', 2, 10 ** 9)}
            self.payments = {}

        def ProcessPayment(self, request, context):
            with self.lock:
                if request.order_id in self.payments:
                    return payment_pb2.PaymentResponse(
                        payment_id=self.payments[request.order_id], status='SUCCESS')
                account = self.accounts.get(request.user_id)
                if account is None or account[0] != request.currency:
                    return payment_pb2.PaymentResponse(status='FAILED')
                currency, decimals, balance = account
                try:
                    amount = Decimal(repr(request.amount))
                except InvalidOperation:
                    return payment_pb2.PaymentResponse(status='FAILED')
                if not amount.is_finite() or amount <= 0 or -amount.as_tuple().exponent > decimals:
                    return payment_pb2.PaymentResponse(status='FAILED')
                minor = int(amount.scaleb(decimals))
                if minor > balance:
                    return payment_pb2.PaymentResponse(status='FAILED')
                self.accounts[request.user_id] = (currency, decimals, balance - minor)
                payment_id = f'pay-{len(self.payments) + 1}'
                self.payments[request.order_id] = payment_id
                return payment_pb2.PaymentResponse(payment_id=payment_id, status='SUCCESS')

    server = grpc.server(ThreadPoolExecutor(max_workers=10))
    payment_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentServiceImpl(), server)
    server.add_insecure_port(f'{HOST}:{port}')
    server.start()
    print('ready', flush=True)
    server.wait_for_termination()


def wait_ready(process, word):
    for line in process.stdout:
        if word in line:
            return
    raise RuntimeError(f'server exited with {process.wait()}')


def measure(port, calls, prefix, user_id='user456', expected='SUCCESS'):
    import payment_pb2
    import payment_pb2_grpc

    with grpc.insecure_channel(f'{HOST}:{port}') as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = payment_pb2_grpc.PaymentServiceStub(channel)

        def pay(order_id):
            response = stub.ProcessPayment(payment_pb2.PaymentRequest(
                order_id=order_id, amount=0.01, currency='USD', user_id=user_id))
            if response.status != expected:
                raise RuntimeError(f'payment {order_id}: {response.status}')

        for i in range(WARM_UP_CALLS):
            pay(f'{prefix}-warm-{i}')
        start = time.perf_counter()
        for i in range(calls):
            pay(f'{prefix}-{i}')
        return time.perf_counter() - start


def figure(server, calls, seconds):
    print(json.dumps({
        'benchmark': 'payments-sequential-unary',
        'server': server,
        'calls': calls,
        'seconds': round(seconds, 3),
        'calls_per_second': round(calls / seconds, 1),
    }), flush=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--python-server':
        serve_in_python(int(sys.argv[2]))
        return
    if len(sys.argv) not in (2, 3):
        sys.exit(f'usage: {sys.argv[0]} QUOTE_LEDGER_BINARY [CALLS]')
    binary = os.path.abspath(sys.argv[1])
    calls = int(sys.argv[2]) if len(sys.argv) == 3 else 2000

    with tempfile.TemporaryDirectory(prefix='ql-bench-payments-') as tmp:
        generate_stubs(tmp)
        env = dict(os.environ, XDG_DATA_HOME=tmp, PYTHONPATH=tmp)
        env.pop('DISPLAY', None)
        env.pop('WAYLAND_DISPLAY', None)
        db = os.path.join(tmp, 'ledger.db')
        subprocess.run([binary, '--tui', '--db', db], env=env, check=True,
                       input='open user456 USD\ndeposit user456 10000000\n',
                       capture_output=True, text=True)

        quote_ledger = lambda port: [binary, '--serve-payments', f'{HOST}:{port}', '--db', db]
        python_server = lambda port: [PYTHON, os.path.abspath(__file__), '--python-server',
                                      str(port)]
        # The third figure pays from an unknown account: the same calls with
        # nothing written, which shows what the gRPC layer itself costs.
        runs = [
            ('quote-ledger (gRPC C core, SQLite file)', quote_ledger, 'Payment Service ready',
             dict(prefix='ql')),
            ('python grpcio (dict in memory)', python_server, 'ready', dict(prefix='py')),
            ('quote-ledger, refused payments (no write)', quote_ledger, 'Payment Service ready',
             dict(prefix='ql-refused', user_id='nobody', expected='FAILED')),
        ]
        for name, command, ready_word, how in runs:
            port = free_port()
            process = subprocess.Popen(command(port), env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                       text=True)
            try:
                wait_ready(process, ready_word)
                figure(name, calls, measure(port, calls, **how))
            finally:
                process.terminate()
                process.wait(30)


if __name__ == '__main__':
    main()
