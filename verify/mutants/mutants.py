#!/usr/bin/env python3
"""Helper of run_mutants.sh (standard library only): parse and check the mutant list, apply and restore one
mutant by exact text substitution, classify a harness run against the baseline, and write the table.

  mutants.py check    LIST ROOT [IDS]            selected mutants as "id<TAB>file<TAB>equivalent(0/1)" lines
  mutants.py apply    LIST ROOT ID BACKUP        substitute in ROOT/file; the original text goes to BACKUP
  mutants.py restore  LIST ROOT ID BACKUP        put BACKUP back (byte for byte) and check it
  mutants.py classify BASE_JSON RUN_DIR RC       one line "status<TAB>failed<TAB>changed<TAB>note" for a run
  mutants.py table    LIST RESULTS MD SECONDS    print the table and the summary, write MD; exit 1 if a
                                                 non-equivalent mutant survived (or another defect)

Exit status 2: the list is malformed or a mutant is stale (its original text does not occur exactly once).
"""
import json
import os
import re
import sys

KEYS = ("id", "file", "what", "find", "repl", "equivalent")


def fail(msg, code=2):
    sys.stderr.write("mutants: error: " + msg + "\n")
    sys.exit(code)


def parse(path):
    """The list as [{'id', 'file', 'what', 'find', 'repl', 'equivalent', 'line'}] in file order."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        fail("cannot read the mutant list %s: %s" % (path, e))
    mutants, cur = [], None

    def close():
        if cur is None:
            return
        where = "%s:%d (mutant %s)" % (path, cur["line"], cur.get("id", "?"))
        for k in ("id", "file", "what"):
            if not cur.get(k):
                fail("%s: missing '%s:'" % (where, k))
        if not cur["find"]:
            fail("%s: missing 'find:'" % where)
        if not re.fullmatch(r"[A-Za-z0-9-]+", cur["id"]):
            fail("%s: the id may contain letters, digits and '-' only" % where)
        if not cur["file"].startswith("lib/") or ".." in cur["file"].split("/"):
            fail("%s: mutants change the library only: the file must be under lib/, got %s" % (where, cur["file"]))
        cur["find"] = "\n".join(cur["find"])
        cur["repl"] = "\n".join(cur["repl"])
        if cur["find"] == cur["repl"]:
            fail("%s: the replacement equals the original text" % where)
        if any(m["id"] == cur["id"] for m in mutants):
            fail("%s: duplicate id" % where)
        mutants.append(cur)

    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if line.strip() == "":
            close()
            cur = None
            continue
        key, sep, text = line.partition(":")
        if not sep or key not in KEYS:
            fail("%s:%d: expected 'key: text' with key one of %s, got: %s" % (path, n, ", ".join(KEYS), line))
        if text.startswith(" "):
            text = text[1:]
        if cur is None:
            cur = {"line": n, "find": [], "repl": [], "equivalent": ""}
        if key in ("find", "repl"):
            cur[key].append(text)
        else:
            if cur.get(key):
                fail("%s:%d: '%s:' given twice in one mutant" % (path, n, key))
            cur[key] = text
    close()
    if not mutants:
        fail("the mutant list %s is empty" % path)
    return mutants


def occurrences(text, pattern):
    """Start positions of pattern in text, overlapping ones included."""
    out, i = [], text.find(pattern)
    while i >= 0:
        out.append(i)
        i = text.find(pattern, i + 1)
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def check_one(m, root):
    path = os.path.join(root, m["file"])
    if not os.path.isfile(path):
        fail("mutant %s is stale: %s does not exist" % (m["id"], m["file"]))
    n = len(occurrences(read(path), m["find"]))
    if n != 1:
        fail("mutant %s is stale: its original text occurs %d times in %s (must be exactly once); update %s"
             % (m["id"], n, m["file"], "verify/mutants/mutants.txt"))
    return path


def select(mutants, ids):
    if not ids:
        return mutants
    want = [i for i in ids.split(",") if i]
    known = {m["id"] for m in mutants}
    unknown = [i for i in want if i not in known]
    if unknown:
        fail("unknown mutant id(s) %s (known: %s)" % (", ".join(unknown), ", ".join(m["id"] for m in mutants)))
    return [m for m in mutants if m["id"] in want]


def by_id(mutants, mid):
    for m in mutants:
        if m["id"] == mid:
            return m
    fail("unknown mutant id %s" % mid)


def cmd_check(args):
    lst, root = args[0], args[1]
    ms = select(parse(lst), args[2] if len(args) > 2 else "")
    for m in parse(lst):  # every mutant, not only the selected ones: a stale entry is an error either way
        check_one(m, root)
    for m in ms:
        print("%s\t%s\t%d" % (m["id"], m["file"], 1 if m["equivalent"] else 0))


def cmd_apply(args):
    lst, root, mid, backup = args
    m = by_id(parse(lst), mid)
    path = check_one(m, root)
    text = read(path)
    with open(backup, "wb") as f:
        f.write(text.encode("utf-8"))
    i = text.find(m["find"])
    with open(path, "wb") as f:
        f.write((text[:i] + m["repl"] + text[i + len(m["find"]):]).encode("utf-8"))


def cmd_restore(args):
    lst, root, mid, backup = args
    m = by_id(parse(lst), mid)
    path = os.path.join(root, m["file"])
    with open(backup, "rb") as f:
        orig = f.read()
    with open(path, "wb") as f:  # a fresh write: the restored file is newer than the mutant's object file
        f.write(orig)
    with open(path, "rb") as f:
        if f.read() != orig:
            fail("could not restore %s after mutant %s" % (m["file"], mid), 1)


def claims_of(report):
    return {c["id"]: c for c in report["claims"]}


def last_claim(log):
    """The claim that was running when the harness stopped (its progress lines are '[i/n] ID name ...')."""
    last = "?"
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in f:
                mm = re.match(r"\[\d+/\d+\] (\S+) ", line)
                if mm:
                    last = mm.group(1)
    except OSError:
        pass
    return last


def cmd_classify(args):
    base_json, run_dir, rc = args[0], args[1], int(args[2])
    with open(base_json, encoding="utf-8") as f:
        base = claims_of(json.load(f))
    log = os.path.join(run_dir, "rtv-verify.log")
    rep = os.path.join(run_dir, "out", "report.json")
    if rc == 124 or rc == 137:
        print("TIMEOUT\t%s\t\tstopped by the time limit during claim %s" % (last_claim(log), last_claim(log)))
        return
    report = None
    if os.path.isfile(rep):
        try:
            with open(rep, encoding="utf-8") as f:
                report = json.load(f)
        except ValueError:
            report = None
    if report is None or rc not in (0, 1):
        print("CRASH\t%s\t\trtv-verify exited with status %d during claim %s (no report)"
              % (last_claim(log), rc, last_claim(log)))
        return
    got = claims_of(report)
    if set(got) != set(base):
        print("CRASH\t?\t\tthe report lists other claims than the baseline's")
        return
    order = [c["id"] for c in report["claims"]]
    failed = [i for i in order if not got[i]["passed"]]
    changed = [i for i in order if got[i]["passed"] and json.dumps(got[i], sort_keys=True) !=
               json.dumps(base[i], sort_keys=True)]
    status = "CAUGHT" if failed else "SURVIVED"
    note = "" if (rc == 1) == bool(failed) else "exit status %d disagrees with the report" % rc
    print("%s\t%s\t%s\t%s" % (status, ",".join(failed), ",".join(changed), note))


def cmd_table(args):
    lst, results, md_path, seconds = args[0], args[1], args[2], float(args[3])
    ms = {m["id"]: m for m in parse(lst)}
    rows = []
    with open(results, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            mid, status, failed, changed, note, secs = (line.split("\t") + [""] * 6)[:6]
            rows.append((ms[mid], status, failed, changed, note, secs))
    counts = {}
    final = []
    for m, status, failed, changed, note, secs in rows:
        eq = bool(m["equivalent"])
        if eq:
            if status == "SURVIVED" and not changed:
                shown = "EQUIVALENT (confirmed: numbers identical to the baseline)"
                key = "equivalent"
            elif status == "BUILD-FAILED":
                shown, key = "BUILD FAILED (not counted)", "build failed"
            else:
                shown = "NOT EQUIVALENT: its numbers differ from the baseline (fix the list)"
                key = "equivalence disproved"
        elif status == "CAUGHT":
            shown, key = "caught", "caught"
        elif status in ("CRASH", "TIMEOUT"):
            shown, key = "caught (%s)" % status.lower(), "caught"
        elif status == "BUILD-FAILED":
            shown, key = "BUILD FAILED (not counted)", "build failed"
        else:
            shown, key = "SURVIVED", "survived"
        counts.setdefault(key, []).append(m["id"])
        if status in ("CRASH", "TIMEOUT"):
            by = "%s in claim %s" % (status.lower(), failed)
        elif status == "CAUGHT":
            by = ", ".join(failed.split(","))
        else:
            by = "-" if eq or status == "BUILD-FAILED" else "none"
        final.append((m, shown, by, ", ".join(c for c in changed.split(",") if c) or "-", note, secs))

    def fmt_ids(key):
        ids = counts.get(key, [])
        return "%d%s" % (len(ids), " (" + ", ".join(ids) + ")" if ids and key != "caught" else "")

    counted = len(counts.get("caught", [])) + len(counts.get("survived", []))
    summary = ("%d mutants: %s caught, %s survived of %d counted; %s equivalent (not counted); %s build failures; "
               "%s wrongly marked equivalent; total %.1f min"
               % (len(rows), fmt_ids("caught"), fmt_ids("survived"), counted, fmt_ids("equivalent"),
                  fmt_ids("build failed"), fmt_ids("equivalence disproved"), seconds / 60.0))
    # Plain table on stdout.
    w = max(len(m["id"]) for m, *_ in final)
    out = ["", "%-*s  %-34s  %s" % (w, "id", "result / caught by", "mistake (file)")]
    for m, shown, by, changed, note, secs in final:
        res = by if shown == "caught" or shown.startswith("caught (") else shown.split(":")[0].split(" (")[0]
        if res == "none":
            res = "SURVIVED"
        out.append("%-*s  %-34s  %s (%s)" % (w, m["id"], res, m["what"], m["file"]))
        if changed != "-":
            out.append("%-*s  %-34s  numbers changed but passed: %s" % (w, "", "", changed))
        if note:
            out.append("%-*s  %-34s  note: %s" % (w, "", "", note))
    out.append("")
    out.append(summary)
    print("\n".join(out))
    # Markdown.
    md = ["| mutant | file | plausible mistake | result | caught by (failed claims) | numbers changed, still passed |",
          "|---|---|---|---|---|---|"]
    for m, shown, by, changed, note, secs in final:
        what = m["what"].replace("|", "\\|")
        if m["equivalent"]:
            what += " *Equivalent: " + m["equivalent"].replace("|", "\\|") + "*"
        res = shown + (" (" + note + ")" if note else "")
        md.append("| %s | `%s` | %s | %s | %s | %s |" % (m["id"], m["file"], what, res, by, changed))
    md.append("")
    md.append(summary + ".")
    with open(md_path, "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    bad = counts.get("survived") or counts.get("build failed") or counts.get("equivalence disproved")
    sys.exit(1 if bad else 0)


def main():
    if len(sys.argv) < 2:
        fail(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    need = {"check": (2, 3), "apply": (4, 4), "restore": (4, 4), "classify": (3, 3), "table": (4, 4)}
    if cmd not in need or not need[cmd][0] <= len(args) <= need[cmd][1]:
        fail("usage:\n" + __doc__)
    globals()["cmd_" + cmd](args)


if __name__ == "__main__":
    main()
