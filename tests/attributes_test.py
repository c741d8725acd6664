#!/usr/bin/env python3
"""attributes_test.py CONNLINT — packs derived from allocator attributes
(README "Packs derived from attributes"), on generated trees:

  - off by default: a leaking caller of an attributed allocator is not
    reported, --list-packs shows no derived pack, and clang's error on GCC's
    malloc(dealloc) form is no parse error (exit 0);
  - --attributes and "attributes": true both turn it on: the leak is
    reported, --list-packs names each entry with its declaration;
  - a pack given in the configuration keeps the functions it acquires;
  - the project model: an attribute declared only in another .c file of
    the project gives the same findings in a one-file run as in the
    whole-tree run; with --no-project it is not seen;
  - C23 attribute groups leading a declaration;
  - the cache: toggling the setting, and an attribute edited in a file the
    checked file does not include, change the results of a cached run.
"""
import json
import os
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what, proc=None):
    if not cond:
        extra = ""
        if proc is not None:
            extra = "\n  exit %d\n  stdout: %s\n  stderr: %s" % (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
        FAILURES.append(what + extra)
    return cond


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def run(connlint, cwd, *args):
    return subprocess.run([connlint, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def leak_lines(proc):
    """(file, line) of every connection-leak in a --format json run."""
    out = []
    for f in json.loads(proc.stdout or "[]"):
        if f.get("rule") == "connection-leak":
            out.append((os.path.basename(f["file"]), f["line"]))
    return sorted(out)


HEADER = """struct conn;
void conn_close(struct conn *c);
struct conn *conn_open(const char *dsn) __attribute__((malloc(conn_close)));
#define RELEASED_BY(f, n) __attribute__((malloc(f, n)))
struct pool;
void pool_put(struct pool *p, struct conn *c);
struct conn *pool_get(struct pool *p) RELEASED_BY(pool_put, 2);
"""

CALLER = """#include "conn.h"
int leak(void)
{
    struct conn *c = conn_open("db");
    if (!c)
        return -1;
    return 0;
}
"""


def case_off_and_on(connlint, tmp):
    write(tmp, "conn.h", HEADER)
    write(tmp, "use.c", CALLER)
    off = run(connlint, tmp, "--no-cache", "--format", "json", "use.c")
    check(off.returncode == 0 and leak_lines(off) == [], "off by default: no finding, exit 0", off)
    check("attribute takes no arguments" not in off.stderr, "clang's malloc error is not shown", off)
    lp = run(connlint, tmp, "--no-cache", "--list-packs")
    check(lp.returncode == 0 and "derived from the allocator attributes" not in lp.stdout,
          "--list-packs without the setting derives nothing", lp)
    on = run(connlint, tmp, "--no-cache", "--attributes", "--format", "json", "use.c")
    check(on.returncode == 1 and leak_lines(on) == [("use.c", 7)], "--attributes: the leak is found", on)
    lp = run(connlint, tmp, "--no-cache", "--attributes", "--list-packs", "use.c")
    want = ["dealloc:conn_close", "acquire  conn_open", "conn.h:3  malloc(conn_close)",
            "dealloc:pool_put", "release  pool_put (argument 2)", "conn.h:7  malloc(pool_put, 2)"]
    for w in want:
        check(w in lp.stdout, "--list-packs --attributes shows %r" % w, lp)
    check(lp.stdout.index("libpq") < lp.stdout.index("attributes "), "derived pack after the built-in ones", lp)
    write(tmp, ".connlint.json", '{"version": 1, "attributes": true}\n')
    cfg = run(connlint, tmp, "--no-cache", "--format", "json", "use.c")
    check(leak_lines(cfg) == [("use.c", 7)], '"attributes": true turns it on', cfg)
    lp = run(connlint, tmp, "--no-cache", "--list-packs")
    check("acquire  conn_open" in lp.stdout, '--list-packs reads "attributes" from the config', lp)
    write(tmp, ".connlint.json", '{"version": 1, "attributes": "yes"}\n')
    bad = run(connlint, tmp, "--no-cache", "use.c")
    check(bad.returncode == 2 and ".connlint.json:1:30: 'attributes' must be true or false" in bad.stderr,
          "a non-boolean value is an error with its position", bad)


def case_loaded_pack_wins(connlint, tmp):
    write(tmp, "pg.h", "struct pg_conn;\nvoid PQfinish(struct pg_conn *c);\n"
          "struct pg_conn *PQconnectdb(const char *s) __attribute__((malloc(PQfinish)));\n")
    write(tmp, "use.c", '#include "pg.h"\nvoid f(void) { struct pg_conn *c = PQconnectdb("x"); (void)c; }\n')
    write(tmp, ".connlint.json", '{"version": 1, "attributes": true, "rules": ["libpq"]}\n')
    lp = run(connlint, tmp, "--no-cache", "--list-packs")
    check("PQconnectdb" in lp.stdout and "left to pack 'libpq'" in lp.stdout, "a loaded pack's acquire is left to it", lp)
    r = run(connlint, tmp, "--no-cache", "--format", "json", "use.c")
    check(len(leak_lines(r)) == 1, "the leak is reported once (by libpq)", r)


def case_project(connlint, tmp):
    write(tmp, ".connlint.json", '{"version": 1, "attributes": true}\n')
    # the attribute is declared only in another .c file of the project
    write(tmp, "src/alloc.c", "struct blob;\nvoid blob_free(struct blob *b);\n"
          "struct blob *blob_new(int n) __attribute__((malloc(blob_free)));\n"
          "int alloc_unit(void) { return 0; }\n")
    write(tmp, "src/user.c", "struct blob;\nstruct blob *blob_new(int n);\nvoid blob_free(struct blob *b);\n"
          "int user(int n)\n{\n    struct blob *b = blob_new(n);\n    if (!b)\n        return -1;\n"
          "    if (n > 4)\n        return 1;\n    blob_free(b);\n    return 0;\n}\n")
    whole = run(connlint, tmp, "--no-cache", "--format", "json", ".")
    one = run(connlint, tmp, "--no-cache", "--format", "json", "src/user.c")
    check(leak_lines(whole) == [("user.c", 10)], "whole tree: the leak in user.c", whole)
    check(leak_lines(one) == leak_lines(whole), "one-file run: the same findings as the whole tree", one)
    alone = run(connlint, tmp, "--no-cache", "--no-project", "--format", "json", "src/user.c")
    check(leak_lines(alone) == [], "--no-project: the other file's declaration is not seen", alone)


def case_cache(connlint, tmp):
    write(tmp, ".connlint.json", '{"version": 1}\n')
    write(tmp, "alloc.c", "struct blob;\nvoid blob_free(struct blob *b);\n"
          "struct blob *blob_new(int n) __attribute__((malloc(blob_free)));\n")
    write(tmp, "user.c", "struct blob;\nstruct blob *blob_new(int n);\n"
          "void user(void)\n{\n    struct blob *b = blob_new(1);\n    (void)b;\n}\n")
    cache = os.path.join(tmp, "cache")
    args = ["--cache-dir", cache, "--format", "json", "user.c"]
    first = run(connlint, tmp, *args)
    check(leak_lines(first) == [], "cached, off: nothing", first)
    on = run(connlint, tmp, "--attributes", *args)
    check(leak_lines(on) == [("user.c", 7)], "cached, then on: the leak (the setting is in the keys)", on)
    off = run(connlint, tmp, *args)
    check(leak_lines(off) == [], "cached, off again: nothing", off)
    on = run(connlint, tmp, "--attributes", *args)
    check(leak_lines(on) == [("user.c", 7)], "cached, on again: the leak", on)
    write(tmp, "alloc.c", "struct blob;\nvoid blob_free(struct blob *b);\nstruct blob *blob_new(int n);\n")
    edited = run(connlint, tmp, "--attributes", *args)
    check(leak_lines(edited) == [], "the attribute removed from another file: the cached result is not reused", edited)


def case_c23(connlint, tmp):
    write(tmp, "c23.c", "struct s;\nvoid s_free(struct s *p);\n"
          "[[gnu::malloc(s_free, 1)]] struct s *s_new(void);\n"
          "[[clang::ownership_returns(thing)]] void *t_new(void);\n"
          "[[clang::ownership_takes(thing, 1)]] void t_free(void *p);\n"
          "void f(void)\n{\n    struct s *p = s_new();\n    void *t = t_new();\n    (void)p;\n    (void)t;\n}\n")
    r = run(connlint, tmp, "--no-cache", "--attributes", "--format", "json", "c23.c", "--", "-std=c2x")
    check(leak_lines(r) == [("c23.c", 12), ("c23.c", 12)], "C23 [[gnu::...]] / [[clang::...]] leading a declaration", r)


def main():
    connlint = os.path.abspath(sys.argv[1])
    for case in (case_off_and_on, case_loaded_pack_wins, case_project, case_cache, case_c23):
        with tempfile.TemporaryDirectory() as tmp:
            case(connlint, tmp)
    help_text = subprocess.run([connlint, "--help"], capture_output=True, text=True).stdout
    check("--attributes" in help_text, "--help names --attributes")
    for f in FAILURES:
        print("FAIL: " + f)
    print("%d failure%s" % (len(FAILURES), "" if len(FAILURES) == 1 else "s"))
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
