package dev.conveyor.handler.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The guard judges addresses handed to it: nothing here resolves a name or opens a connection. */
class AddressGuardTest {
    private final AddressGuard strict = AddressGuard.strict();

    private static InetAddress ip(String literal) {
        return Cidr.literal(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.5.6.7", "::1", "10.0.0.1", "10.255.255.255", "172.16.0.1",
            "172.31.255.255", "192.168.1.1", "169.254.169.254", "169.254.0.1", "fd00:ec2::254", "fe80::1",
            "fc00::1", "fdff:ffff::1", "0.0.0.0", "::", "100.64.0.1", "100.127.255.255", "224.0.0.1",
            "239.255.255.250", "255.255.255.255", "240.0.0.1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
            "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:a00:1::1", "2002:7f00:1::",
            "::127.0.0.1", "192.0.0.192", "198.18.0.1", "2001:db8::1", "fec0::1", "192.0.2.1"})
    void refusesEveryAddressThatIsNotPublic(String address) {
        assertTrue(strict.refusal(ip(address)).isPresent(), address + " must be refused");
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1",
            "169.253.255.255", "11.0.0.1", "2606:4700::1111", "2a00:1450:4001::200e", "64:ff9b::808:808",
            "2002:808:808::1", "::ffff:8.8.8.8"})
    void allowsPublicAddresses(String address) {
        assertEquals(Optional.empty(), strict.refusal(ip(address)), address);
    }

    @Test
    void namesWhyAnAddressIsRefused() {
        assertEquals(Optional.of("169.254.169.254 is a cloud metadata address"), strict.refusal(ip("169.254.169.254")));
        assertEquals(Optional.of("10.0.0.1 is a private address"), strict.refusal(ip("10.0.0.1")));
        assertTrue(strict.refusal(ip("64:ff9b::a9fe:a9fe")).get().endsWith("carries 169.254.169.254 is a cloud "
                + "metadata address"));
    }

    @Test
    void loopbackAndBlocksAreAllowedOnlyWhenConfigured() {
        AddressGuard local = AddressGuard.allowing("loopback, 10.1.0.0/16,fd12:3456::/32");
        assertEquals(Optional.empty(), local.refusal(ip("127.0.0.1")));
        assertEquals(Optional.empty(), local.refusal(ip("::1")));
        assertEquals(Optional.empty(), local.refusal(ip("10.1.2.3")));
        assertEquals(Optional.empty(), local.refusal(ip("fd12:3456::9")));
        assertTrue(local.refusal(ip("10.2.0.1")).isPresent());
        assertTrue(local.refusal(ip("169.254.169.254")).isPresent());
        assertTrue(local.refusal(ip("192.168.0.1")).isPresent());
        assertEquals(Optional.empty(), AddressGuard.allowing("").refusal(ip("8.8.8.8")));
        assertTrue(AddressGuard.allowing(null).refusal(ip("127.0.0.1")).isPresent());
    }

    @Test
    void aMalformedAllowListFailsWithTheVariablesName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AddressGuard.allowing("loopback,intranet.example"));
        assertTrue(e.getMessage().startsWith("CONVEYOR_HTTP_ALLOW: 'intranet.example'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AddressGuard.allowing("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> AddressGuard.allowing("300.0.0.0/8"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "1.2.3.999", "zz:1", ".:1", "1.2.3", ""})
    void onlyLiteralsAreAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.literal(text)); // and no lookup: see Cidr.literal
    }
}
