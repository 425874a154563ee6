# SPDX-License-Identifier: GPL-3.0-or-later
"""A throwaway PostgreSQL cluster for the Python tests, made as
tests/ql-test-postgres.c makes one for the C tests: initdb in a temporary
folder, a server listening only on a Unix socket there, trust for local
roles. initdb and postgres refuse to run as root, so as root they run as
the `postgres` user, which then owns the folder."""

import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time

# Where Debian 12 installs the server when pg_config cannot say.
FALLBACK_BINDIR = "/usr/lib/postgresql/15/bin"
SUPERUSER = "ql"


def find_bindir():
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, check=True,
                             text=True).stdout.strip()
        if os.access(os.path.join(out, "initdb"), os.X_OK):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return FALLBACK_BINDIR


# How old a cluster's folder without a server must be before it counts as
# left behind rather than still being made, in seconds.
STALE_FOLDER_AGE_S = 60 * 60


def pid_in_file_is_gone(path):
    """Whether the process the first line of @path names is gone."""
    try:
        with open(path) as f:
            pid = int(f.readline().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        pass
    return False


def is_stale_cluster(folder):
    """Whether the cluster in @folder was left behind by a test program
    killed before it could stop it, or that failed before it did: the
    program that made it is gone, or its server's pid is, or it never got
    one and the folder is old. A pid that exists, whoever's, keeps it."""
    if pid_in_file_is_gone(os.path.join(folder, "owner")):
        return True
    try:
        with open(os.path.join(folder, "data", "postmaster.pid")) as f:
            pid = int(f.readline().strip() or 0)
    except (OSError, ValueError):
        try:
            return time.time() - os.stat(folder).st_mtime > STALE_FOLDER_AGE_S
        except OSError:
            return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        pass
    return False


def remove_stale_clusters():
    """Removes the clusters test programs killed from outside (a timeout,
    a signal) left in the temporary folder."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        folder = os.path.join(tmp, name)
        if name.startswith("ql-postgres-") and is_stale_cluster(folder):
            stop_and_remove(folder)


def stop_and_remove(folder):
    """A server whose owner is gone may still run: it is stopped before
    its folder goes."""
    pid_file = os.path.join(folder, "data", "postmaster.pid")
    if os.path.exists(pid_file) and not pid_in_file_is_gone(pid_file):
        argv = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        argv += [os.path.join(find_bindir(), "pg_ctl"), "-D", os.path.join(folder, "data"),
                 "-m", "immediate", "-w", "stop"]
        subprocess.run(argv, cwd=folder, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


class Cluster:
    """Started by the constructor; stop() stops it and removes its folder."""

    def __init__(self, durable=False):
        """@durable keeps fsync on, as a server that must not lose a
        commit runs: benchmarks of commits need it; tests do not."""
        remove_stale_clusters()
        self.bindir = find_bindir()
        self.as_postgres = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="ql-postgres-")
        self.data = os.path.join(self.dir, "data")
        log = os.path.join(self.dir, "server.log")
        # The program that makes the cluster owns it: one that fails
        # before it stops the server leaves a cluster the next one stops.
        with open(os.path.join(self.dir, "owner"), "w") as owner:
            owner.write("%d\n" % os.getpid())
        try:
            if self.as_postgres:
                postgres = pwd.getpwnam("postgres")
                os.chown(self.dir, postgres.pw_uid, postgres.pw_gid)
            self.run("initdb", "-D", self.data, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                     "--locale=C", "--no-sync", "--no-instructions")
            # Thrown away after the run: unless durable, commits skip fsync.
            with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
                conf.write("listen_addresses = ''\n"
                           "unix_socket_directories = '%s'\n"
                           "fsync = %s\nshared_buffers = %s\n"
                           % (self.dir, "on" if durable else "off",
                              "128MB" if durable else "16MB"))
            self.run("pg_ctl", "-D", self.data, "-l", log, "-w", "-t", "60", "start")
        except BaseException as error:
            server_log = ""
            if os.path.exists(log):
                with open(log) as f:
                    server_log = f.read()
            shutil.rmtree(self.dir, ignore_errors=True)
            raise RuntimeError("Could not start a PostgreSQL cluster for the tests: %s\n%s"
                               % (error, server_log)) from error
        self.conninfo = "host=%s port=5432 user=%s" % (self.dir, SUPERUSER)

    def run(self, program, *args):
        argv = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        argv += [os.path.join(self.bindir, program)] + list(args)
        proc = subprocess.run(argv, cwd=self.dir, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError("%s failed: %s%s" % (program, proc.stdout, proc.stderr))

    def database(self, key):
        """A new database, named after @key; returns its connection string."""
        name = "ql_test_" + hashlib.sha1(key.encode()).hexdigest()[:16]
        subprocess.run([os.path.join(self.bindir, "psql"), "-q", "-v", "ON_ERROR_STOP=1",
                        "-c", "CREATE DATABASE " + name, self.conninfo + " dbname=postgres"],
                       check=True, capture_output=True)
        return "%s dbname=%s" % (self.conninfo, name)

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
