#!/bin/sh
# run_precommit.sh CONNLINT CHECKOUT — the pre-commit hook end to end: a
# throw-away git repository whose .pre-commit-config.yaml uses the
# `connlint` hook defined by CHECKOUT/.pre-commit-hooks.yaml. Committing a
# file that leaks a connection must be refused with the finding printed;
# committing a clean file must succeed.
#
# pre-commit clones the hook repository at a fixed rev. So that the test
# checks this checkout's hook definition even before it is committed, the
# hook repository is a throw-away repository holding a copy of
# CHECKOUT/.pre-commit-hooks.yaml. HOME and PRE_COMMIT_HOME point into the
# temporary folder: the user's configuration and cache are not touched, and
# no network is needed (a `language: system` hook installs nothing).
# Skips (77) without pre-commit or git, except in CI (CI set).
set -u

connlint=$1
checkout=$2

for tool in git pre-commit; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ -n "${CI:-}" ]; then
            echo "FAIL: $tool is not installed (apt-get install pre-commit)" >&2
            exit 1
        fi
        echo "SKIP: $tool is not installed"
        exit 77
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" PRE_COMMIT_HOME="$tmp/cache" XDG_CACHE_HOME="$tmp/cache"
export GIT_CONFIG_NOSYSTEM=1
export PATH="$(dirname "$connlint"):$PATH"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"
git config --global user.name "connlint test"
git config --global user.email "test@example.invalid"
git config --global init.defaultBranch main
git config --global commit.gpgsign false

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The hook repository.
hooks="$tmp/hooks"
mkdir -p "$hooks"
cp "$checkout/.pre-commit-hooks.yaml" "$hooks/" || fail "no .pre-commit-hooks.yaml in $checkout"
git -C "$hooks" init -q && git -C "$hooks" add .pre-commit-hooks.yaml &&
    git -C "$hooks" commit -q -m hooks || fail "cannot make the hook repository"
rev=$(git -C "$hooks" rev-parse HEAD)

# The project that uses it.
work="$tmp/work"
mkdir -p "$work"
cd "$work" || exit 1
git init -q
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: connlint
YAML
cat > .connlint.json <<'JSON'
{
  "version": 1,
  "rules": ["libpq"]
}
JSON
git add .pre-commit-config.yaml .connlint.json
git commit -q --no-verify -m "configuration" || fail "cannot commit the configuration"
pre-commit install >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "pre-commit install failed"; }

cat > leak.c <<'C'
/* leak.c: keeps the connection when the query fails. */
typedef struct pg_conn PGconn;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);
int run_query(PGconn *conn, const char *sql);

int leak_touch(const char *dsn)
{
    PGconn *conn = PQconnectdb(dsn);
    if (conn == 0)
        return -1;
    if (run_query(conn, "UPDATE t SET x = 1") != 0)
        return -2;
    PQfinish(conn);
    return 0;
}
C
cat > clean.c <<'C'
/* clean.c: no database at all. */
int clean_add(int a, int b)
{
    return a + b;
}
C

git add leak.c
if git commit -m "add a leak" >"$tmp/leak.log" 2>&1; then
    cat "$tmp/leak.log"
    fail "the commit of leak.c was not blocked"
fi
grep -q "leak.c:13:[0-9]*: error: .*\[connection-leak\]" "$tmp/leak.log" || {
    cat "$tmp/leak.log"
    fail "the blocked commit did not print the connection-leak finding at leak.c:13"
}
[ "$(git rev-list --count HEAD)" = 1 ] || fail "a commit was made despite the finding"
echo "ok: committing leak.c is refused:"
grep "leak.c:" "$tmp/leak.log" | sed 's/^/    /'

git rm -q --cached leak.c
git add clean.c
if ! git commit -m "add clean code" >"$tmp/clean.log" 2>&1; then
    cat "$tmp/clean.log"
    fail "the commit of clean.c was refused"
fi
grep -q "connlint" "$tmp/clean.log" || { cat "$tmp/clean.log"; fail "the hook did not run on clean.c"; }
[ "$(git rev-list --count HEAD)" = 2 ] || fail "clean.c was not committed"
echo "ok: committing clean.c succeeds (hook ran: $(grep connlint "$tmp/clean.log" | tr -s ' .' ' '))"

# Subset mode (the default): the hook checks the staged files with the
# summaries of the whole project, so an acquire wrapper and a release
# helper committed earlier count for a staged caller.
cat > wrappers.c <<'C'
/* wrappers.c: the project's acquire wrapper and release helper. */
typedef struct pg_conn PGconn;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);

PGconn *db_open(void)
{
    return PQconnectdb("service=app");
}

void db_close(PGconn *c)
{
    PQfinish(c);
}
C
git add wrappers.c
git commit -q -m "wrappers" >"$tmp/wrappers.log" 2>&1 || { cat "$tmp/wrappers.log"; fail "cannot commit wrappers.c"; }
cat > uses_helper.c <<'C'
/* uses_helper.c: releases through the helper of wrappers.c. */
typedef struct pg_conn PGconn;
PGconn *db_open(void);
void db_close(PGconn *c);
int run_query(PGconn *conn, const char *sql);

int helper_touch(void)
{
    PGconn *c = db_open();
    if (c == 0)
        return -1;
    int rc = run_query(c, "UPDATE t SET x = 1");
    db_close(c);
    return rc;
}
C
git add uses_helper.c
if ! git commit -m "release through a helper" >"$tmp/helper.log" 2>&1; then
    cat "$tmp/helper.log"
    fail "uses_helper.c was refused: the release helper in the committed wrappers.c was not known"
fi
echo "ok: a caller releasing through a helper in an unchanged file is committed"
cat > wrapper_leak.c <<'C'
/* wrapper_leak.c: keeps the wrapper's connection when the query fails. */
typedef struct pg_conn PGconn;
PGconn *db_open(void);
void db_close(PGconn *c);
int run_query(PGconn *conn, const char *sql);

int wrapper_touch(void)
{
    PGconn *c = db_open();
    if (c == 0)
        return -1;
    if (run_query(c, "UPDATE t SET x = 1") != 0)
        return -2;
    db_close(c);
    return 0;
}
C
git add wrapper_leak.c
if git commit -m "leak through a wrapper" >"$tmp/wrapper.log" 2>&1; then
    cat "$tmp/wrapper.log"
    fail "wrapper_leak.c was committed: the acquire wrapper in the committed wrappers.c was not known"
fi
grep -q "wrapper_leak.c:13:[0-9]*: error: .*\[connection-leak\]" "$tmp/wrapper.log" || {
    cat "$tmp/wrapper.log"
    fail "the blocked commit did not print the leak at wrapper_leak.c:13"
}
echo "ok: a leak of a connection from a wrapper in an unchanged file is refused"
