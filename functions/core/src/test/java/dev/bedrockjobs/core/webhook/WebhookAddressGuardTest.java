package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF guard as a table: addresses, names (resolved by a fake resolver, never DNS) and URL tricks. */
class WebhookAddressGuardTest {
    private static final Map<String, List<InetAddress>> NAMES = Map.of(
            "hooks.example.com", List.of(ip("93.184.215.14"), ip("2606:2800:21f:cb07:6820:80da:af6b:8b2c")),
            "internal.example", List.of(ip("10.1.2.3")),
            "metadata.example", List.of(ip("169.254.169.254")),
            "rebind.example", List.of(ip("93.184.215.14"), ip("192.168.0.10")),
            "v6private.example", List.of(ip("fd00::1")),
            "mapped.example", List.of(mappedV6(10, 0, 0, 1)),
            "localhost", List.of(ip("127.0.0.1"), ip("::1")),
            "mixed.example", List.of(ip("127.0.0.1"), ip("93.184.215.14")));

    private final List<String> lookedUp = new ArrayList<>();
    private final WebhookAddressGuard.Resolver resolver = host -> {
        lookedUp.add(host);
        List<InetAddress> a = NAMES.get(host);
        if (a == null) {
            throw new UnknownHostException(host);
        }
        return a;
    };
    private final WebhookAddressGuard strict = new WebhookAddressGuard(false, resolver);
    private final WebhookAddressGuard local = new WebhookAddressGuard(true, resolver);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An IPv6 address object carrying an IPv4-mapped address (the JDK would otherwise hand back an IPv4 one). */
    private static InetAddress mappedV6(int a, int b, int c, int d) {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        try {
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String refusal(WebhookAddressGuard guard, String url) {
        WebhookAddressGuard.Decision d = guard.check(url);
        assertInstanceOf(WebhookAddressGuard.Refused.class, d, url + " should be refused, was " + d);
        return ((WebhookAddressGuard.Refused) d).reason();
    }

    @ParameterizedTest(name = "{0} refused: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // literal IPv4 in every refused range
                "https://127.0.0.1/x           | loopback",
                "https://127.255.255.254/      | loopback",
                "https://10.0.0.8/x            | private (10.0.0.0/8)",
                "https://172.16.0.1/           | private (172.16.0.0/12)",
                "https://172.31.255.255/       | private (172.16.0.0/12)",
                "https://192.168.1.1/          | private (192.168.0.0/16)",
                "https://169.254.169.254/latest/meta-data | metadata",
                "https://169.254.1.1/          | link-local",
                "https://100.64.0.1/           | CGNAT",
                "https://100.127.255.254/      | CGNAT",
                "https://0.0.0.0/              | this network",
                "https://0.1.2.3/              | this network",
                "https://224.0.0.1/            | multicast",
                "https://239.255.255.250/      | multicast",
                "https://255.255.255.255/      | broadcast",
                "https://240.0.0.1/            | reserved",
                "https://192.0.2.10/           | documentation",
                "https://198.18.0.1/           | benchmarking",
                // numeric tricks that all mean 127.0.0.1 or another refused address
                "https://2130706433/           | loopback",
                "https://0x7f.0.0.1/           | loopback",
                "https://0x7F000001/           | loopback",
                "https://0177.0.0.1/           | loopback",
                "https://017700000001/         | loopback",
                "https://127.1/                | loopback",
                "https://127.0.1/              | loopback",
                "https://127.0.0.1./           | loopback",
                "https://0/                    | this network",
                "https://0xa9fea9fe/           | metadata",
                "https://167772161/            | private (10.0.0.0/8)",
                // user info, whatever it looks like
                "https://good.example@127.0.0.1/      | user info",
                "https://good.example@hooks.example.com/ | user info",
                "https://user:pass@hooks.example.com/ | user info",
                "https://127.0.0.1:443@hooks.example.com/ | user info",
                // IPv6 literals
                "https://[::1]/                | loopback (::1)",
                "https://[0:0:0:0:0:0:0:1]/    | loopback (::1)",
                "https://[::]/                 | unspecified",
                "https://[fe80::1]/            | link-local (fe80::/10)",
                "https://[fe80::1%25eth0]/     | zone",
                "https://[fc00::1]/            | unique-local",
                "https://[fd12:3456::1]/       | unique-local",
                "https://[ff02::1]/            | multicast",
                "https://[::ffff:127.0.0.1]/   | loopback",
                "https://[::ffff:7f00:1]/      | loopback",
                "https://[::ffff:10.0.0.1]/    | private (10.0.0.0/8)",
                "https://[::ffff:169.254.169.254]/ | metadata",
                "https://[64:ff9b::127.0.0.1]/ | NAT64 (64:ff9b::/96) of 127.0.0.1",
                "https://[64:ff9b::a9fe:a9fe]/ | NAT64 (64:ff9b::/96) of 169.254.169.254",
                "https://[64:ff9b::10.1.1.1]/  | NAT64",
                "https://[2002:7f00:1::]/      | 6to4 (2002::/16) of 127.0.0.1",
                "https://[2002:c0a8:101::1]/   | 6to4 (2002::/16) of 192.168.1.1",
                "https://[::127.0.0.1]/        | IPv4-compatible",
                "https://[2001:db8::1]/        | documentation",
                "https://[2001::1]/            | Teredo",
                "https://[100::1]/             | discard-only",
                // names that resolve to refused addresses: every address must be public
                "https://internal.example/     | resolves to 10.1.2.3",
                "https://metadata.example/     | metadata",
                "https://rebind.example/       | 192.168.0.10",
                "https://v6private.example/    | unique-local",
                "https://mapped.example/       | IPv4-mapped",
                "https://localhost/x           | loopback",
                "https://mixed.example/        | loopback",
                // scheme and syntax
                "http://hooks.example.com/     | must use https",
                "ftp://hooks.example.com/      | must use https",
                "http://2130706433/            | loopback",
                "https:///nohost               | host",
                "not a url                     | not a valid URL",
                "/relative/path                | must use https",
                "https://hooks.example.com:0/  | port",
                "https://hooks.example.com:99999/ | port",
                "https://hooks.example.com:44x/ | port",
                "https://%31%32%37.0.0.1/      | percent-encode",
                "https://1.2.3.4.5/            | invalid IPv4",
                "https://256.0.0.1/            | invalid IPv4",
                "https://0x100.0.0.1/          | invalid IPv4",
                "https://08.0.0.1/             | invalid IPv4",
                "https://1.2.3.0x/             | dotted quad",
                "https://0x5d.0xb8.0xd7.0x0e/  | dotted quad (93.184.215.14)",
                "https://1572394766/           | dotted quad",
                "https://under_score.example/  | invalid host name",
                "https://exa mple.com/         | not a valid URL",
            })
    void refused(String url, String reasonContains) {
        String reason = refusal(strict, url);
        assertTrue(reason.contains(reasonContains), url + ": " + reason);
    }

    @Test
    void aNameThatDoesNotResolveIsRetryableNotRefused() {
        WebhookAddressGuard.Decision d = strict.check("https://nxdomain.example/hook");
        assertInstanceOf(WebhookAddressGuard.Unresolved.class, d);
    }

    @Test
    void onlyPort443IsAllowedUnlessTheOperatorAllowsOthers() {
        assertTrue(refusal(strict, "https://hooks.example.com:8443/x").contains("port 443"));
        assertTrue(
                strict.precheck("https://hooks.example.com:8443/x")
                        .orElseThrow()
                        .contains("port 443"),
                "refused at submit too");
        assertTrue(strict.precheck("https://hooks.example.com:22/x").isPresent());
        assertTrue(strict.precheck("https://hooks.example.com:443/x").isEmpty());

        WebhookAddressGuard widened =
                new WebhookAddressGuard(false, resolver, WebhookAddressGuard.parsePorts("443, 8443"));
        assertInstanceOf(WebhookAddressGuard.Allowed.class, widened.check("https://hooks.example.com:8443/x"));
        assertTrue(widened.precheck("https://hooks.example.com:9443/x").isPresent());
        assertEquals(WebhookAddressGuard.DEFAULT_PORTS, WebhookAddressGuard.parsePorts(""));
        assertThrows(IllegalArgumentException.class, () -> WebhookAddressGuard.parsePorts("443,0"));
        assertThrows(IllegalArgumentException.class, () -> WebhookAddressGuard.parsePorts("https"));
    }

    @Test
    void aLoopbackReceiverOfTheLocalRuntimeMayUseAnyPortButNoOtherHostMay() {
        assertInstanceOf(WebhookAddressGuard.Allowed.class, local.check("http://127.0.0.1:9000/hook"));
        assertTrue(refusal(local, "https://hooks.example.com:8443/x").contains("port 443"));
    }

    @Test
    void httpIsRefusedBeforeAnyLookup() {
        refusal(strict, "http://hooks.example.com/");
        assertTrue(lookedUp.isEmpty(), "looked up " + lookedUp);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "https://hooks.example.com/bedrock          | https://hooks.example.com/bedrock",
                "https://HOOKS.Example.COM./x?token=a%20b   | https://hooks.example.com/x?token=a%20b",
                "https://hooks.example.com:443/x#frag       | https://hooks.example.com:443/x",
                "https://hooks.example.com                  | https://hooks.example.com/",
                "https://93.184.215.14/cb                   | https://93.184.215.14/cb",
                "https://[2606:4700::1]/x                   | https://[2606:4700::1]/x",
                "https://[::ffff:93.184.215.14]/            | https://[::ffff:93.184.215.14]/",
                "https://[64:ff9b::5db8:d70e]/              | https://[64:ff9b::5db8:d70e]/",
                "https://[2002:5db8:d70e::1]/               | https://[2002:5db8:d70e::1]/",
            })
    void publicHttpsIsAllowedAndTheConnectUriIsNormalised(String url, String connect) {
        WebhookAddressGuard.Decision d = strict.check(url);
        WebhookAddressGuard.Allowed allowed = assertInstanceOf(WebhookAddressGuard.Allowed.class, d, url + ": " + d);
        assertEquals(URI.create(connect), allowed.uri());
        assertTrue(!allowed.addresses().isEmpty());
    }

    @Test
    void allowedExposesEveryCheckedAddressAndThePort() {
        WebhookAddressGuard.Allowed a = (WebhookAddressGuard.Allowed) strict.check("https://hooks.example.com/x");
        assertEquals("hooks.example.com", a.host());
        assertEquals(443, a.port());
        assertEquals(NAMES.get("hooks.example.com"), a.addresses());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:9000/hook",
                "http://localhost:8081/x",
                "http://[::1]:9000/",
                "https://127.0.0.1:8443/",
                "http://127.0.0.2/",
                "https://hooks.example.com/still-fine"
            })
    void theLocalFlagAllowsLoopbackOverHttpAndHttps(String url) {
        assertInstanceOf(WebhookAddressGuard.Allowed.class, local.check(url), url);
    }

    @ParameterizedTest(name = "{0} refused locally: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://10.0.0.8/x          | private",
                "https://10.0.0.8/x         | private",
                "http://hooks.example.com/x | http only for a loopback receiver",
                "http://mixed.example/      | http only for a loopback receiver",
                "https://169.254.169.254/   | metadata",
                "http://good@127.0.0.1/     | user info",
                "http://[fe80::1]/          | link-local",
                "http://0x7f.0.0.1/         | loopback",
            })
    void theLocalFlagOpensNothingElse(String url, String reasonContains) {
        String reason = refusal(local, url);
        assertTrue(reason.contains(reasonContains), url + ": " + reason);
    }

    /** What WebhookUrlPolicy checks at submit time today, through the guard's DNS-free precheck. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://hooks.example.com/bedrock",
                "https://93.184.215.14/cb",
                "https://[2606:4700::1]/x",
                "https://never-resolved.example/x"
            })
    void precheckAcceptsPublicHttpsWithoutDns(String url) {
        WebhookAddressGuard noDns = new WebhookAddressGuard(false, host -> fail("precheck must not resolve " + host));
        assertTrue(noDns.precheck(url).isEmpty(), url + ": " + noDns.precheck(url));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://hooks.example.com",
                "ftp://hooks.example.com",
                "https://localhost/x",
                "https://127.0.0.1/x",
                "https://10.0.0.8/x",
                "https://192.168.1.1/",
                "https://172.16.0.1/",
                "https://169.254.169.254/latest/meta-data",
                "https://[::1]/",
                "https://[fd00::1]/",
                "https://0.0.0.0/",
                "https://user:pass@hooks.example.com/",
                "not a url",
                "https:///nohost",
                "https://api.localhost/",
                "https://2130706433/",
                "https://0x7f.0.0.1/",
                "https://[::ffff:127.0.0.1]/",
                ""
            })
    void precheckRefusesWhatSubmitRefusesToday(String url) {
        WebhookAddressGuard noDns = new WebhookAddressGuard(false, host -> fail("precheck must not resolve " + host));
        assertTrue(noDns.precheck(url).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://localhost:8081/x", "http://[::1]:9000/"})
    void precheckAllowsLoopbackOnlyBehindTheLocalFlag(String url) {
        WebhookAddressGuard noDnsLocal = new WebhookAddressGuard(true, host -> fail("no DNS: " + host));
        WebhookAddressGuard noDnsStrict = new WebhookAddressGuard(false, host -> fail("no DNS: " + host));
        assertTrue(noDnsLocal.precheck(url).isEmpty(), url);
        assertTrue(noDnsStrict.precheck(url).isPresent(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.0.0.8/x", "http://hooks.example.com/x"})
    void precheckWithTheLocalFlagOpensNothingElse(String url) {
        WebhookAddressGuard noDnsLocal = new WebhookAddressGuard(true, host -> fail("no DNS: " + host));
        assertTrue(noDnsLocal.precheck(url).isPresent(), url);
    }

    @Test
    void aVeryLongUrlIsRefused() {
        String url = "https://hooks.example.com/" + "a".repeat(WebhookAddressGuard.MAX_URL_LENGTH);
        assertTrue(refusal(strict, url).contains("at most"));
    }

    @ParameterizedTest(name = "{0} public")
    @ValueSource(
            strings = {
                "93.184.215.14",
                "8.8.8.8",
                "1.1.1.1",
                "172.15.255.255",
                "172.32.0.1",
                "100.63.255.255",
                "100.128.0.1",
                "169.253.255.255",
                "192.167.255.255",
                "223.255.255.255",
                "2606:4700::1111",
                "2a00:1450:4001:80b::200e",
                "2002:5db8:d70e::1",
                "64:ff9b::808:808"
            })
    void publicAddressesAreClassifiedPublic(String address) {
        assertTrue(WebhookAddressGuard.whyNotPublic(ip(address)).isEmpty(), address);
    }
}
