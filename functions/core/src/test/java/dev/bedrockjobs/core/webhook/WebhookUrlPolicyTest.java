package dev.bedrockjobs.core.webhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlPolicyTest {
    private final WebhookUrlPolicy strict = new WebhookUrlPolicy(false);
    private final WebhookUrlPolicy local = new WebhookUrlPolicy(true);

    @ParameterizedTest
    @ValueSource(
            strings = {"https://hooks.example.com/bedrock", "https://93.184.215.14/cb", "https://[2606:4700::1]/x"})
    void publicHttpsIsAccepted(String url) {
        assertTrue(strict.check(url).isEmpty(), url);
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
                "https://api.localhost/"
            })
    void privateOrMalformedIsRefused(String url) {
        assertFalse(strict.check(url).isEmpty(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://localhost:8081/x", "http://[::1]:9000/"})
    void loopbackIsAllowedOnlyBehindTheLocalFlag(String url) {
        assertTrue(local.check(url).isEmpty(), url);
        assertFalse(strict.check(url).isEmpty(), url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://10.0.0.8/x", "http://hooks.example.com/x"})
    void theLocalFlagDoesNotOpenOtherAddresses(String url) {
        assertFalse(local.check(url).isEmpty(), url);
    }
}
