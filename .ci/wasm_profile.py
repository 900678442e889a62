#!/usr/bin/env python3
"""What a wasm module's code is made of: each function's body size from the code section, named
by the name section (so: a module before wasm-opt/wasm-bindgen strip names, e.g.
target/wasm32-unknown-unknown/release/vigil.wasm), grouped by crate and by module path.
A size profiler in the spirit of twiggy's `top`, with no install: ./x size --profile."""
import re
import sys
from collections import Counter


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7F) << s; s += 7
        if x < 0x80:
            return r, i


def sections(b):
    i = 8
    while i < len(b):
        sid = b[i]; i += 1
        size, i = leb(b, i)
        yield sid, b[i:i + size]
        i += size


def demangle(name):
    """The path of a legacy-mangled Rust symbol (`_ZN4core3fmt5write17h…E` -> core::fmt::write)."""
    if not name.startswith('_ZN'):
        return name
    i, parts = 3, []
    while i < len(name) and name[i].isdigit():
        m = re.match(r'\d+', name[i:])
        n = int(m.group()); i += len(m.group())
        parts.append(name[i:i + n]); i += n
    if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]):
        parts.pop()
    return '::'.join(p.replace('$LT$', '<').replace('$GT$', '>').replace('$u20$', ' ')
                     .replace('..', '::') for p in parts)


def crate_of(path):
    p = path.lstrip('<_').split('::')[0].split(' ')[0]
    return p or '?'


def main():
    path = sys.argv[1]
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    b = open(path, 'rb').read()
    n_imports, bodies, names, data = 0, [], {}, 0
    for sid, body in sections(b):
        if sid == 2:  # imports: functions among them take the first indices
            count, i = leb(body, 0)
            for _ in range(count):
                for _ in range(2):
                    ln, i = leb(body, i); i += ln
                kind = body[i]; i += 1
                if kind == 0:
                    _, i = leb(body, i); n_imports += 1
                elif kind == 1:
                    i += 1; fl, i = leb(body, i); _, i = leb(body, i)
                    if fl & 1: _, i = leb(body, i)
                elif kind == 2:
                    fl, i = leb(body, i); _, i = leb(body, i)
                    if fl & 1: _, i = leb(body, i)
                elif kind == 3:
                    i += 2
        elif sid == 10:
            count, i = leb(body, 0)
            for _ in range(count):
                size, i = leb(body, i)
                bodies.append(size); i += size
        elif sid == 11:
            data += len(body)
        elif sid == 0:
            ln, i = leb(body, 0)
            if body[i:i + ln] == b'name':
                i += ln
                while i < len(body):
                    sub = body[i]; i += 1
                    size, i = leb(body, i)
                    end = i + size
                    if sub == 1:
                        count, j = leb(body, i)
                        for _ in range(count):
                            idx, j = leb(body, j)
                            ln2, j = leb(body, j)
                            names[idx] = body[j:j + ln2].decode('utf-8', 'replace'); j += ln2
                    i = end
    by_crate, by_path = Counter(), Counter()
    for k, size in enumerate(bodies):
        full = demangle(names.get(n_imports + k, f'func[{n_imports + k}]'))
        by_crate[crate_of(full)] += size
        by_path['::'.join(full.lstrip('<').split('::')[:depth])] += size
    total = sum(bodies) + data
    print(f'{path}: {len(b)} bytes; code {sum(bodies)}, data {data} ({len(bodies)} functions, names: {len(names)})')
    print('by crate:')
    for c, s in by_crate.most_common(25):
        print(f'  {s:>9} {100 * s / total:5.1f}%  {c}')
    print(f'by path (depth {depth}):')
    for c, s in by_path.most_common(40):
        print(f'  {s:>9} {100 * s / total:5.1f}%  {c}')


if __name__ == '__main__':
    main()
