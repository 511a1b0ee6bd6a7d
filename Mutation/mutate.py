#!/usr/bin/env python3
"""make mutate: applies each mutant of Mutation/mutants.txt alone to a scratch copy of the
repository (.build-mutate/repo, kept so later runs build incrementally), builds the tests, runs
the tests named for it, and reports it killed (a test failed or timed out) or survived.
Exits 1 if any mutant survived or does not apply; a mutant that does not compile is reported
and counts as a failure of the list, not as killed."""
import os, shutil, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
scratch = os.path.join(root, ".build-mutate", "repo")
only = sys.argv[1:]


def mutants():
    block, blocks = {}, []
    for line in open(os.path.join(root, "Mutation", "mutants.txt"), encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        if not line.strip():
            if block:
                blocks.append(block)
                block = {}
            continue
        key, _, value = line.partition(": ")
        block[key] = value
    if block:
        blocks.append(block)
    return blocks


def sync():
    os.makedirs(scratch, exist_ok=True)
    for name in os.listdir(scratch):
        if name != ".build":
            path = os.path.join(scratch, name)
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
    for name in os.listdir(root):
        if name.startswith(".build") or name in (".git", "bench-results"):
            continue
        source, target = os.path.join(root, name), os.path.join(scratch, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target)


def run(arguments, timeout):
    try:
        return subprocess.run(arguments, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return "timeout"


def main():
    sync()
    if run(["swift", "build", "--build-tests"], 3600) != 0:
        print("the unmutated copy does not build")
        return 1
    results = []
    for mutant in mutants():
        if only and mutant["id"] not in only:
            continue
        path = os.path.join(scratch, mutant["file"])
        original = open(path, encoding="utf-8").read()
        if original.count(mutant["from"]) != 1:
            results.append((mutant["id"], "does not apply"))
            print(f"{mutant['id']}: does not apply (the line must occur exactly once)", flush=True)
            continue
        open(path, "w", encoding="utf-8").write(original.replace(mutant["from"], mutant["to"]))
        started = time.time()
        try:
            if run(["swift", "build", "--build-tests"], 3600) != 0:
                verdict = "does not build"
            else:
                status = run(["swift", "test", "--skip-build", "--filter", mutant["tests"]], 900)
                verdict = "killed" if status != 0 else "SURVIVED"
                if status == "timeout":
                    verdict = "killed (timed out)"
        finally:
            open(path, "w", encoding="utf-8").write(original)
        results.append((mutant["id"], verdict))
        print(f"{mutant['id']}: {verdict} ({time.time() - started:.0f} s, {mutant['tests']})", flush=True)
    killed = sum(1 for _, verdict in results if verdict.startswith("killed"))
    print(f"{killed} killed, {len(results) - killed} not killed, of {len(results)} mutants")
    return 0 if killed == len(results) else 1


sys.exit(main())
