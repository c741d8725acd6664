#!/usr/bin/env python3
"""init_test.py CONNLINT — `connlint --init` on generated trees:

  - a tree including libpq-fe.h (from a .c file) and mongoc/mongoc.h (from
    a header beside a .c file), with handlers/ and routes/ folders and
    build/compile_commands.json: the config names exactly libpq and
    libmongoc, both handler globs and "build", and connlint runs with it;
  - a second --init exits 2 and leaves the file byte for byte;
  - a tree including no pack's header: no "rules" (the default set), no
    handlers, no compile database;
  - an include that only ends like a pack header ("mymysql.h") proposes
    nothing.
"""
import json
import os
import subprocess
import sys
import tempfile


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def init(connlint, cwd, *paths):
    return subprocess.run([connlint, "--init", *paths], cwd=cwd, capture_output=True, text=True)


def main():
    connlint = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        write(tmp, "src/handlers/users.c", '#include <libpq-fe.h>\n#include "store.h"\nint users(void) { return 0; }\n')
        write(tmp, "src/routes/orders.c", "int orders(void) { return 0; }\n")
        write(tmp, "src/db/store.h", "#include <mongoc/mongoc.h>\n")
        write(tmp, "src/db/store.c", '#include "store.h"\n')
        write(tmp, "build/compile_commands.json", "[]\n")
        p = init(connlint, tmp)
        if p.returncode != 0:
            fail("--init exited %d: %s" % (p.returncode, p.stderr))
        path = os.path.join(tmp, ".connlint.json")
        with open(path) as f:
            text = f.read()
        cfg = json.loads(text)
        want = {"version": 1, "rules": ["libmongoc", "libpq"],
                "handlers": ["src/handlers/**", "src/routes/**"], "compile_commands": "build"}
        if cfg != want:
            fail("config %s, expected %s" % (cfg, want))
        again = init(connlint, tmp)
        if again.returncode != 2 or "already exists" not in again.stderr:
            fail("a second --init exited %d: %s" % (again.returncode, again.stderr))
        with open(path) as f:
            if f.read() != text:
                fail("a second --init changed the file")
        run = subprocess.run([connlint, "--list-rules"], cwd=tmp, capture_output=True)
        if run.returncode != 0:
            fail("connlint does not accept the written config")
    with tempfile.TemporaryDirectory() as tmp:
        write(tmp, "lib/a.c", '#include <stdio.h>\n#include "mymysql.h"\nint a(void) { return 0; }\n')
        write(tmp, "lib/mymysql.h", "\n")
        p = init(connlint, tmp)
        with open(os.path.join(tmp, ".connlint.json")) as f:
            cfg = json.load(f)
        if p.returncode != 0 or cfg != {"version": 1}:
            fail("plain tree: exit %d, config %s" % (p.returncode, cfg))
    print("init: ok")


if __name__ == "__main__":
    main()
