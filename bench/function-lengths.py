"""Length distribution of the HTTP-triggered [Function] methods under a folder (signature to closing brace).

python3 bench/function-lengths.py functions
"""
import pathlib, re, statistics, sys
lengths = []
for f in pathlib.Path(sys.argv[1]).rglob("*.cs"):
    if "/obj/" in str(f) or "/bin/" in str(f): continue
    lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    i = 0
    while i < len(lines):
        if "[Function(" not in lines[i]: i += 1; continue
        j = i
        while j < len(lines) and not re.search(r"\b(public|private|internal)\b.*\(", lines[j]): j += 1
        k, depth, started, http = j, 0, False, False
        while k < len(lines):
            http |= "HttpTrigger" in lines[k] and not started
            for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', lines[k]):
                if ch == "{": depth += 1; started = True
                elif ch == "}": depth -= 1
            if (started and depth == 0) or (not started and lines[k].rstrip().endswith(";")): break
            k += 1
        if http: lengths.append(k - j + 1)
        i = k + 1
if lengths:
    lengths.sort()
    long = sum(1 for n in lengths if n > 15)
    print(f"- HTTP functions: {len(lengths)}, median {statistics.median(lengths)} lines, longest {lengths[-1]}; {long} over 15 lines (thin means bind, call one Core service, map)")
