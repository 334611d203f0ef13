#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""stack-depth.py - the deepest stack any call into the library can take.

    tools/stack-depth.py DIR...     DIR: where gcc -fcallgraph-info=su
                                    wrote its .ci files (make lib does)

Reads the call graphs gcc writes with -fcallgraph-info=su (one VCG file
per object: a node per function with its frame size, an edge per call),
joins them by function name, and prints the call chain whose frames add
up to the most bytes, starting from any function. Calls through a pointer
are not in the graph (the library makes one: the report hook, which goes
to port_report() or the kernel's own hook, outside the library). Calls to
functions outside the library (the port) count 0 bytes. A call that
closes a cycle (a function already on the chain) counts 0 bytes and the
cycle is printed: it must be bounded by a guard in the code to be one
level deep (the library's one, kmalloc_cpu_poll() through a drain's
tiny-block free, is: in_poll[] in mm/pressure.c).
"""
import glob
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
SIZE = re.compile(r'\\n(\d+) bytes \((static|dynamic[^)]*)\)')


def main():
    frames, calls = {}, {}
    for d in sys.argv[1:] or ["."]:
        for path in glob.glob(os.path.join(d, "*.ci")):
            with open(path) as f:
                for line in f:
                    m = NODE.search(line)
                    if m:
                        s = SIZE.search(m.group(2))
                        if s:
                            frames[m.group(1)] = int(s.group(1))
                        else:
                            frames.setdefault(m.group(1), 0)
                        continue
                    m = EDGE.search(line)
                    if m:
                        calls.setdefault(m.group(1), set()).add(m.group(2))
    if not frames:
        print("stack-depth: no .ci files found", file=sys.stderr)
        return 1
    best = {}
    state = {}
    path = []
    cycles = []

    def depth(fn):
        if state.get(fn) == 1:
            cycle = " -> ".join(path[path.index(fn):] + [fn])
            if cycle not in cycles:
                cycles.append(cycle)
            return 0, []
        if fn in best:
            return best[fn]
        state[fn] = 1
        path.append(fn)
        top, chain = 0, []
        for callee in sorted(calls.get(fn, ())):
            d, c = depth(callee)
            if d > top:
                top, chain = d, c
        path.pop()
        state[fn] = 2
        best[fn] = (frames.get(fn, 0) + top, [fn] + chain)
        return best[fn]

    sys.setrecursionlimit(10000)
    total, chain = max(depth(fn) for fn in sorted(frames))
    print("deepest chain: %d bytes" % total)
    for fn in chain:
        print("  %5d  %s" % (frames.get(fn, 0), fn))
    for c in cycles:
        print("cycle (counted once): " + c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
