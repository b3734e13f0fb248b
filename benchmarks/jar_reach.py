"""Which libraries packed into revroll's jar does revroll reach? (benchmarks/jar-libraries.sh runs this.)

A class is reached when revroll's own classes refer to it, directly or through classes they reach: a class
constant, a type in a field or method descriptor, or a dotted class name in a string (Class.forName-style). A
service implementation (META-INF/services, Micronaut's META-INF/micronaut bean references) is reached when its
service type is. That over-approximates what runs, so a library with no reached class is surely unused.
Usage: jar_reach.py CLASSPATH_FILE CLASSES_DIR [LIBRARY_JAR_NAME]  (the last prints who reaches that library)
"""
import collections
import os
import re
import struct
import sys
import zipfile

DESCRIPTOR = re.compile(r'L([A-Za-z0-9_$/]+);')
DOTTED = re.compile(r'[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_$]+)+')


def referenced(data):
    """The class names a class file's constant pool mentions."""
    count = struct.unpack('>H', data[8:10])[0]
    i, k, utf8, classes = 10, 1, {}, []
    while k < count:
        tag = data[i]
        if tag == 1:
            n = struct.unpack('>H', data[i + 1:i + 3])[0]
            utf8[k] = data[i + 3:i + 3 + n].decode('utf-8', 'replace')
            i += 3 + n
        elif tag in (3, 4):
            i += 5
        elif tag in (5, 6):
            i += 9
            k += 1
        elif tag == 7:
            classes.append(struct.unpack('>H', data[i + 1:i + 3])[0])
            i += 3
        elif tag in (8, 16, 19, 20):
            i += 3
        elif tag in (9, 10, 11, 12, 17, 18):
            i += 5
        elif tag == 15:
            i += 4
        else:
            raise ValueError("constant pool tag %d" % tag)
        k += 1
    out = set()
    for c in classes:
        name = utf8.get(c, '').lstrip('[')
        out.add(name[1:-1] if name.startswith('L') and name.endswith(';') else name)
    for text in utf8.values():
        out.update(DESCRIPTOR.findall(text))
        if DOTTED.fullmatch(text):
            out.add(text.replace('.', '/'))
    return out


def main():
    libs = [p for p in open(sys.argv[1]).read().strip().split(':') if p]
    classes_dir, show = sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else None)
    owner, refs, services = {}, {}, collections.defaultdict(set)

    def add(archive, entries):
        for path, read in entries:
            if path.startswith('META-INF/versions/'):
                continue
            if path.endswith('.class') and not path.endswith('module-info.class'):
                refs[path[:-6]] = referenced(read())
                owner.setdefault(path[:-6], archive)
            elif path.startswith('META-INF/services/') and not path.endswith('/'):
                service = path[len('META-INF/services/'):].replace('.', '/')
                for line in read().decode('utf-8', 'replace').splitlines():
                    line = line.split('#')[0].strip()
                    if line:
                        services[service].add(line.replace('.', '/'))
            elif path.startswith('META-INF/micronaut/') and path.count('/') >= 3 and not path.endswith('/'):
                parts = path.split('/')
                services[parts[2].replace('.', '/')].add(parts[-1].replace('.', '/'))

    for lib in libs:
        z = zipfile.ZipFile(lib)
        add(os.path.basename(lib), [(n, (lambda n=n, z=z: z.read(n))) for n in z.namelist()])
    own, texts = [], set()
    for d, _, files in os.walk(classes_dir):
        for f in files:
            p = os.path.join(d, f)
            own.append((os.path.relpath(p, classes_dir), (lambda p=p: open(p, 'rb').read())))
            if f.endswith(('.xml', '.properties', '.yml', '.yaml')):
                texts.update(m.replace('.', '/') for m in DOTTED.findall(open(p, errors='replace').read()))
    add('revroll', own)

    seen = set()
    todo = [c for c, o in owner.items() if o == 'revroll'] + list(texts)
    while todo:
        while todo:
            c = todo.pop()
            if c not in seen and c in refs:
                seen.add(c)
                todo.extend(refs[c])
        todo = [i for s, impls in services.items() if s in seen for i in impls if i not in seen and i in refs]

    reached = collections.Counter(owner[c] for c in seen)
    total = collections.Counter(owner.values())
    unused = 0
    print("%-55s %9s %9s" % ("library", "reached", "classes"))
    for lib in sorted((l for l in total if l != 'revroll'), key=lambda l: (reached[l], l)):
        print("%-55s %9d %9d%s" % (lib, reached[lib], total[lib], "  UNUSED" if reached[lib] == 0 else ""))
        unused += reached[lib] == 0
    if show:
        for c in sorted(c for c in seen if owner[c] == show):
            print(c, '<-', sorted(s for s in seen if c in refs[s] and owner[s] != show)[:5])
    return 1 if unused else 0


if __name__ == '__main__':
    sys.exit(main())
