#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""preload_test.py - test the drop-in malloc (build/host-pic/libkma.so).

    tools/preload_test.py         KTAP on stdout, two suites

preload_api: tools/preload/preload_test.c, built against the system's
    headers and run with LD_PRELOAD (and a small KMA_INITIAL_MB, so that
    the heap must grow, and KMA_DECAY_MS=2, so that decay periods end
    often, in every thread state the cases reach).
preload_programs: real programs from Debian packages - python3 building
    large dicts and strings, sqlite3 on a scripted workload, git making
    and inspecting a repository - run without and with the preload; each
    case passes if exit status and output are identical and the preload
    was really in effect (the library shows in /proc/PID/maps).
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "build", "host-pic", "libkma.so")
API_SRC = os.path.join(ROOT, "tools", "preload", "preload_test.c")
API_BIN = os.path.join(ROOT, "build", "host-pic", "preload-test")
PY = "/usr/bin/python3"         # Debian's, not a wrapper script

PY_SCRIPT = r'''
import hashlib, threading
def work(seed):
    d = {}
    for i in range(100000):
        d["k%d-%d" % (seed, i)] = ("v" * (i % 50)) + str(i * seed)
    s = "".join(d[k] for k in sorted(d)[::7])
    l = sorted(d.items(), key=lambda kv: (len(kv[1]), kv[0]))
    big = [bytes(range(256)) * (i % 64 + 1) for i in range(4000)]
    return hashlib.sha256((s + repr(l[:1000])).encode() + b"".join(big)).hexdigest()
out = {}
ts = [threading.Thread(target=lambda n=n: out.__setitem__(n, work(n)))
      for n in range(1, 4)]
for t in ts: t.start()
for t in ts: t.join()
print(work(7))
for k in sorted(out): print(k, out[k])
'''

SQL_SCRIPT = '''
create table t(id integer primary key, name text, grp int, val real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 30000)
insert into t(name, grp, val) select 'name' || x || printf('%.*c', x % 97, 'z'),
    x % 37, x * 1.5 from c;
create index t_grp on t(grp, name);
select grp, count(*), sum(val), max(length(name)) from t group by grp order by grp;
update t set name = upper(name) where id % 3 = 0;
delete from t where id % 5 = 0;
select count(*), sum(length(name)) from t;
select name from t where grp = 7 order by name desc limit 5;
create table u as select grp, group_concat(name, ',') as names from t group by grp;
select grp, length(names) from u order by grp limit 10;
vacuum;
select count(*) from t;
'''


def run(cmd, preload, cwd=None, env=None, stdin=None):
    e = dict(env or os.environ)
    e.pop("LD_PRELOAD", None)
    if preload:
        e["LD_PRELOAD"] = LIB
    return subprocess.run(cmd, cwd=cwd, env=e, input=stdin,
                          capture_output=True, timeout=300)


def maps_check():
    """The preload shows in a child's memory map."""
    r = run(["/bin/cat", "/proc/self/maps"], True)
    return LIB.encode() in r.stdout or b"libkma.so" in r.stdout


def git_session(preload, d):
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b",
               GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b",
               GIT_AUTHOR_DATE="2000-01-01T00:00:00Z",
               GIT_COMMITTER_DATE="2000-01-01T00:00:00Z",
               GIT_CONFIG_NOSYSTEM="1", HOME=d)
    out = b""
    repo = os.path.join(d, "r")
    os.makedirs(repo)
    steps = [["git", "init", "-q", "-b", "main", "."]]
    for rev in range(3):
        for i in range(150):
            with open(os.path.join(repo, f"f{i}.txt"), "w") as f:
                f.write("".join(f"line {j} of {i} rev {rev}\n"
                                for j in range(i + rev * 3)))
        steps += [["git", "add", "-A"],
                  ["git", "commit", "-q", "-m", f"rev {rev}"]]
        # run the steps so far, then write the next revision
        for s in steps:
            r = run(s, preload, cwd=repo, env=env)
            out += r.stdout + r.stderr + bytes([r.returncode])
        steps = []
    for s in [["git", "log", "--stat", "--format=%H %s"],
              ["git", "diff", "HEAD~2", "HEAD", "--stat"],
              ["git", "gc", "-q", "--aggressive"],
              ["git", "fsck", "--full", "--strict"],
              ["git", "rev-list", "--objects", "--all"],
              ["git", "grep", "-c", "rev 2"]]:
        r = run(s, preload, cwd=repo, env=env)
        out += r.stdout + r.stderr + bytes([r.returncode])
    return out


def compare(name, fn, cases):
    try:
        a, b = fn(False), fn(True)
        ok = a == b
        detail = "" if ok else "output differs with the preload"
        if not ok:
            for tag, x in (("without", a), ("with", b)):
                detail += f"\n        # {tag}: " + repr(x[-200:])
    except (OSError, subprocess.SubprocessError) as e:
        ok, detail = False, str(e)
    cases.append((ok, name, detail))


def programs_suite():
    cases = []
    cases.append((maps_check(), "preload_in_effect",
                  "libkma.so not in a preloaded process's maps"))

    def py(pre):
        r = run([PY, "-c", PY_SCRIPT], pre)
        return r.stdout + r.stderr + bytes([r.returncode])
    compare("python3_dicts_strings", py, cases)

    def sql(pre):
        r = run(["sqlite3", ":memory:"], pre, stdin=SQL_SCRIPT.encode())
        return r.stdout + r.stderr + bytes([r.returncode])
    compare("sqlite3_workload", sql, cases)

    def git(pre):
        with tempfile.TemporaryDirectory() as d:
            return git_session(pre, d)
    compare("git_repository", git, cases)

    # CPython's own test of its queue module: 54 tests, threads by the
    # hundred (it once ended in SIGABRT when a 65th thread allocated).
    # Passes with the preload as it does without (the run without it
    # tells a broken environment from a broken allocator).
    def cpython_test(name):
        res = {}
        for pre in (False, True):
            try:
                r = run([PY, "-m", "test", name], pre)
                res[pre] = (r.returncode, (r.stdout + r.stderr)[-300:])
            except (OSError, subprocess.SubprocessError) as e:
                res[pre] = (-1, str(e).encode())
        ok = res[False][0] == 0 and res[True][0] == 0
        detail = "" if ok else (
            f"without the preload: status {res[False][0]}, with it: "
            f"status {res[True][0]}\n        # " +
            repr(res[True][1]))
        cases.append((ok, "cpython_" + name, detail))
    cpython_test("test_queue")
    return cases


def main():
    r = subprocess.run(["make", "-s", "-C", ROOT, "-j2", "ARCH=host",
                        "preload"], capture_output=True, text=True)
    build_ok = r.returncode == 0 and os.path.exists(LIB)
    print("KTAP version 1\n1..2")
    api_ok = False
    if build_ok:
        cc = os.environ.get("CC", "gcc")
        b = subprocess.run([cc, "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra",
                            "-Werror", "-pthread", "-I",
                            os.path.dirname(API_SRC), "-o", API_BIN, API_SRC,
                            "-ldl"], capture_output=True, text=True)
        if b.returncode:
            print("# preload_api does not build:\n# " +
                  b.stderr.replace("\n", "\n# "))
        else:
            env = dict(os.environ, LD_PRELOAD=LIB, KMA_INITIAL_MB="16",
                       KMA_DECAY_MS="2")
            try:
                t = subprocess.run([API_BIN], env=env, capture_output=True,
                                   text=True, timeout=120)
                out, rc, err = t.stdout, t.returncode, t.stderr
            except subprocess.TimeoutExpired as e:
                out = (e.stdout or b"").decode(errors="replace")
                rc, err = 124, "timed out after 120 s (a hang)"
            lines = out.splitlines()
            # Its suite, without its own "KTAP version 1" / "1..1" header.
            body = [ln for ln in lines[2:] if ln.startswith("    ") or
                    ln.startswith("ok ") or ln.startswith("not ok ")]
            print("\n".join(body))
            if rc:
                print("# preload_api exit status %d: %s" %
                      (rc, err.strip()[-300:]))
            api_ok = rc == 0
    else:
        print("# make preload failed: " + (r.stdout + r.stderr)[-400:]
              .replace("\n", "\n# "))
    if not api_ok and not build_ok:
        print("not ok 1 preload_api")
    cases = programs_suite() if build_ok else [(False, "build", "")]
    print("    KTAP version 1\n    # Subtest: preload_programs")
    print(f"    1..{len(cases)}")
    for i, (ok, name, detail) in enumerate(cases):
        if not ok and detail:
            print(f"        # {name}: {detail}")
        print(f"    {'ok' if ok else 'not ok'} {i + 1} {name}")
    bad = not all(ok for ok, _, _ in cases)
    print(f"{'not ok' if bad else 'ok'} 2 preload_programs")
    return 1 if bad or not api_ok else 0


if __name__ == "__main__":
    for tool in ("sqlite3", "git"):
        if not shutil.which(tool):
            print(f"preload_test: {tool} missing (tools/deps.sh test)",
                  file=sys.stderr)
    sys.exit(main())
