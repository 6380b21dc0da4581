#!/usr/bin/env python3
"""Draw the labeled-turn sample for measuring zhijian's flags (issue 9).

Usage:
    python3 bench/labels/sample.py DATA [OUTDIR]
    python3 bench/labels/sample.py DATA --verify

DATA is the JDDC 2019 chat sample (`chat_0.1per.txt`, see ../shared/data/README.md).
When DATA is absent the script says so and exits 0, so CI and users' clones skip cleanly.

Writes OUTDIR/jddc_customer.sample.tsv and OUTDIR/jddc_agent.sample.tsv (default OUTDIR: the
current directory) with columns session_id, message, stratum -- ids and indexes only, never
any text from the data. `--verify` instead checks that the first three columns of the labeled
files next to this script (jddc_customer.tsv, jddc_agent.tsv) are exactly this sample.

`message` is the 0-based index of the row among that session's rows, in file order (both
speakers counted).

Sampling, per role (customer = waiter_send 0, agent = waiter_send 1), seed SEED:
  * eligible turns: content that still has a letter, digit or CJK character after removing
    masks such as [订单x], order cards "[订单编号:...]" with their system prefix, the app's
    order-card field names (咨询订单号:, 商品ID:, 订单金额:, 下单时间:) and the [商品快照] /
    [子] markers;
  * stratum `random`: all eligible turns of the role, shuffled; walk the shuffled list and take
    a turn when its session has not been taken yet, until N_RANDOM turns (so each session gives
    at most one turn, and a session's chance grows with its number of eligible turns);
  * stratum `cue`: eligible turns that match the role's broad cue list (below), from sessions
    not used by this role's random stratum, shuffled, one per session, until N_CUE turns;
  * agents only, stratum `cue_narrow`: eligible agent turns matching a narrow list of conduct
    cues (WeChat/QQ, 不知道, 没办法, internal terms...), from sessions not used by the agent's
    other strata, one per session, until N_NARROW turns. Added after the first two strata were
    labeled, because they held almost no forbidden / off_platform / jargon turns.
  * stratum `random2` (both roles), a second held-out set drawn with its own seed SEED2 after
    all the strata above, so it changes none of them. Every one of the 994 sessions is either in
    a labeled set or among the unlabeled sessions the development scans read (chat_eval --scan
    went through all of them), so no session is fresh. The pool is the turns nobody on the
    project has been shown: sessions whose labeled turns (either role) are all in a `random`
    stratum -- the test set, whose turns and errors are never printed -- minus every row that
    show.py printed while labeling them (two before to one after each labeled turn). Shuffle
    the role's eligible pool turns, take one per session, until N_RANDOM2 turns; customers
    first, then agents, from one generator.
"""
import os
import random
import re
import sys

SEED = 20190909
N_RANDOM = 240
N_CUE = 80

# Broad, deliberately over-inclusive cue lists for oversampling rare classes. They are NOT
# zhijian's lexicons and were written without looking at them.
CUSTOMER_CUES = [
    "？？", "??", "?？", "？?", "！！", "!!", "怎么", "还没", "为什么", "投诉", "差评", "12315",
    "算了", "退", "太", "垃圾", "骗", "不行", "什么时候", "到底", "坑", "失望", "生气", "无语",
    "少", "漏", "错", "坏", "破", "烂", "慢",
]
CUSTOMER_CUE_RES = [re.compile(r"都.{0,8}了")]

AGENT_CUES = [
    "微信", "QQ", "qq", "加", "私", "不知道", "不清楚", "没办法", "没有办法", "无法", "不能",
    "自己", "联系", "抱歉", "对不起", "歉意", "理解", "着急", "不便", "只能", "不是我们",
    "商家", "规定", "工单", "揽收", "妥投", "逆向", "拦截", "系统", "电话", "号码", "线下",
    "亲自", "您看", "你看", "已经说", "说过", "不要", "别",
]
AGENT_CUE_RES = []

# Added after the first 320 agent turns were labeled: the broad cue stratum held no
# `forbidden` turn and one `off_platform` turn, so a third, narrower stratum targets the rarest
# classes. Drawn from the same shuffled order after the other two, so they are unchanged.
# 拒收 is left out: customers say it themselves.
N_NARROW = 40
AGENT_NARROW_CUES = [
    "微信", "QQ", "qq", "加我", "私下", "私聊", "线下", "不知道", "不清楚", "没办法", "没有办法",
    "自己看", "自己查", "不是我们", "不归我", "管不了", "爱买不买", "说过了", "已经说了", "听不懂",
    "工单", "揽收", "妥投", "逆向", "SOP", "sop", "分拣", "滞留", "异常件", "备件库", "时效",
    "理赔", "二次配送", "外呼",
]

# The second held-out stratum (added on 2026-12-07, after every rule so far was written).
SEED2 = 20261207
N_RANDOM2 = 300

MASK_RE = re.compile(
    r"\[订单编号:.*?下单时间:[^\]]*\]"  # order card
    r"|顾客通过点击web咚咚\[站点x\]信息发送:"  # the card's system prefix
    r"|(?:咨询|查询)?订单号:|商品ID:|订单金额:|下单时间:|NaN"  # card fields typed by the app
    r"|选择了一个订单进行咨询"
    r"|\[[^\[\]]{1,12}x\]|\[商品快照\]|\[子\]"  # masks and markers
)
WORD_RE = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


def read_rows(path):
    """Return {session_id: [(waiter_send, content), ...]} in file order, and session order."""
    sessions = {}
    order = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 7:
                continue
            sid, waiter, content = parts[0], parts[2], "\t".join(parts[6:])
            if sid not in sessions:
                sessions[sid] = []
                order.append(sid)
            sessions[sid].append((waiter, content))
    return sessions, order


def eligible(content):
    return bool(WORD_RE.search(MASK_RE.sub("", content)))


def has_cue(content, words, regexes):
    text = MASK_RE.sub("", content)
    return any(w in text for w in words) or any(r.search(text) for r in regexes)


def draw(sessions, order, waiter, cue_strata, rng):
    """One random stratum, then each (name, words, regexes, n) cue stratum in turn."""
    turns = [
        (sid, i)
        for sid in order
        for i, (w, c) in enumerate(sessions[sid])
        if w == waiter and eligible(c)
    ]
    rng.shuffle(turns)
    used = set()
    picked = []
    for sid, i in turns:
        if len(picked) == N_RANDOM:
            break
        if sid not in used:
            used.add(sid)
            picked.append((sid, i, "random"))
    taken = {(s, i) for s, i, _ in picked}
    for name, words, regexes, n in cue_strata:
        cue = [(sid, i) for sid, i in turns if has_cue(sessions[sid][i][1], words, regexes)]
        cue_used = set()
        got = 0
        # First pass: sessions not used by any earlier stratum of this role; second pass (only
        # if short): any session not yet used by this stratum, never a turn already picked.
        for allow_used_sessions in (False, True):
            for sid, i in cue:
                if got == n:
                    break
                if (sid, i) in taken or sid in cue_used:
                    continue
                if sid in used and not allow_used_sessions:
                    continue
                cue_used.add(sid)
                taken.add((sid, i))
                picked.append((sid, i, name))
                got += 1
        used |= cue_used
    return picked


def draw_random2(sessions, order, earlier, rng):
    """The `random2` turns of both roles (customers, agents) given the earlier strata's picks.

    Pool: sessions whose earlier picks (either role) are all `random`, without the rows show.py
    printed around those picks (index - 2 .. index + 1)."""
    strata = {}
    shown = {}
    for sid, i, stratum in earlier:
        strata.setdefault(sid, set()).add(stratum)
        shown.setdefault(sid, set()).update(range(i - 2, i + 2))
    pool = [sid for sid in order if strata.get(sid) == {"random"}]
    picked = []
    for waiter in ("0", "1"):
        turns = [
            (sid, i)
            for sid in pool
            for i, (w, c) in enumerate(sessions[sid])
            if w == waiter and i not in shown[sid] and eligible(c)
        ]
        rng.shuffle(turns)
        used = set()
        role = []
        for sid, i in turns:
            if len(role) == N_RANDOM2:
                break
            if sid not in used:
                used.add(sid)
                role.append((sid, i, "random2"))
        picked.append(role)
    return picked


def sample(path):
    sessions, order = read_rows(path)
    rng = random.Random(SEED)
    customer = draw(sessions, order, "0", [("cue", CUSTOMER_CUES, CUSTOMER_CUE_RES, N_CUE)], rng)
    agent = draw(
        sessions,
        order,
        "1",
        [
            ("cue", AGENT_CUES, AGENT_CUE_RES, N_CUE),
            ("cue_narrow", AGENT_NARROW_CUES, [], N_NARROW),
        ],
        rng,
    )
    customer2, agent2 = draw_random2(sessions, order, customer + agent, random.Random(SEED2))
    return customer + customer2, agent + agent2


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path = argv[1]
    if not os.path.isfile(path):
        print(f"sample.py: {path} not found; skipping (the data is not part of the repository)")
        return 0
    customer, agent = sample(path)
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) > 2 and argv[2] == "--verify":
        ok = True
        for name, picked in (("jddc_customer.tsv", customer), ("jddc_agent.tsv", agent)):
            with open(os.path.join(here, name), encoding="utf-8") as f:
                rows = [l.rstrip("\n").split("\t")[:3] for l in f][1:]
            want = [[s, str(i), st] for s, i, st in picked]
            if rows != want:
                print(f"{name}: differs from the sample ({len(rows)} rows vs {len(want)})")
                ok = False
            else:
                print(f"{name}: {len(rows)} rows match the sample")
        return 0 if ok else 1
    outdir = argv[2] if len(argv) > 2 else "."
    os.makedirs(outdir, exist_ok=True)
    for name, picked in (("jddc_customer", customer), ("jddc_agent", agent)):
        out = os.path.join(outdir, name + ".sample.tsv")
        with open(out, "w", encoding="utf-8") as f:
            f.write("session_id\tmessage\tstratum\n")
            for sid, i, st in picked:
                f.write(f"{sid}\t{i}\t{st}\n")
        n_sessions = len({s for s, _, _ in picked})
        print(f"{out}: {len(picked)} turns from {n_sessions} sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
