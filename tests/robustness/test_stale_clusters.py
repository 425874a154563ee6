#!/usr/bin/python3
# test_stale_clusters.py: the Python tests' cluster helper removes the
# clusters killed test programs left behind, and nothing else.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ql_test_postgres  # noqa: E402


def cluster_folder(pid, age_s):
    folder = tempfile.mkdtemp(prefix="ql-postgres-")
    os.mkdir(os.path.join(folder, "data"))
    if pid:
        with open(os.path.join(folder, "data", "postmaster.pid"), "w") as f:
            f.write("%d\n%s\n" % (pid, folder))
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


class StaleClusterTest(unittest.TestCase):
    def test_stale_clusters_are_removed(self):
        gone = subprocess.Popen(["true"])
        gone.wait()
        killed = cluster_folder(gone.pid, 0)
        never_started = cluster_folder(0, 2 * 60 * 60)
        starting = cluster_folder(0, 0)
        running = cluster_folder(os.getpid(), 2 * 60 * 60)
        for folder in (starting, running):
            self.addCleanup(shutil.rmtree, folder, True)

        cluster = ql_test_postgres.Cluster()
        cluster.stop()

        self.assertFalse(os.path.exists(killed))
        self.assertFalse(os.path.exists(never_started))
        self.assertTrue(os.path.isdir(starting))
        self.assertTrue(os.path.isdir(running))


    def test_orphaned_cluster_is_stopped(self):
        """A program that ends without stopping its cluster leaves its
        server running: the next cluster to start stops it."""
        child = subprocess.run(
            [sys.executable, "-c",
             "import sys; sys.path.insert(0, %r); import ql_test_postgres; "
             "print(ql_test_postgres.Cluster().dir)" % os.path.dirname(ql_test_postgres.__file__)],
            capture_output=True, text=True, check=True)
        folder = child.stdout.strip()
        with open(os.path.join(folder, "data", "postmaster.pid")) as f:
            server = int(f.readline())
        os.kill(server, 0)

        cluster = ql_test_postgres.Cluster()
        cluster.stop()

        self.assertFalse(os.path.exists(folder))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        else:
            self.fail("the orphan's server %d still runs" % server)


if __name__ == "__main__":
    unittest.main(verbosity=2)
