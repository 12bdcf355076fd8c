package io.etcdj.mod;

/**
 * One child of a lock's directory: a holder or a waiter. {@code rank} is the number its name spells
 * (the index that created it), or 0 for a name that is not a number, as the reference ranked them.
 */
record LockNode(String key, String name, long rank, String value, boolean dir) {
}
