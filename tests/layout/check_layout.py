#!/usr/bin/env python3
"""The source layout's rules, checked on every test run (the `layout` test):
- a folder of lib/ includes only itself and the folders its DEPS in lib/CMakeLists.txt allow,
  directly or through them (the build writes them to layering.txt), so data flows one way;
- no folder of lib/ holds more than 20% of the lines of lib/ and cmd/;
- no file of lib/ or cmd/ is over 450 lines, and no function over 80.
Usage: check_layout.py SOURCE_DIR LAYERING_TXT, or check_layout.py --self-test"""
import os
import re
import sys

MAX_FOLDER_SHARE = 0.20
MAX_FILE_LINES = 450
MAX_FUNCTION_LINES = 80


def read_layering(path):
    deps = {}
    for line in open(path):
        name, _, rest = line.partition(":")
        if name.strip():
            deps[name.strip()] = [d for d in re.split(r"[;\s]+", rest) if d]
    allowed = {}
    for name in deps:
        seen, todo = set(), list(deps[name])
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo += deps.get(d, [])
        allowed[name] = seen | {name}
    return allowed


def sources(root, top):
    for folder, _, files in os.walk(os.path.join(root, top)):
        for f in sorted(files):
            if f.endswith((".h", ".cpp")):
                yield os.path.join(folder, f)


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'R"\((.*?)\)"', lambda m: '""' + "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])*'", "''", text)


def long_functions(path):
    """(first line, length) of every function body longer than the limit. A block opened after a
    ')' (or 'const', 'override', ...) outside any function is a function body; namespaces, classes
    and initialiser lists are not."""
    text = strip_comments_and_strings(open(path).read())
    stack, out, line, start = [], [], 1, 0
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = re.split(r"[;{}]", text[start:i])[-1]
            in_function = any(kind == "function" for kind, _ in stack)
            if in_function:
                kind = "block"
            elif re.search(r"\bnamespace\b", head) or re.search(r"\b(class|struct|union|enum)\b[^()]*$", head):
                kind = "scope"
            elif re.search(r"\)\s*(const|override|noexcept|final|mutable|->[^{]*|:[^{]*)?\s*$", head.strip()) or \
                    re.search(r"\)\s*(const|override|noexcept)*\s*$", head):
                kind = "function"
            else:
                kind = "block"
            stack.append((kind, line))
            start = i + 1
        elif c == "}":
            if stack:
                kind, first = stack.pop()
                if kind == "function" and line - first + 1 > MAX_FUNCTION_LINES:
                    out.append((first, line - first + 1))
            start = i + 1
        elif c == ";":
            start = i + 1
    return out


def main(root, layering):
    allowed = read_layering(layering)
    problems = []
    lines = {}
    for top in ("lib", "cmd"):
        for path in sources(root, top):
            rel = os.path.relpath(path, root)
            text = open(path).read()
            n = text.count("\n")
            folder = rel.split(os.sep)[1] if top == "lib" else "cmd"
            lines[folder] = lines.get(folder, 0) + n
            if n > MAX_FILE_LINES:
                problems.append(f"{rel}: {n} lines (at most {MAX_FILE_LINES})")
            for first, length in long_functions(path):
                problems.append(f"{rel}:{first}: a function of {length} lines (at most {MAX_FUNCTION_LINES})")
            if top != "lib":
                continue
            for m in re.finditer(r'^#include "(\w+)/', text, flags=re.M):
                used = m.group(1)
                if folder not in allowed:
                    problems.append(f"{rel}: folder lib/{folder} has no pbs_module() in lib/CMakeLists.txt")
                    break
                if used in allowed and used not in allowed[folder]:
                    problems.append(f"{rel}: includes {used}/, which lib/{folder} may not use "
                                    f"(its DEPS allow: {', '.join(sorted(allowed[folder] - {folder})) or 'none'})")
    total = sum(lines.values())
    for folder, n in sorted(lines.items()):
        if folder != "cmd" and n > MAX_FOLDER_SHARE * total:
            problems.append(f"lib/{folder}: {n} of {total} lines ({100 * n / total:.0f}%, at most "
                            f"{100 * MAX_FOLDER_SHARE:.0f}%)")
    for p in problems:
        print(p)
    print(f"{len(problems)} layout problem(s) in {total} lines of lib/ and cmd/")
    return 1 if problems else 0


def self_test():
    """The checker itself on a tree that breaks each rule once: each must be reported."""
    import tempfile
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            open(os.path.join(root, rel), "w").write(text)
        write("layering.txt", "low: \nhigh: low\n")
        write("lib/low/a.h", '#include "high/b.h"\n')
        write("lib/high/b.h", '#include "low/a.h"\n' + "int x;\n" * 460)
        body = "".join(f"  int v{i} = {i};\n" for i in range(85))
        write("lib/high/c.cpp", "namespace n {\nint f(int a) {\n" + body + "  return a;\n}\n}  // namespace n\n")
        write("cmd/main.cpp", "int main() { return 0; }\n")
        import io
        import contextlib
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(root, os.path.join(root, "layering.txt"))
        text = out.getvalue()
        expected = ["lib/low/a.h: includes high/", "lib/high/b.h: 461 lines", "lib/high/c.cpp:2: a function of 88 lines",
                    "lib/high: "]
        missing = [e for e in expected if e not in text]
        if code != 1 or missing:
            print(text)
            print("self-test failed: not reported:", missing)
            return 1
    print("self-test passed: every broken rule was reported")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1], sys.argv[2]))
