"""bench/speed.sh's worker: issue 13's table in one run, medians of interleaved repetitions.
Reads real chat from ../shared/data only (internal use: converted into a temporary directory,
never copied into the repository); those rows are skipped when it is absent."""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

CHAT = "../shared/data/jddc2019-chat-sample/chat_0.1per.txt"


def run(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS KiB, stdout, stderr) of that child."""
    started = time.monotonic()
    child = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE,
                             env=dict(os.environ, **(env or {})))
    out = child.stdout.read() if child.stdout else b""
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out, err.decode()


def audit(binary, tickets, out, threads, lexicons, env=None, keep=False):
    shutil.rmtree(out, ignore_errors=True)
    cmd = [binary, "audit", tickets, "--out", out, "--threads", str(threads), "--quiet"]
    if lexicons:
        cmd += ["--lexicons", lexicons]
    result = run(cmd, env)
    with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
        counts = json.load(f)["counts"]
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return result, counts


def real_chat(copies, agents, path):
    """The JDDC sample as JSON Lines, each session `copies` times under unique ticket ids."""
    sessions = {}
    with open(CHAT, encoding="utf-8") as f:
        for row in f:
            cols = row.rstrip("\n").split("\t")
            if len(cols) >= 7:
                role = "agent" if cols[2] == "1" else "customer"
                sessions.setdefault(cols[0], []).append({"role": role, "text": "\t".join(cols[6:])})
    with open(path, "w", encoding="utf-8") as w:
        for k in range(copies):
            for sid, messages in sessions.items():
                agent = "A%04d" % (zlib.crc32(f"{sid}/{k}".encode()) % agents)
                ticket = {"ticket_id": f"{sid}-{k}", "agent_id": agent, "messages": messages}
                w.write(json.dumps(ticket, ensure_ascii=False) + "\n")
    return len(sessions) * copies


def med(values):
    return statistics.median(values)


def row(name, figure, target):
    print(f"| {name} | {figure} | {target} |", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--floor", required=True)
    p.add_argument("--lexicons", default="lexicons")
    p.add_argument("--base")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--copies", type=int, default=8)
    p.add_argument("--big", type=int, default=1_000_000)
    p.add_argument("--agent-tickets", type=int, default=100_000)
    p.add_argument("--only", action="append")
    a = p.parse_args()
    only = set(a.only or ["real", "peer", "memory", "agents", "instructions"])
    bins = [("after", a.bin)] + ([("before", a.base)] if a.base else [])
    work = tempfile.mkdtemp(prefix="zhijian-speed-")
    try:
        load = open("/proc/loadavg").read().split()[:3]
        print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, load average "
              f"{' '.join(load)} at the start; binaries: {', '.join(f'{n}={b}' for n, b in bins)}")
        print("| figure | measured | target |\n|---|---|---|", flush=True)
        if only & {"real", "peer"}:
            if os.path.exists(CHAT):
                real(a, bins, work, only)
            else:
                print(f"(real-chat rows skipped: {CHAT} absent)")
        if "instructions" in only and os.path.exists(CHAT):
            instructions(a, bins, work)
        if "memory" in only:
            memory(a, bins, work)
        if "agents" in only:
            many_agents(a, bins, work)
        load = open("/proc/loadavg").read().split()[:3]
        print(f"load average {' '.join(load)} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def real(a, bins, work, only):
    tickets = os.path.join(work, "real.jsonl")
    n = real_chat(a.copies, 50, tickets)
    peer = peer_env(work) if "peer" in only else None
    floor, audits, peers, outs = [], {}, [], []
    for rep in range(a.reps):
        w, c, _, out, _ = run([a.floor, tickets], stdout=subprocess.PIPE)
        fields = dict(kv.split("=") for kv in out.decode().split())
        floor.append((float(fields["seconds"]), float(fields["cpu_seconds"])))
        text_bytes = int(fields["bytes"])
        # The binaries take turns going first: the run right after the floor was measured
        # 10-15% slower whichever binary made it.
        for name, binary in (bins if rep % 2 == 0 else bins[::-1]):
            for threads in (1, 2):
                # A new directory each run, removed after the row (see many_agents).
                outs.append(os.path.join(work, f"out-{rep}-{name}-{threads}"))
                result, counts = audit(binary, tickets, outs[-1], threads, a.lexicons, keep=True)
                # The floor cuts exactly what the audit reads only if every line is audited.
                if counts["audited"] != n or counts["lines"] != n or counts["rejected"] != 0:
                    sys.exit(f"{name}: audited {counts['audited']} of {n} lines, "
                             f"rejected {counts['rejected']}: the floor would not match")
                audits.setdefault((name, threads), []).append(result[:2])
        if peer:
            w, *_ = run([peer, "bench/python_peer.py", a.lexicons, tickets, "2"],
                        stdout=subprocess.PIPE)
            peers.append(w)
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    mb = text_bytes / 1e6
    fw, fc = med(x[0] for x in floor), med(x[1] for x in floor)
    for name, _ in bins:
        w1 = med(x[0] for x in audits[(name, 1)])
        c1 = med(x[1] for x in audits[(name, 1)])
        w2 = med(x[0] for x in audits[(name, 2)])
        row(f"{name}: 1 thread ÷ jieba `cut` alone ({n} real tickets, {mb:.1f} MB of message text)",
            f"wall {fw / w1:.3f} ({mb / w1:.1f} vs {mb / fw:.1f} MB/s); CPU {fc / c1:.3f} "
            f"({mb / c1:.1f} vs {mb / fc:.1f} MB/s)", "≥ 0.5 (stretch 0.85)")
        row(f"{name}: speed-up 1 → 2 threads", f"{w1 / w2:.2f}× (wall {w1:.2f} → {w2:.2f} s)",
            "≥ 1.85×")
        if peers:
            pw = med(peers)
            row(f"{name}: vs Python peer (2 processes)", f"{pw / w2:.1f}× ({pw:.2f} s vs {w2:.2f} s)",
                "≥ 30×")
    if "peer" in only and not peer:
        print("(Python-peer row skipped: a virtualenv with jieba and pyahocorasick could not be made)")


def instructions(a, bins, work):
    """Instructions each binary executes for the 1-thread real-chat audit, counted by valgrind's
    callgrind: the same every run whatever else the machine does, so a shared machine can still
    compare two binaries. (Under valgrind sha2 takes its software path, as on a CPU without SHA
    instructions, so both counts include ~0.5 G instructions of hashing a native run does in
    hardware.)"""
    if not shutil.which("valgrind"):
        print("(instruction row skipped: valgrind not installed)")
        return
    tickets = os.path.join(work, "real.jsonl")
    n = real_chat(a.copies, 50, tickets)
    counts, outs = {}, {}
    for name, binary in bins:
        out = outs[name] = os.path.join(work, f"out-instructions-{name}")
        shutil.rmtree(out, ignore_errors=True)
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary, "audit",
               tickets, "--out", out, "--threads", "1", "--quiet", "--lexicons", a.lexicons]
        *_, err = run(cmd)
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            audited = json.load(f)["counts"]["audited"]
        if audited != n:
            sys.exit(f"{name}: audited {audited} of {n} lines under valgrind")
        refs = re.search(r"Collected : (\d+)", err)
        if not refs:
            sys.exit(f"{name}: callgrind printed no instruction count")
        counts[name] = int(refs.group(1))
    figure = "; ".join(f"{name} {c / 1e9:.2f} G" for name, c in counts.items())
    if "before" in counts:
        figure += f"; after ÷ before {counts['after'] / counts['before']:.3f}"
        differ = different_files(outs["before"], outs["after"])
        figure += "; reports identical" if not differ else \
            f"; reports differ ({len(differ)} files, e.g. {differ[0]})"
    for out in outs.values():
        shutil.rmtree(out, ignore_errors=True)
    row(f"instructions, 1 thread ({n} real tickets, callgrind)", figure, "(fewer is faster)")


def different_files(a, b):
    """Files of report directory `a` and `b` whose bytes differ or that only one has
    (manifest.json aside: it names the binary and the run time)."""
    def files(root):
        return {os.path.relpath(os.path.join(d, f), root)
                for d, _, names in os.walk(root) for f in names} - {"manifest.json"}
    fa, fb = files(a), files(b)
    differ = sorted(fa ^ fb)
    for rel in sorted(fa & fb):
        with open(os.path.join(a, rel), "rb") as x, open(os.path.join(b, rel), "rb") as y:
            if x.read() != y.read():
                differ.append(rel)
    return differ


def peer_env(work):
    venv = os.path.join(work, "venv")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
        pip = os.path.join(venv, "bin", "pip")
        subprocess.run([pip, "install", "-q", "jieba", "pyahocorasick"], check=True,
                       capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError):
        return None
    return os.path.join(venv, "bin", "python")


def synth(binary, tickets, agents, path):
    run([binary, "synth", "--tickets", str(tickets), "--agents", str(agents), "--seed", "1",
         "-o", path])


def memory(a, bins, work):
    small, big = 100_000, a.big
    paths = {}
    for count in (small, big):
        paths[count] = os.path.join(work, f"synth-{count}.jsonl")
        synth(a.bin, count, 200, paths[count])
    results = {}
    for rep in range(max(1, a.reps // 3)):
        for name, binary in bins:
            for count in (small, big):
                (w, c, rss, *_), counts = audit(binary, paths[count], os.path.join(work, "out"), 2,
                                                a.lexicons)
                assert counts["audited"] == count, counts
                results.setdefault((name, count), []).append((w, rss, c))
    for count in (small, big):
        os.remove(paths[count])
    for name, _ in bins:
        rs = med(x[1] for x in results[(name, small)])
        rb = med(x[1] for x in results[(name, big)])
        wb = med(x[0] for x in results[(name, big)])
        cb = med(x[2] for x in results[(name, big)])
        row(f"{name}: peak RSS growth per added ticket ({small:,} → {big:,} synthetic)",
            f"{(rb - rs) * 1024 / (big - small):.0f} B ({rs / 1024:.0f} → {rb / 1024:.0f} MiB)",
            "≤ 100 B")
        row(f"{name}: {big:,} synthetic tickets, 2 threads", f"{wb:.1f} s ({cb:.1f} s CPU)",
            "≤ 25 s (1M)")


def many_agents(a, bins, work):
    path = os.path.join(work, "agents.jsonl")
    synth(a.bin, a.agent_tickets, 5000, path)
    results = {}
    # Each run writes a new directory, all removed after the row: on ext4 without a journal
    # (this reference machine's root file system) a new file avoids every inode freed in the
    # last 60-360 s and reads each one to tell, so deleting one run's ~10,000 files right before
    # the next made that run's file creation several times slower. A nightly run replaces a
    # report written a day earlier.
    outs = []
    for rep in range(a.reps):
        for name, binary in bins:
            outs.append(os.path.join(work, f"out-{rep}-{name}"))
            (w, c, rss, out, err), counts = audit(binary, path, outs[-1], 2, a.lexicons,
                                                  {"ZHIJIAN_STAGE_TIMES": "1"}, keep=True)
            assert counts["audited"] == a.agent_tickets, counts
            pages = re.search(r"stage time: agent pages ([0-9.]+) s", err)
            results.setdefault(name, []).append((w, float(pages.group(1)) if pages else None))
    for out in outs:
        shutil.rmtree(out, ignore_errors=True)
    for name, _ in bins:
        w = med(x[0] for x in results[name])
        pages = [x[1] for x in results[name] if x[1] is not None]
        share = f"{med(pages) / w:.0%} ({med(pages):.2f} of {w:.2f} s)" if pages else \
            f"unknown (this binary does not report stage times; run {w:.2f} s)"
        row(f"{name}: 5,000 agents ({a.agent_tickets:,} synthetic tickets, 2 threads), share "
            "spent writing agent pages", share, "< 15%")


if __name__ == "__main__":
    main()
