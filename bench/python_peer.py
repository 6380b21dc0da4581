"""A Python peer for bench/speed.py: what a careful script would do with jieba and
pyahocorasick over the same tickets and lexicons — cut every customer and agent message with
jieba (HMM on), find every lexicon phrase with one Aho-Corasick automaton, keep the hits that
start and end on token boundaries, and count them per agent and category (plus each agent's
words), in PROCESSES worker processes. No normalization, negation, PII or reports: a floor for
a peer, not a rival audit.

Usage: python_peer.py LEXICON_DIR TICKETS.jsonl PROCESSES   (prints a JSON summary line)
"""
import json
import multiprocessing
import os
import sys
from collections import Counter

import ahocorasick
import jieba

automaton = None


def load(lexicon_dir):
    global automaton
    automaton = ahocorasick.Automaton()
    phrases = {}
    for name in sorted(os.listdir(lexicon_dir)):
        if not name.endswith(".txt"):
            continue
        category = name[:-4]
        with open(os.path.join(lexicon_dir, name), encoding="utf-8") as f:
            for line in f:
                line = line.split(" #")[0].strip()
                if not line or line.startswith(("#", "@", "!")):
                    continue
                phrase = line.split("|")[0].strip()
                if phrase and "{n}" not in phrase:
                    phrases.setdefault(phrase.lower(), category)
    for phrase, category in phrases.items():
        automaton.add_word(phrase, (len(phrase), category))
    automaton.make_automaton()
    jieba.initialize()


def work(lines):
    counts = Counter()
    for line in lines:
        ticket = json.loads(line)
        agent = ticket.get("agent_id", "")
        for message in ticket["messages"]:
            if message.get("role") not in ("customer", "agent"):
                continue
            text = message.get("text", "")
            bounds = {0}
            at = 0
            words = 0
            for word in jieba.cut(text, HMM=True):
                at += len(word)
                bounds.add(at)
                words += any(c.isalnum() for c in word)
            if message["role"] == "agent":
                counts[(agent, "words")] += words
            for end, (length, category) in automaton.iter(text):
                if end + 1 in bounds and end + 1 - length in bounds:
                    counts[(agent, category)] += 1
    return counts


def main():
    lexicon_dir, path, processes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    chunk = 512
    chunks = [lines[i:i + chunk] for i in range(0, len(lines), chunk)]
    total = Counter()
    with multiprocessing.Pool(processes, initializer=load, initargs=(lexicon_dir,)) as pool:
        for counts in pool.imap_unordered(work, chunks):
            total.update(counts)
    print(json.dumps({"tickets": len(lines), "hits": sum(v for (a, c), v in total.items()
                                                         if c != "words")}))


if __name__ == "__main__":
    main()
