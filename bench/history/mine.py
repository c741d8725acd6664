#!/usr/bin/env python3
"""mine.py — lists candidate leak-fix commits of a git repository: the
message mentions a leak, the commit touches at most MAXFILES C files, its
diff is small and adds a call of a known release function. One line per
(commit, file): REPO COMMIT FILE RELEASES SUBJECT, for reading and picking
pairs into pairs.tsv (the candidates are not used as they are).

    mine.py GIT_DIR [--max-files 2] [--max-lines 60]
"""
import argparse
import re
import subprocess

RELEASES = [
    "PQclear", "PQfinish", "mysql_free_result", "mysql_close",
    "mysql_stmt_close", "sqlite3_finalize", "sqlite3_close",
    "freeReplyObject", "redisFree", "curl_easy_cleanup",
    "curl_slist_free_all", "curl_multi_cleanup", "fclose", "close",
    "closedir", "pclose", "freeaddrinfo", "ldap_msgfree",
    "ldap_unbind_ext", "free_result", "close_connection", "free",
]
CALL = re.compile(r"^\+.*\b(" + "|".join(RELEASES) + r")\s*\(")


def git(gd, *args):
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True,
                          text=True, errors="replace").stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("git_dir")
    ap.add_argument("--max-files", type=int, default=2)
    ap.add_argument("--max-lines", type=int, default=60)
    ap.add_argument("--grep", default="leak")
    a = ap.parse_args()
    revs = git(a.git_dir, "log", "--no-merges", "-i", "--grep", a.grep,
               "--format=%H %s", "--", "*.c").splitlines()
    for line in revs:
        rev, _, subject = line.partition(" ")
        files = [f for f in git(a.git_dir, "show", "--format=", "--name-only",
                                rev, "--", "*.c").split() if f]
        if not files or len(files) > a.max_files:
            continue
        for f in files:
            diff = git(a.git_dir, "show", "--format=", "-U0", rev, "--", f)
            changed = [l for l in diff.splitlines()
                       if l[:1] in "+-" and not l.startswith(("+++", "---"))]
            if len(changed) > a.max_lines:
                continue
            calls = sorted({m.group(1) for l in changed
                            for m in [CALL.match(l)] if m})
            if calls:
                print(rev[:12], f, ",".join(calls), subject[:90], sep="\t")


if __name__ == "__main__":
    main()
