package io.etcdj;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("etcd v0.2.0");
    }
}
