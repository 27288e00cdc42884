package dev.conveyor.handler.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses an {@code http} job may connect to: any public address, none of loopback, private, link-local,
 * cloud metadata, shared (CGNAT), unspecified, multicast, broadcast, documentation or other reserved ranges, and
 * none that carries such an IPv4 address inside an IPv6 one (mapped, NAT64, 6to4), unless the configuration allows
 * it. It judges addresses, never names: the handler resolves a URL's host once, has every address judged, and
 * connects to one it judged.
 */
public final class AddressGuard {
    /** The variable that allows addresses: {@code loopback} and CIDR blocks, comma-separated. */
    public static final String ALLOW_VARIABLE = "CONVEYOR_HTTP_ALLOW";

    private record Range(Cidr block, String name) {
    }

    private static final List<Range> REFUSED = List.of(
            range("169.254.169.254/32", "a cloud metadata address"),
            range("fd00:ec2::254/128", "a cloud metadata address"),
            range("0.0.0.0/8", "an unspecified address"),
            range("10.0.0.0/8", "a private address"),
            range("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
            range("127.0.0.0/8", "a loopback address"),
            range("169.254.0.0/16", "a link-local address"),
            range("172.16.0.0/12", "a private address"),
            range("192.0.0.0/24", "an IETF protocol address"),
            range("192.0.2.0/24", "a documentation address"),
            range("192.88.99.0/24", "a 6to4 relay address"),
            range("192.168.0.0/16", "a private address"),
            range("198.18.0.0/15", "a benchmarking address"),
            range("198.51.100.0/24", "a documentation address"),
            range("203.0.113.0/24", "a documentation address"),
            range("224.0.0.0/4", "a multicast address"),
            range("240.0.0.0/4", "a reserved address (or the broadcast address)"),
            range("::/128", "an unspecified address"),
            range("::1/128", "a loopback address"),
            range("::/96", "an IPv4-compatible address"),
            range("64:ff9b:1::/48", "a local NAT64 address"),
            range("100::/64", "a discard address"),
            range("2001::/32", "a Teredo address"),
            range("2001:db8::/32", "a documentation address"),
            range("fc00::/7", "a unique local (private) address"),
            range("fe80::/10", "a link-local address"),
            range("fec0::/10", "a site-local address"),
            range("ff00::/8", "a multicast address"));
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

    private final List<Cidr> allowed;

    private AddressGuard(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Public addresses only. */
    public static AddressGuard strict() {
        return new AddressGuard(List.of());
    }

    /**
     * Public addresses and those {@code allow} names: {@code loopback} (127.0.0.0/8 and ::1) and CIDR blocks such as
     * {@code 10.1.0.0/16} or {@code fd12:3456::/32}, comma-separated; empty or null allows nothing more.
     *
     * @throws IllegalArgumentException when an entry is neither
     */
    public static AddressGuard allowing(String allow) {
        List<Cidr> blocks = new ArrayList<>();
        for (String entry : allow == null ? new String[0] : allow.split(",")) {
            String item = entry.strip();
            if (item.isEmpty()) {
                continue;
            }
            if (item.equalsIgnoreCase("loopback")) {
                blocks.addAll(LOOPBACK);
            } else {
                try {
                    blocks.add(Cidr.parse(item));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(ALLOW_VARIABLE + ": '" + item
                            + "' is neither 'loopback' nor a CIDR block such as 10.1.0.0/16", e);
                }
            }
        }
        return new AddressGuard(blocks);
    }

    /** Why a request may not go to {@code address}, or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        for (Cidr block : allowed) {
            if (block.contains(address)) {
                return Optional.empty();
            }
        }
        for (Range range : REFUSED) {
            if (range.block().contains(address)) {
                return Optional.of(address.getHostAddress() + " is " + range.name());
            }
        }
        Optional<InetAddress> inside = embeddedIpv4(address);
        if (inside.isPresent()) {
            return refusal(inside.get()).map(reason -> address.getHostAddress() + " carries " + reason);
        }
        return Optional.empty();
    }

    /** What the configuration allows beyond public addresses, for the console. */
    public String describeAllowed() {
        return allowed.isEmpty() ? "public addresses only" : "public addresses and " + allowed;
    }

    /** The IPv4 address a NAT64 or 6to4 address stands for (mapped ones Java already turns into IPv4). */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (address instanceof Inet4Address) {
            return Optional.empty();
        }
        byte[] bytes = address.getAddress();
        byte[] v4 = NAT64.contains(address) ? Arrays.copyOfRange(bytes, 12, 16)
                : SIX_TO_FOUR.contains(address) ? Arrays.copyOfRange(bytes, 2, 6) : null;
        if (v4 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(v4));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static Range range(String cidr, String name) {
        return new Range(Cidr.parse(cidr), name);
    }
}
