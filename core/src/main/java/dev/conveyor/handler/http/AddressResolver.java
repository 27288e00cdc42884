package dev.conveyor.handler.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Turns a URL's host into the addresses to judge and connect to; tests stub it so that no lookup leaves. */
@FunctionalInterface
public interface AddressResolver {
    /** The system's resolver; an IP literal (IPv6 in brackets) resolves to itself without a lookup. */
    AddressResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /** @throws UnknownHostException when the host has no address */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
