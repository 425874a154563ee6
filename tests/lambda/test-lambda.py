#!/usr/bin/python3
# test-lambda.py: the Lambda runtime, bootstrap and lambda.zip.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# EmulatorTest and LedgerEmulatorTest run lambda.zip in @vercel/fun, a real
# implementation of the Runtime API (tests/lambda/emulator, installed by
# tools/install-deps). ScriptedApiTest runs bootstrap against a scripted
# Runtime API, a small HTTP server in this file, for the failures the
# emulator cannot produce: an API that is unreachable, huge events, init
# errors, a function that crashes or misses its deadline.
#
# Usage: test-lambda.py BOOTSTRAP ZIP TESTCLASS

import http.server
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.environ['QL_TEST_SOURCE_DIR']) + '/tests')
import ql_test_postgres  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ['QL_BINARY']
BOOTSTRAP = None
ZIP = None
FUN_INVOKE = os.path.join(HERE, 'fun-invoke.js')
EMULATOR = os.path.join(HERE, 'emulator', 'node_modules', '@vercel', 'fun')
CHAPTER_PAYLOAD = '{"number": 6}'
MB6 = 6 * 1024 * 1024


def function_url_event(body, base64=False):
    """A Function URL (API Gateway v2 format) event, as the chapter's curl
    call makes one."""
    import base64 as b64
    return json.dumps({
        'version': '2.0', 'routeKey': '$default', 'rawPath': '/', 'rawQueryString': '',
        'headers': {'content-type': 'application/json'},
        'requestContext': {'http': {'method': 'POST', 'path': '/'}},
        'body': b64.b64encode(body.encode()).decode() if base64 else body,
        'isBase64Encoded': base64,
    })


class Emulator:
    """lambda.zip (or the chapter's Python function) in @vercel/fun."""

    def __init__(self, zip_path, runtime, handler, env=None):
        if shutil.which('node') is None or not os.path.isdir(EMULATOR):
            raise AssertionError('@vercel/fun is not installed: run tools/install-deps '
                                 '(it needs Node.js 20 and npm)')
        self.cache = tempfile.TemporaryDirectory(prefix='ql-fun-cache-')
        self.args = ['node', FUN_INVOKE, zip_path, runtime, handler, json.dumps(env or {})]

    def invoke(self, *payloads, timeout=120):
        environment = dict(os.environ, XDG_CACHE_HOME=self.cache.name)
        result = subprocess.run(self.args, input=''.join(p + '\n' for p in payloads),
                                capture_output=True, text=True, timeout=timeout,
                                env=environment)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        if result.returncode != 0 or not lines or lines[-1] != {'closed': True}:
            raise AssertionError('fun-invoke.js failed (%d): %s\n%s'
                                 % (result.returncode, result.stdout, result.stderr))
        self.stderr = result.stderr
        return lines[:-1]

    def close(self):
        self.cache.cleanup()


class EmulatorCase(unittest.TestCase):
    handler = 'square'
    env = {}

    def emulator(self, handler=None, env=None):
        emulator = Emulator(ZIP, 'provided', handler or self.handler,
                            env if env is not None else self.env)
        self.addCleanup(emulator.close)
        return emulator

    def assertAnswer(self, result, expected):
        self.assertNotIn('FunctionError', result, result)
        self.assertEqual(json.loads(result['Payload']), expected)

    def assertFunctionError(self, result, error_type, message_part=''):
        self.assertEqual(result.get('FunctionError'), 'Handled', result)
        error = json.loads(result['Payload'])
        self.assertEqual(error['errorType'], error_type, error)
        self.assertIn(message_part, error['errorMessage'])
        return error


class EmulatorTest(EmulatorCase):
    def test_zip_holds_bootstrap_and_its_libraries(self):
        import zipfile
        with zipfile.ZipFile(ZIP) as archive:
            names = archive.namelist()
            mode = archive.getinfo('bootstrap').external_attr >> 16
        self.assertTrue(mode & 0o111, 'bootstrap is not executable')
        for name in ('bin/bootstrap', 'lib/ld-linux-x86-64.so.2', 'lib/libc.so.6',
                     'lib/libcurl.so.4', 'lib/libjson-glib-1.0.so.0', 'lib/libpq.so.5',
                     'lib/libcairo.so.2', 'locale/zh_CN/LC_MESSAGES/quote-ledger.mo'):
            self.assertIn(name, names)

    def test_chapter_payload(self):
        [result] = self.emulator().invoke(CHAPTER_PAYLOAD)
        self.assertAnswer(result, 'The square of 6 is 36.')

    def test_chapter_payload_in_chinese(self):
        [result] = self.emulator(env={'LANG': 'zh_CN.UTF-8'}).invoke(CHAPTER_PAYLOAD)
        self.assertAnswer(result, '6 的平方是 36。')

    def test_function_url_event(self):
        plain, encoded = self.emulator().invoke(function_url_event(CHAPTER_PAYLOAD),
                                                function_url_event(CHAPTER_PAYLOAD, True))
        for result in (plain, encoded):
            self.assertAnswer(result, {
                'statusCode': 200,
                'headers': {'Content-Type': 'text/plain; charset=utf-8'},
                'body': 'The square of 6 is 36.', 'isBase64Encoded': False})

    def test_numbers(self):
        results = self.emulator().invoke('{"number": -7}', '{"number": 2.5}',
                                         '{"number": 3037000499}', '{"number": 0}')
        expected = ['The square of -7 is 49.', 'The square of 2.5 is 6.25.',
                    'The square of 3037000499 is 9223372030926249001.', 'The square of 0 is 0.']
        for result, answer in zip(results, expected):
            self.assertAnswer(result, answer)

    def test_bad_payloads_are_function_errors_and_the_runtime_goes_on(self):
        results = self.emulator().invoke(
            '{"number": "six"}', '{}', '{"number": null}', '{"number": [6]}',
            '{"number": 3037000500}', '{"number": 1e200}', 'not json', '[6]', '"6"',
            function_url_event('{"number": true}'), function_url_event('{oops'),
            '{"requestContext": {}, "body": 6}', CHAPTER_PAYLOAD)
        types = ['InvalidNumber', 'MissingField', 'MissingField', 'InvalidNumber',
                 'NumberOverflow', 'NumberOverflow', 'InvalidEvent', 'InvalidEvent',
                 'InvalidEvent', 'InvalidNumber', 'InvalidEvent', 'InvalidEvent']
        self.assertEqual(len(results), len(types) + 1)
        for result, error_type in zip(results, types):
            self.assertFunctionError(result, error_type)
        self.assertFunctionError(results[1], 'MissingField', '“number”')
        self.assertFunctionError(results[4], 'NumberOverflow', '3037000500')
        self.assertAnswer(results[-1], 'The square of 6 is 36.')

    def test_unknown_handler_is_an_init_error(self):
        [result] = self.emulator(handler='cube').invoke(CHAPTER_PAYLOAD)
        self.assertEqual(result.get('FunctionError'), 'Unhandled', result)
        error = json.loads(result['Payload'])
        self.assertEqual(error['errorType'], 'Runtime.UnknownHandler')
        self.assertIn('cube', error['errorMessage'])


class LedgerEmulatorTest(EmulatorCase):
    """The ledger functions over the throwaway PostgreSQL cluster."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = ql_test_postgres.Cluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def setUp(self):
        self.db = self.cluster.database(self.id())
        self.env = {'QL_DATABASE': self.db}
        self.tmp = tempfile.TemporaryDirectory(prefix='ql-lambda-')
        self.addCleanup(self.tmp.cleanup)
        self.tui('open alice EUR', 'deposit alice 100', 'withdraw alice 30',
                 'deposit alice 12.5', 'open bob EUR')

    def tui(self, *commands):
        env = dict(os.environ, XDG_DATA_HOME=self.tmp.name)
        result = subprocess.run([BINARY, '--tui', '--db', self.db], env=env,
                                input=''.join(c + '\n' for c in commands),
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn('Error', result.stdout)
        return result.stdout

    def test_balance(self):
        results = self.emulator('balance').invoke(
            '{"ledger": "alice"}', '{"ledger": "nobody"}', '{}', '{"ledger": 5}',
            function_url_event('{"ledger": "alice"}'))
        self.assertAnswer(results[0], {'ledger': 'alice', 'balance': '82.50',
                                       'currency': 'EUR', 'version': 4})
        self.assertFunctionError(results[1], 'NotFound', 'nobody')
        self.assertFunctionError(results[2], 'MissingField', '“ledger”')
        self.assertFunctionError(results[3], 'InvalidArgument')
        body = json.loads(results[4]['Payload'])
        self.assertEqual(body['headers']['Content-Type'], 'application/json')
        self.assertEqual(json.loads(body['body'])['balance'], '82.50')

    def test_balance_sees_other_writers_between_invocations(self):
        emulator = self.emulator('balance')
        first = emulator.invoke('{"ledger": "alice"}')
        self.tui('deposit alice 7.5')
        second = emulator.invoke('{"ledger": "alice"}')
        self.assertEqual(json.loads(first[0]['Payload'])['balance'], '82.50')
        self.assertEqual(json.loads(second[0]['Payload'])['balance'], '90.00')

    def payment(self, order_id, amount, user='alice', currency='EUR'):
        return json.dumps({'order_id': order_id, 'amount': amount, 'currency': currency,
                           'user_id': user})

    def test_process_payment_is_idempotent(self):
        results = self.emulator('process-payment').invoke(
            self.payment('order123', 19.99), self.payment('order123', 19.99),
            self.payment('order123', 5), self.payment('order124', 1000),
            self.payment('', 1), self.payment('order125', 'abc'),
            self.payment('order126', 1, currency='USD'),
            '{"order_id": "o", "amount": 1, "currency": "EUR"}',
            self.payment('x' * 257, 1))
        paid = json.loads(results[0]['Payload'])
        self.assertEqual(paid['status'], 'SUCCESS')
        self.assertRegex(paid['payment_id'], r'^pay-\d+$')
        self.assertAnswer(results[1], paid)
        self.assertFunctionError(results[2], 'AlreadyExists', 'order123')
        self.assertAnswer(results[3], {'payment_id': '', 'status': 'FAILED'})
        self.assertAnswer(results[4], {'payment_id': '', 'status': 'FAILED'})
        self.assertAnswer(results[5], {'payment_id': '', 'status': 'FAILED'})
        self.assertAnswer(results[6], {'payment_id': '', 'status': 'FAILED'})
        self.assertFunctionError(results[7], 'MissingField', '“user_id”')
        self.assertFunctionError(results[8], 'InvalidArgument', '256')
        self.assertIn('62.51', self.tui('balance alice'))

    def test_invoice_is_a_pdf_with_the_ledgers_lines(self):
        results = self.emulator('invoice').invoke(
            '{"ledger": "alice", "from_version": 1, "to_version": 4}',
            '{"ledger": "alice", "from_version": 3, "to_version": 2}',
            '{"ledger": "alice", "from_version": 1, "to_version": 99}',
            '{"ledger": "alice", "from_version": "1", "to_version": 2}',
            function_url_event('{"ledger": "alice", "from_version": 2, "to_version": 3}'))
        response = json.loads(results[0]['Payload'])
        self.assertEqual(response['statusCode'], 200)
        self.assertEqual(response['headers']['Content-Type'], 'application/pdf')
        self.assertTrue(response['isBase64Encoded'])
        text = self.render(response['body'])
        self.assertIn('Statement of alice', text)
        self.assertIn('Versions 1 to 4', text)
        self.assertIn('Opening balance: 0.00 EUR', text)
        self.assertIn('Closing balance: 82.50 EUR', text)
        rows = [line.split() for line in text.splitlines() if re.match(r'^\s*[234]\s', line)]
        self.assertEqual([row[0] for row in rows], ['2', '3', '4'], text)
        self.assertEqual([' '.join(row[-4:]) for row in rows],
                         ['100.00 EUR 100.00 EUR', '-30.00 EUR 70.00 EUR',
                          '12.50 EUR 82.50 EUR'], text)
        self.assertFunctionError(results[1], 'InvalidArgument')
        self.assertFunctionError(results[2], 'InvalidArgument')
        self.assertFunctionError(results[3], 'InvalidNumber', '“from_version”')
        narrow = self.render(json.loads(results[4]['Payload'])['body'])
        self.assertIn('Opening balance: 100.00 EUR', narrow)
        self.assertIn('Closing balance: 70.00 EUR', narrow)

    def render(self, body):
        import base64
        pdf = os.path.join(self.tmp.name, 'statement-%s.pdf' % uuid.uuid4().hex)
        with open(pdf, 'wb') as f:
            f.write(base64.b64decode(body))
        subprocess.run(['pdftoppm', '-png', '-r', '50', pdf, pdf], check=True, timeout=60)
        png = pdf + '-1.png'
        self.assertTrue(os.path.getsize(png) > 1000, 'the first page renders empty')
        return subprocess.run(['pdftotext', '-layout', pdf, '-'], check=True, timeout=60,
                              capture_output=True, text=True).stdout

    def test_functions_end_cleanly_when_the_api_goes_away(self):
        """bootstrap, run directly against the scripted Runtime API, answers
        each ledger function, then exits once the API is gone: its worker
        closes the store and ends as a program does (under ASan, without a
        leak)."""
        events = {'balance': '{"ledger": "alice"}',
                  'process-payment': self.payment('order-clean', 1),
                  'invoice': '{"ledger": "alice", "from_version": 1, "to_version": 4}'}
        for handler, event in events.items():
            api = ScriptedApi()
            env = dict(os.environ, AWS_LAMBDA_RUNTIME_API='127.0.0.1:%d' % api.server_address[1],
                       _HANDLER=handler, QL_DATABASE=self.db, QL_LAMBDA_API_RETRY_MS='300')
            process = subprocess.Popen([BOOTSTRAP], env=env, stderr=subprocess.PIPE, text=True)
            request_id = api.add(event)
            post = api.next_post(timeout=60)
            api.closing = True
            api.shutdown()
            api.server_close()
            _out, err = process.communicate(timeout=60)
            self.assertEqual((post['id'], post['kind']), (request_id, 'response'), post)
            self.assertEqual(process.returncode, 1, err)
            self.assertIn('did not answer', err)
            self.assertNotIn('did not end cleanly', err)

    def test_ledger_function_without_database_is_an_init_error(self):
        [result] = self.emulator('balance', env={}).invoke('{"ledger": "alice"}')
        self.assertEqual(result.get('FunctionError'), 'Unhandled', result)
        self.assertEqual(json.loads(result['Payload'])['errorType'], 'Runtime.NoDatabase')


class ScriptedApi(http.server.ThreadingHTTPServer):
    """A scripted Runtime API: hands out the events put in `events`, records
    every response, function error and init error in `posts`."""

    daemon_threads = True

    def __init__(self, port=0):
        super().__init__(('127.0.0.1', port), ScriptedHandler)
        self.events = queue.Queue()
        self.posts = queue.Queue()
        self.served = queue.Queue()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def handle_error(self, request, client_address):
        # A bootstrap stopped at the end of a test drops its connection.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def add(self, body, deadline_s=30.0, trace='Root=1-5759e988-bd862e3fe1be46a994272793'):
        request_id = str(uuid.uuid4())
        headers = {'Lambda-Runtime-Aws-Request-Id': request_id,
                   'Lambda-Runtime-Deadline-Ms': str(int((time.time() + deadline_s) * 1000)),
                   'Lambda-Runtime-Trace-Id': trace,
                   'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:test'}
        self.events.put((headers, body if isinstance(body, bytes) else body.encode()))
        return request_id

    def next_post(self, timeout=30):
        return self.posts.get(timeout=timeout)


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != '/2018-06-01/runtime/invocation/next':
            return self.reply(404)
        while True:
            try:
                headers, body = self.server.events.get(timeout=0.5)
                break
            except queue.Empty:
                if getattr(self.server, 'closing', False):
                    # The API goes away: the waiting runtime sees it drop.
                    self.close_connection = True
                    return
        self.server.served.put(headers['Lambda-Runtime-Aws-Request-Id'])
        self.reply(200, body, headers)

    def do_POST(self):
        length = int(self.headers.get('Content-Length', 0))
        body = self.rfile.read(length)
        match = re.match(r'^/2018-06-01/runtime/(?:invocation/([^/]+)/(response|error)|'
                         r'init/(error))$', self.path)
        if match is None:
            return self.reply(404)
        kind = match.group(2) or 'init-error'
        self.server.posts.put({'id': match.group(1), 'kind': kind, 'body': body,
                               'type': self.headers.get('Lambda-Runtime-Function-Error-Type')})
        self.reply(202, b'{"status":"OK"}')

    def reply(self, status, body=b'', headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class ScriptedApiTest(unittest.TestCase):
    def start(self, port, handler='square', extra_env=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith('QL_DATABASE')}
        env.update({'AWS_LAMBDA_RUNTIME_API': '127.0.0.1:%d' % port, '_HANDLER': handler,
                    'QL_LAMBDA_API_RETRY_MS': '3000'})
        env.update(extra_env or {})
        process = subprocess.Popen([BOOTSTRAP], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)

        def stop():
            if process.poll() is None:
                process.terminate()
            process.communicate(timeout=30)
        self.addCleanup(stop)
        return process

    def api(self, port=0):
        api = ScriptedApi(port)

        def close():
            api.closing = True
            api.shutdown()
            api.server_close()
        self.addCleanup(close)
        return api

    def answer(self, api, request_id, timeout=30):
        post = api.next_post(timeout)
        self.assertEqual(post['id'], request_id)
        return post

    def assertSquare(self, api, number=6):
        request_id = api.add(json.dumps({'number': number}))
        post = self.answer(api, request_id)
        self.assertEqual(post['kind'], 'response', post)
        self.assertEqual(json.loads(post['body']),
                         'The square of %d is %d.' % (number, number * number))

    def assertError(self, post, error_type):
        self.assertEqual(post['kind'], 'error', post)
        self.assertEqual(post['type'], error_type)
        self.assertEqual(json.loads(post['body'])['errorType'], error_type)
        return json.loads(post['body'])

    def worker(self, process, timeout=10):
        """The pid of the bootstrap's worker process, once it has one."""
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            try:
                with open('/proc/%d/task/%d/children' % (process.pid, process.pid)) as f:
                    children = f.read().split()
            except FileNotFoundError:
                children = []
            if children:
                return int(children[0])
            time.sleep(0.02)
        self.fail('bootstrap started no worker')

    def test_answers_invocations_in_turn(self):
        api = self.api()
        self.start(api.server_address[1])
        for number in range(1, 6):
            self.assertSquare(api, number)

    def test_api_briefly_unreachable_at_start(self):
        port = free_port()
        process = self.start(port)
        time.sleep(0.8)
        self.assertIsNone(process.poll(), 'bootstrap gave up on the API at once')
        api = self.api(port)
        self.assertSquare(api)

    def test_api_gone_for_good_ends_the_runtime(self):
        port = free_port()
        started = time.monotonic()
        process = self.start(port, extra_env={'QL_LAMBDA_API_RETRY_MS': '700'})
        _out, err = process.communicate(timeout=30)
        self.assertEqual(process.returncode, 1)
        self.assertGreater(time.monotonic() - started, 0.6)
        self.assertIn('did not answer', err)

    def test_six_megabyte_event(self):
        api = self.api()
        self.start(api.server_address[1])
        event = json.dumps({'number': 6, 'padding': ''})
        event = event.replace('""', '"%s"' % ('x' * (MB6 - len(event))))
        self.assertEqual(len(event), MB6)
        request_id = api.add(event)
        post = self.answer(api, request_id, timeout=60)
        self.assertEqual(json.loads(post['body']), 'The square of 6 is 36.')

    def test_event_over_six_megabytes_is_refused_and_the_runtime_goes_on(self):
        api = self.api()
        self.start(api.server_address[1])
        request_id = api.add(b'{"number": 6, "padding": "' + b'x' * MB6 + b'"}')
        error = self.assertError(self.answer(api, request_id, timeout=60),
                                 'Runtime.RequestTooLarge')
        self.assertIn(str(MB6), error['errorMessage'])
        self.assertSquare(api)

    def test_unknown_handler_is_an_init_error(self):
        api = self.api()
        process = self.start(api.server_address[1], handler='cube')
        post = api.next_post()
        self.assertEqual(post['kind'], 'init-error')
        self.assertEqual(json.loads(post['body'])['errorType'], 'Runtime.UnknownHandler')
        self.assertEqual(process.wait(timeout=30), 1)

    def test_ledger_function_without_database_is_an_init_error(self):
        api = self.api()
        process = self.start(api.server_address[1], handler='invoice')
        post = api.next_post()
        self.assertEqual(post['kind'], 'init-error')
        self.assertEqual(post['type'], 'Runtime.NoDatabase')
        self.assertIn('QL_DATABASE', json.loads(post['body'])['errorMessage'])
        self.assertEqual(process.wait(timeout=30), 1)

    def test_unreachable_database_is_an_init_error(self):
        api = self.api()
        process = self.start(api.server_address[1], handler='balance', extra_env={
            'QL_DATABASE': 'host=/nonexistent port=5432 user=ql dbname=nothing'})
        post = api.next_post(timeout=60)
        self.assertEqual(post['kind'], 'init-error')
        self.assertEqual(post['type'], 'Runtime.NoDatabase')
        self.assertEqual(process.wait(timeout=30), 1)

    def test_handler_past_its_deadline_is_stopped_and_the_next_invocation_runs(self):
        api = self.api()
        process = self.start(api.server_address[1])
        self.assertSquare(api)
        worker = self.worker(process)
        os.kill(worker, signal.SIGSTOP)
        started = time.monotonic()
        request_id = api.add('{"number": 6}', deadline_s=1.0)
        error = self.assertError(self.answer(api, request_id), 'Runtime.HandlerTimedOut')
        self.assertIn('deadline', error['errorMessage'])
        self.assertLess(time.monotonic() - started, 5)
        self.assertSquare(api, 7)
        self.assertNotEqual(self.worker(process), worker)

    def test_handler_crash_is_a_function_error_and_the_next_invocation_runs(self):
        api = self.api()
        process = self.start(api.server_address[1])
        self.assertSquare(api)
        worker = self.worker(process)
        os.kill(worker, signal.SIGSTOP)
        request_id = api.add('{"number": 6}')
        # The first invocation was served before; this one is the worker's.
        api.served.get(timeout=30)
        self.assertEqual(api.served.get(timeout=30), request_id)
        time.sleep(0.3)
        os.kill(worker, signal.SIGSEGV)
        os.kill(worker, signal.SIGCONT)
        error = self.assertError(self.answer(api, request_id), 'Runtime.HandlerCrashed')
        # Under ASan the sanitizer turns the SIGSEGV into an abort.
        self.assertRegex(error['errorMessage'], r'killed by signal (%d|%d) '
                         % (signal.SIGSEGV, signal.SIGABRT))
        self.assertSquare(api, 8)

    def test_worker_dead_while_idle_is_replaced_silently(self):
        api = self.api()
        process = self.start(api.server_address[1])
        self.assertSquare(api)
        worker = self.worker(process)
        os.kill(worker, signal.SIGKILL)
        time.sleep(0.2)
        self.assertSquare(api, 9)

    def test_outside_lambda_is_a_usage_error(self):
        env = {k: v for k, v in os.environ.items() if k != 'AWS_LAMBDA_RUNTIME_API'}
        result = subprocess.run([BOOTSTRAP], env=env, capture_output=True, text=True,
                                timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn('AWS_LAMBDA_RUNTIME_API is not set', result.stderr)
        result = subprocess.run([BOOTSTRAP, '--help'], env=env, capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0)
        self.assertIn('QL_DATABASE', result.stdout)

    def test_function_error_reaches_the_api(self):
        api = self.api()
        self.start(api.server_address[1])
        request_id = api.add('{"number": "six"}')
        self.assertError(self.answer(api, request_id), 'InvalidNumber')
        self.assertSquare(api)


if __name__ == '__main__':
    BOOTSTRAP, ZIP = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
