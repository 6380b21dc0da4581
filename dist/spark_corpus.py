#!/usr/bin/env python3
"""Writes the generated corpus that dist/spark_equivalence.sh audits twice (one process, and
through Spark). Deterministic for a seed; every ticket is written here, none is copied from
real data.

It holds what a nightly export really holds, and what Spark's text reader is known to get
wrong: tickets over four files (one gzip), a file of blank lines only, a UTF-8 byte-order mark,
CRLF line ends, blank and whitespace-only lines, bad lines (not JSON, no ticket_id, messages not an array, a raw tab
inside a JSON string), duplicate ticket ids within a file and across files, traditional
characters, flagged phrases (投诉, 不知道, 加微信, 服务禁语, a mobile number), transfers between
agents, role aliases, missing timestamps, U+2028 and U+0085 inside message text (a Python
splitlines() would break a line there; Java and the binary do not), a file name with a space
and Chinese characters (Spark's file paths are URIs, percent-encoded), and files large
enough to be read in several splits.

Never written: invalid UTF-8 (Hadoop's reader replaces it with U+FFFD where zhijian rejects the
line), lone-CR line ends (Hadoop with lineSep '\\n' keeps them inside a row; zhijian ends a
line there) and empty files (no rows, so Spark cannot name them): docs/spark.md says why.

Usage: spark_corpus.py DIR [--seed N] [--tickets N]
"""

import argparse
import gzip
import json
import os
import random
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8))

AGENTS = [
    ("K01", "周晓岚"), ("K02", "孙浩然"), ("K03", "何静怡"), ("K04", "郑宇航"),
    ("K05", "冯雪"), ("K06", "韩立"), ("K07", "唐一鸣"), ("K08", "许可欣"),
]
CHANNELS = ["taobao", "jd", "app", "web", "douyin"]

OPENINGS_CUSTOMER = [
    "在吗，我上周买的电饭煲到现在还没发货",
    "你好，我想问一下退货怎么操作",
    "您好，請問訂單什麼時候發貨",
    "收到的杯子碎了一个，怎么处理",
    "我要投诉，你们的快递员态度太差了",
    "衣服尺码不合适，可以换大一号吗",
    "為什麼我的退款還沒有到賬",
    "优惠券用不了，一直提示不满足条件",
    "请问这个耳机支持降噪吗",
    "订单显示已签收但是我根本没收到",
]
GREETINGS = [
    "您好，我是客服{n}，很高兴为您服务",
    "亲，您好，请问有什么可以帮您",
    "你好",
    "您好呀，这边马上为您查询",
    "",
]
MIDDLES_AGENT = [
    "麻烦您提供一下订单号，我帮您查一下",
    "非常抱歉给您带来不便，我马上帮您处理",
    "理解您的心情，换作是我也会着急的",
    "已经帮您催促仓库了，预计明天发出",
    "嗯嗯，那个，就是说需要走逆向物流",
    "这个我也不知道，你自己看一下详情页吧",
    "这不归我管，你去找快递",
    "您加微信吧，私下给您退款更快",
    "您可以打我手机13800138000，我直接跟您说",
    "已为您登记工单，SKU信息已经核对",
    "退款已经提交，一般三到五个工作日到账",
    "換貨申請已經通過，請您耐心等待",
]
MIDDLES_CUSTOMER = [
    "好的，那我等一下",
    "都等了一个星期了，太慢了",
    "你们这服务太差了，我要投诉",
    "什么意思？我不明白",
    "订单号是20261120123456",
    "謝謝，態度很好",
    "算了，不想说了",
    "能不能快一点，我很着急",
]
CLOSINGS = [
    "请问还有其他可以帮您的吗？祝您生活愉快",
    "还有其他问题吗？",
    "感谢您的耐心等待，再见",
    "",
]
CUSTOMER_ROLES = ["customer", "customer", "customer", "买家", "buyer"]
AGENT_ROLES = ["agent", "agent", "agent", "客服", "seller"]


def ticket(rng, serial, day):
    """One ticket as a dict: 2-12 messages, a transfer now and then, times that never go back."""
    agent, name = rng.choice(AGENTS)
    start = datetime(2026, 11, 20 + day, 8, 0, tzinfo=CST) + timedelta(seconds=rng.randrange(40000))
    timed = rng.random() > 0.08
    clock = start
    messages = []

    def say(role, text, author=None):
        nonlocal clock
        if not text:
            return
        clock += timedelta(seconds=rng.randrange(3, 95))
        m = {"role": role, "text": text}
        if timed:
            m["ts"] = clock.isoformat()
        if author:
            m["agent_id"] = author
        messages.append(m)

    say(rng.choice(CUSTOMER_ROLES), rng.choice(OPENINGS_CUSTOMER))
    if rng.random() < 0.1:
        say("bot", "您好，智能客服为您转接人工")
    say(rng.choice(AGENT_ROLES), rng.choice(GREETINGS).format(n=name[-2:]))
    transfer = rng.choice(AGENTS)[0] if rng.random() < 0.07 else None
    for i in range(rng.randrange(0, 5)):
        say(rng.choice(CUSTOMER_ROLES), rng.choice(MIDDLES_CUSTOMER))
        author = transfer if transfer and i >= 1 else None
        if author and i == 1:
            say("system", "会话已转接")
        say(rng.choice(AGENT_ROLES), rng.choice(MIDDLES_AGENT), author)
    if rng.random() < 0.03:
        say("customer", "第一行\u2028第二行\u0085第三行")
    say("agent", rng.choice(CLOSINGS))
    t = {
        "ticket_id": f"S2026112{day}-{serial:05d}",
        "agent_id": agent,
        "agent_name": name,
        "channel": rng.choice(CHANNELS),
        "messages": messages,
    }
    if rng.random() < 0.8:
        t["csat"] = rng.randint(1, 5)
    if rng.random() < 0.9:
        t["resolved"] = rng.random() < 0.75
    return t


def dumps(t):
    return json.dumps(t, ensure_ascii=False, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--tickets", type=int, default=600)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    tickets = [ticket(rng, i, i % 5) for i in range(args.tickets)]
    # Four files of about 35%, 30%, 25% and 10% of the tickets.
    cuts = [0, int(0.35 * len(tickets)), int(0.65 * len(tickets)), int(0.90 * len(tickets)), len(tickets)]
    parts = [[dumps(t) for t in tickets[cuts[i]:cuts[i + 1]]] for i in range(4)]
    a, b, c, d = parts

    bad = [
        '{"ticket_id":"S-BAD-1","agent_id":"K01","messages":[{"role":"agent","text":"截断',
        "this is not json at all",
        '{"agent_id":"K02","messages":[]}',
        '{"ticket_id":"S-BAD-2","agent_id":"K03","messages":"您好，请问有什么可以帮您"}',
        '{"ticket_id":"S-BAD-3","agent_id":"K04","messages":[{"role":"agent","text":"原始\t制表符"}]}',
        "\\N",
        '{"ticket_id":"S-BAD-4","agent_id":"K05","messages":[{"role":"martian","text":"你好"}]}',
    ]
    for i, line in enumerate(bad):
        [a, b, c][i % 3].insert(rng.randrange(len([a, b, c][i % 3])), line)

    # A valid ticket whose JSON uses raw tabs between tokens: a row's TEXT holds tabs.
    c.insert(5, '{"ticket_id":\t"S-TAB-1",\t"agent_id":"K06","messages":\t[{"role":"agent","text":"您好"}]}')

    # Duplicate ids: within a file (a later line of a and of c repeats an earlier one) and
    # across files (b and d repeat ids first seen in a; c repeats one first seen in b).
    a.insert(len(a) - 3, dumps({**json.loads(a[10]), "csat": 1}))
    c.append(c[2])
    b.insert(4, a[20])
    b.append(dumps({**json.loads(a[-1]), "agent_id": "K08"}))
    c.insert(0, b[30])
    d.insert(1, a[7])

    # Blank and whitespace-only lines (not counted, but they advance the line numbers).
    for part in (a, b, c, d):
        for _ in range(4):
            part.insert(rng.randrange(len(part)), rng.choice(["", " ", "\t", "  \t "]))

    os.makedirs(os.path.join(args.dir, "sub"), exist_ok=True)
    with open(os.path.join(args.dir, "a.jsonl"), "wb") as f:
        f.write(b"\xef\xbb\xbf" + "\n".join(a).encode() + b"\n")
    with open(os.path.join(args.dir, "b.jsonl"), "wb") as f:
        f.write("\r\n".join(b).encode() + b"\r\n")
    # No final line end: the last line is still a line.
    with open(os.path.join(args.dir, "sub", "淘宝 店铺.jsonl"), "wb") as f:
        f.write("\n".join(c).encode())
    # Only blank lines: no ticket, still an input the reports list.
    with open(os.path.join(args.dir, "e.jsonl"), "wb") as f:
        f.write(b"\n  \n\n")
    with open(os.path.join(args.dir, "d.jsonl.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write("\n".join(d).encode() + b"\n")


if __name__ == "__main__":
    main()
