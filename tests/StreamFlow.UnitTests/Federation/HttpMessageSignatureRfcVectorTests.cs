using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Federation.Signatures;

namespace StreamFlow.UnitTests.Federation;

/// <summary>The test vectors of RFC 9421 Appendix B.2.5 and B.2.6 and RFC 9530 Appendix B, byte for byte.</summary>
public sealed class HttpMessageSignatureRfcVectorTests
{
    // RFC 9421 B.1.5 test-shared-secret and B.1.4 test-key-ed25519 (JWK "d" and "x").
    private const string SharedSecret = "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";
    private const string Ed25519Seed = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    private const string Ed25519PublicKey = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1618884473);

    [Fact]
    public void The_hmac_sha256_example_has_the_published_base_and_signature()
    {
        var input = InputOf("""("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret" """);

        var signatureBase = SignatureBase.Build(RfcTestRequest(), input, out _);

        Assert.Equal(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@authority\": example.com\n\"content-type\": application/json\n" +
            "\"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"",
            signatureBase);
        var signature = SignatureAlgorithms.Sign(
            new FederationSigningKey("test-shared-secret", SignatureAlgorithms.HmacSha256, Convert.FromBase64String(SharedSecret)),
            Encoding.ASCII.GetBytes(signatureBase!));
        Assert.Equal("pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=", Convert.ToBase64String(signature));
    }

    [Fact]
    public void The_ed25519_example_has_the_published_base_and_signature()
    {
        var input = InputOf("""("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519" """);

        var signatureBase = SignatureBase.Build(RfcTestRequest(), input, out _);

        Assert.Equal(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n" +
            "\"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" " +
            "\"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"",
            signatureBase);
        var signature = SignatureAlgorithms.Sign(
            new FederationSigningKey("test-key-ed25519", SignatureAlgorithms.Ed25519, FromBase64Url(Ed25519Seed)),
            Encoding.ASCII.GetBytes(signatureBase!));
        Assert.Equal("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==", Convert.ToBase64String(signature));
        Assert.Equal(FromBase64Url(Ed25519PublicKey), SignatureAlgorithms.Ed25519PublicKeyOf(FromBase64Url(Ed25519Seed)));
    }

    [Theory]
    [InlineData("sig-b25", """sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret" """, "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:")]
    [InlineData("sig-b26", """sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519" """, "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:")]
    public async Task The_published_signed_requests_verify(string label, string signatureInput, string signature)
    {
        var request = RfcTestRequest(("Signature-Input", signatureInput.Trim()), ("Signature", signature));
        var verifier = new HttpMessageVerifier(new RfcKeys(), new RememberingLedger(), new FakeTimeProvider(Created));
        var policy = new SignaturePolicy(label, [], TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5), RequireExpiresAndNonce: false);

        var verdict = await verifier.VerifyAsync(request, Encoding.ASCII.GetBytes("{\"hello\": \"world\"}"), policy, CancellationToken.None);

        Assert.True(verdict.Verified, verdict.Detail);
    }

    [Fact]
    public async Task A_published_signature_over_a_changed_request_does_not_verify()
    {
        var request = RfcTestRequest(
            ("Signature-Input", """sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519" """.Trim()),
            ("Signature", "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:")) with { Method = "PUT" };
        var verifier = new HttpMessageVerifier(new RfcKeys(), new RememberingLedger(), new FakeTimeProvider(Created));

        var verdict = await verifier.VerifyAsync(request, default, new SignaturePolicy("sig-b26", [], TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5), false), CancellationToken.None);

        Assert.Equal(SignatureFailure.BadSignature, verdict.Failure);
    }

    [Theory]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")]
    [InlineData("sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, unixsum=:NzQz:")]
    public void The_published_content_digests_match_their_body(string field)
    {
        Assert.True(ContentDigest.Matches(field, Encoding.ASCII.GetBytes("{\"hello\": \"world\"}")));
    }

    [Theory]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")]
    [InlineData("unixsum=:NzQz:")]
    [InlineData("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")]
    [InlineData(null)]
    public void A_digest_of_another_body_or_of_no_known_algorithm_does_not_match(string? field)
    {
        Assert.False(ContentDigest.Matches(field, Encoding.ASCII.GetBytes("{\"hello\": \"world!\"}")));
    }

    [Fact]
    public void The_digest_we_send_is_the_published_sha_256()
    {
        Assert.Equal("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", ContentDigest.For(Encoding.ASCII.GetBytes("{\"hello\": \"world\"}")));
    }

    private static SfInnerList InputOf(string innerList) =>
        (SfInnerList)StructuredFields.ParseDictionary("x=" + innerList.Trim())![0].Value;

    // RFC 9421 B.2's test-request: POST /foo?param=Value&Pet=dog to example.com with a JSON body of 18 bytes.
    private static SignedRequestParts RfcTestRequest(params (string Name, string Value)[] extra) => SignedRequestParts.Create(
        "POST",
        new Uri("http://example.com/foo?param=Value&Pet=dog"),
        new (string Name, string Value)[]
        {
            ("Host", "example.com"),
            ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("Content-Type", "application/json"),
            ("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
            ("Content-Length", "18"),
        }.Concat(extra).Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Name, [h.Value])));

    private static byte[] FromBase64Url(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4));

    private sealed class RfcKeys : IFederationKeyRing
    {
        public Task<FederationVerificationKey?> FindAsync(string keyId, CancellationToken cancellationToken) => Task.FromResult(keyId switch
        {
            "test-shared-secret" => new FederationVerificationKey(keyId, SignatureAlgorithms.HmacSha256, Convert.FromBase64String(SharedSecret), DateTimeOffset.MinValue, null),
            "test-key-ed25519" => new FederationVerificationKey(keyId, SignatureAlgorithms.Ed25519, FromBase64Url(Ed25519PublicKey), DateTimeOffset.MinValue, null),
            _ => null,
        });
    }
}
