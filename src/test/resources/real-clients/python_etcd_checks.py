"""python-etcd against a running node: prints one line per check, "ok NAME" or "FAIL NAME: why"."""
import sys
import threading

import etcd

client = etcd.Client(host=sys.argv[1], port=int(sys.argv[2]))


def check(name, fn):
    try:
        fn()
        print("ok " + name, flush=True)
    except Exception as e:  # a check reports, whatever went wrong
        print("FAIL %s: %r" % (name, e), flush=True)


def write():
    r = client.write("/py/k", "a")
    assert r.value == "a", r.value


def read():
    assert client.read("/py/k").value == "a"


def test_and_set():
    client.test_and_set("/py/k", "b", "a")
    assert client.read("/py/k").value == "b"
    try:
        client.test_and_set("/py/k", "c", "wrong")
        raise AssertionError("a wrong prevValue swapped")
    except etcd.EtcdCompareFailed:
        pass


def conditional_delete():
    try:
        client.delete("/py/k", prevValue="wrong")
        raise AssertionError("a wrong prevValue deleted")
    except etcd.EtcdCompareFailed:
        pass
    assert client.read("/py/k").value == "b", "the key must survive a failed compare"
    client.delete("/py/k", prevValue="b")


def delete():
    client.write("/py/d", "x")
    client.delete("/py/d")
    try:
        client.read("/py/d")
        raise AssertionError("still there")
    except etcd.EtcdKeyNotFound:
        pass


def watch():
    client.write("/py/w", "0")
    seen = {}
    started = threading.Event()

    def wait():
        started.set()
        seen["value"] = client.watch("/py/w", timeout=20).value

    t = threading.Thread(target=wait)
    t.start()
    started.wait()
    # write until the watcher has seen a change (the first write may come before it registers)
    for i in range(200):
        client.write("/py/w", "changed")
        t.join(0.1)
        if not t.is_alive():
            break
    assert seen.get("value") == "changed", seen


def members():
    m = client.members
    assert len(m) >= 1, m
    for member in m.values():
        assert member["clientURLs"] and member["peerURLs"], member


def leader():
    assert client.leader["name"], client.leader


for name, fn in [("write", write), ("read", read), ("test_and_set", test_and_set),
                 ("conditional_delete", conditional_delete), ("delete", delete), ("watch", watch),
                 ("members", members), ("leader", leader)]:
    check(name, fn)
