"""taccount - exactly-once accounting of tandemctl producer/consumer runs.

tandemctl producer --receipted writes the sequence number of every message
a RECEIPT answered for; tandemctl consumer --received writes "SEQ ID" for
every message that arrived. A number that arrived twice is explained by
its message ids: under two ids it was sent twice (the producer sent it
again after its RECEIPT was lost); under one id the broker delivered one
message twice (a redelivery, or a resend that was not dropped).

    from taccount import account
    a = account("rec.txt", ["got.txt"], resent=3)
    print(a.summary())
    check(not a.lost, ...)
"""
import collections


class Account:
    def __init__(self, receipted, received, resent):
        self.receipted = receipted		# numbers, in RECEIPT order
        self.received = received		# (number, message id), in arrival order
        self.resent = resent
        self.seqs = collections.Counter(s for s, _ in received)
        self.lost = sorted(set(receipted) - set(self.seqs))
        ids = collections.defaultdict(list)
        for s, i in received:
            ids[s].append(i)
        self.ids = ids
        self.sent_twice = sum(len(set(v)) - 1 for v in ids.values())
        self.delivered_twice = sum(len(v) - len(set(v)) for v in ids.values())
        # The numbers that arrived more than once under one message id.
        self.same_id = sorted(s for s, v in ids.items() if len(v) != len(set(v)))
        self.message_ids = collections.Counter(i for _, i in received)

    def summary(self):
        return ("receipted %d, received %d (%d distinct): lost %d, duplicates %d "
                "(%d sent again by the producer after a lost receipt, %d delivered "
                "twice under one message id)"
                % (len(self.receipted), len(self.received), len(self.seqs), len(self.lost),
                   len(self.received) - len(self.seqs), self.sent_twice, self.delivered_twice))


def account(receipted_file, received_files, resent=0):
    rec = [int(line) for line in open(receipted_file)]
    got = []
    for f in received_files:
        for line in open(f):
            w = line.split()
            got.append((int(w[0]), w[1] if len(w) > 1 else ""))
    return Account(rec, got, resent)
