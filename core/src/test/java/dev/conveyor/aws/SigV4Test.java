package dev.conveyor.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

class SigV4Test {
    private static final AwsCredentials EXAMPLE =
            new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static final String EXAMPLE_AUTHORIZATION = "AWS4-HMAC-SHA256 "
            + "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, "
            + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    /**
     * The worked example in the IAM user guide ("Examples of signed Signature Version 4 requests"): IAM's
     * ListUsers, whose published signature is 5d672d79... for these inputs.
     */
    @Test
    void signsAwsPublishedIamExample() {
        Map<String, String> added = SigV4.sign("GET", "/", "Action=ListUsers&Version=2010-05-08",
                Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8",
                        "Host", "iam.amazonaws.com"),
                new byte[0], EXAMPLE, "us-east-1", "iam", Instant.parse("2015-08-30T12:36:00Z"));

        assertEquals(Set.of("X-Amz-Date", "Authorization"), added.keySet(), "no token header without a token");
        assertEquals("20150830T123600Z", added.get("X-Amz-Date"));
        assertEquals(EXAMPLE_AUTHORIZATION, added.get("Authorization"));
    }

    @Test
    void headerNamesInAnyCaseAndValuesWithLooseSpacesSignAsTheirCanonicalForm() {
        Map<String, String> added = SigV4.sign("GET", "/", "Action=ListUsers&Version=2010-05-08",
                Map.of("CONTENT-TYPE", "  application/x-www-form-urlencoded;   charset=utf-8 ",
                        "host", "iam.amazonaws.com"),
                new byte[0], EXAMPLE, "us-east-1", "iam", Instant.parse("2015-08-30T12:36:00Z"));

        assertEquals(EXAMPLE_AUTHORIZATION, added.get("Authorization"));
    }

    /** A call as {@link AwsJsonClient} makes it: endpoint, service, region, operation, body, credentials, time. */
    record Call(String endpoint, String service, String region, String contentType, String target, String body,
                AwsCredentials credentials, Instant now) {
        @Override
        public String toString() {
            return target + " to " + endpoint + " in " + region
                    + (credentials.sessionToken() == null ? "" : " with token") + ", " + body.length() + " chars"
                    + " at " + now;
        }
    }

    static Stream<Arguments> calls() {
        AwsCredentials longTerm =
                new AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null);
        AwsCredentials temporary = new AwsCredentials("ASIAIOSFODNN7EXAMPLE",
                "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
                "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDtoken+/=");
        String batch = "{\"QueueUrl\":\"https://sqs.us-east-1.amazonaws.com/123456789012/conveyor-jobs\",\"Entries\":["
                + "{\"Id\":\"0\",\"MessageBody\":\"{\\\"jobId\\\":\\\"01J2X\\\"}\",\"DelaySeconds\":0},"
                + "{\"Id\":\"1\",\"MessageBody\":\"{\\\"jobId\\\":\\\"01J2Y\\\"}\",\"DelaySeconds\":900}]}";
        String unicode = "{\"QueueUrl\":\"q\",\"Entries\":[{\"Id\":\"0\",\"MessageBody\":\"Grüße — ジョブ 🚚\"}]}";
        String large =
                "{\"QueueUrl\":\"q\",\"Entries\":[{\"Id\":\"0\",\"MessageBody\":\"" + "x".repeat(250_000) + "\"}]}";
        String secret =
                "{\"SecretId\":\"arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:conveyor-db-AbCdEf\"}";
        Instant newYearsEve = Instant.parse("2026-12-31T23:59:59Z");
        Instant morning = Instant.parse("2027-01-01T08:05:03Z");
        return Stream.of(
                new Call("https://sqs.us-east-1.amazonaws.com", "sqs", "us-east-1", "application/x-amz-json-1.0",
                        "AmazonSQS.SendMessageBatch", batch, longTerm, newYearsEve),
                new Call("https://sqs.eu-west-1.amazonaws.com", "sqs", "eu-west-1", "application/x-amz-json-1.0",
                        "AmazonSQS.SendMessageBatch", batch, temporary, morning),
                new Call("https://sqs.cn-north-1.amazonaws.com.cn", "sqs", "cn-north-1", "application/x-amz-json-1.0",
                        "AmazonSQS.SendMessageBatch", unicode, temporary, newYearsEve),
                new Call("http://127.0.0.1:9324", "sqs", "us-east-1", "application/x-amz-json-1.0",
                        "AmazonSQS.GetQueueAttributes", "{}", longTerm, morning),
                new Call("https://sqs.us-west-2.amazonaws.com:443", "sqs", "us-west-2", "application/x-amz-json-1.0",
                        "AmazonSQS.SendMessageBatch", large, temporary, morning),
                new Call("https://secretsmanager.ap-southeast-2.amazonaws.com", "secretsmanager", "ap-southeast-2",
                        "application/x-amz-json-1.1", "secretsmanager.GetSecretValue", secret, temporary, morning),
                new Call("https://secretsmanager.us-east-1.amazonaws.com", "secretsmanager", "us-east-1",
                        "application/x-amz-json-1.1", "secretsmanager.GetSecretValue", "", longTerm, newYearsEve))
                .map(Arguments::of);
    }

    /**
     * The AWS SDK's own signer, given the same request, signs it the same. The SDK's {@code AwsV4HttpSigner} adds an
     * {@code x-amz-content-sha256} header (the payload's hex SHA-256) to every request it signs, whatever the service,
     * and signs it too; only S3 requires it and {@link AwsJsonClient} does not send it. It is one more signed header,
     * not another algorithm: so the SDK's value is checked to be the payload hash, and SigV4 is given the same header
     * to sign, which must then give the same Authorization.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void signsAsTheAwsSdkSignerDoes(Call call) {
        byte[] body = call.body().getBytes(StandardCharsets.UTF_8);
        URI endpoint = URI.create(call.endpoint());
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint.resolve("/"))
                .putHeader("Content-Type", call.contentType())
                .putHeader("X-Amz-Target", call.target())
                .build();
        AwsCredentials credentials = call.credentials();
        AwsCredentialsIdentity identity = credentials.sessionToken() == null
                ? AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey())
                : AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey(),
                        credentials.sessionToken());
        SdkHttpRequest bySdk = AwsV4HttpSigner.create().sign(r -> r
                .identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, call.service())
                .putProperty(AwsV4HttpSigner.REGION_NAME, call.region())
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(call.now(), ZoneOffset.UTC))
                // the SDK's clients sign the payload for every service but S3 (the property's default)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true))
                .request();

        assertEquals(AwsJsonClient.host(endpoint), bySdk.firstMatchingHeader("Host").orElseThrow(),
                "the Host the SDK signs for the endpoint is the one the client sends");
        String contentSha256 = bySdk.firstMatchingHeader("x-amz-content-sha256").orElseThrow();
        assertEquals(sha256Hex(body), contentSha256);

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", call.contentType());
        headers.put("Host", AwsJsonClient.host(endpoint));
        headers.put("X-Amz-Target", call.target());
        headers.put("x-amz-content-sha256", contentSha256);
        Map<String, String> added = SigV4.sign("POST", "/", "", headers, body, credentials, call.region(),
                call.service(), call.now());

        assertEquals(bySdk.firstMatchingHeader("Authorization").orElseThrow(), added.get("Authorization"));
        assertEquals(bySdk.firstMatchingHeader("X-Amz-Date").orElseThrow(), added.get("X-Amz-Date"));
        assertEquals(bySdk.firstMatchingHeader("X-Amz-Security-Token").orElse(null),
                added.get("X-Amz-Security-Token"));
        Set<String> ours = new TreeSet<>();
        headers.keySet().forEach(name -> ours.add(name.toLowerCase(Locale.ROOT)));
        added.keySet().forEach(name -> ours.add(name.toLowerCase(Locale.ROOT)));
        Set<String> sdks = new TreeSet<>();
        bySdk.headers().keySet().forEach(name -> sdks.add(name.toLowerCase(Locale.ROOT)));
        assertEquals(sdks, ours, "the same headers, none added by one signer and not the other");
    }

    private static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
