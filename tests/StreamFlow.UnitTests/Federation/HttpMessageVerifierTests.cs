using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamFlow.Core.Federation.Signatures;

namespace StreamFlow.UnitTests.Federation;

public sealed class HttpMessageVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly Uri Target = new("https://member.example.com/api/v1/federation/summaries?since=2026-12-01");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"tenants\":[\"a\",\"b\"]}");
    private static readonly byte[] HmacSecret = SignatureAlgorithms.NewHmacSecret();
    private static readonly (byte[] PrivateSeed, byte[] PublicKey) Ed25519Pair = SignatureAlgorithms.NewEd25519KeyPair();

    private readonly FakeTimeProvider _time = new(Now);
    private readonly KeyRing _keys = new();
    private readonly RememberingLedger _nonces = new();

    public HttpMessageVerifierTests()
    {
        _keys.Add(new FederationVerificationKey("hub-hmac-1", SignatureAlgorithms.HmacSha256, HmacSecret, Now.AddDays(-1), null));
        _keys.Add(new FederationVerificationKey("hub-ed-1", SignatureAlgorithms.Ed25519, Ed25519Pair.PublicKey, Now.AddDays(-1), null));
    }

    private static FederationSigningKey HmacKey => new("hub-hmac-1", SignatureAlgorithms.HmacSha256, HmacSecret);

    private static FederationSigningKey Ed25519Key => new("hub-ed-1", SignatureAlgorithms.Ed25519, Ed25519Pair.PrivateSeed);

    [Fact]
    public async Task A_request_signed_with_a_shared_secret_verifies()
    {
        var verdict = await VerifyAsync(Signed(HmacKey));

        Assert.True(verdict.Verified, verdict.Detail);
        Assert.Equal("hub-hmac-1", verdict.KeyId);
    }

    [Fact]
    public async Task A_request_signed_with_an_ed25519_key_verifies()
    {
        var verdict = await VerifyAsync(Signed(Ed25519Key));

        Assert.True(verdict.Verified, verdict.Detail);
    }

    [Fact]
    public async Task The_same_request_sent_twice_is_refused_as_a_replay()
    {
        var request = Signed(HmacKey);
        await VerifyAsync(request);

        var second = await VerifyAsync(request);

        Assert.Equal(SignatureFailure.Replayed, second.Failure);
    }

    [Fact]
    public async Task A_forged_request_does_not_spend_the_nonce_of_the_real_one()
    {
        var real = Signed(HmacKey);
        var forged = real with { Method = "DELETE" };

        Assert.Equal(SignatureFailure.BadSignature, (await VerifyAsync(forged)).Failure);
        Assert.True((await VerifyAsync(real)).Verified);
    }

    [Theory]
    [InlineData(59, true)]
    [InlineData(61, false)]
    public async Task A_signature_created_ahead_of_our_clock_is_accepted_within_sixty_seconds(int secondsAhead, bool accepted)
    {
        var request = Signed(HmacKey, Now.AddSeconds(secondsAhead));

        var verdict = await VerifyAsync(request);

        Assert.Equal(accepted ? null : SignatureFailure.NotYetValid, verdict.Failure);
    }

    [Theory]
    [InlineData(59, true)]
    [InlineData(61, false)]
    public async Task A_signature_past_its_expiry_is_accepted_within_sixty_seconds(int secondsLate, bool accepted)
    {
        var request = Signed(HmacKey);
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(secondsLate));

        var verdict = await VerifyAsync(request);

        Assert.Equal(accepted ? null : SignatureFailure.Expired, verdict.Failure);
    }

    [Fact]
    public async Task A_changed_body_fails_its_digest()
    {
        var verdict = await VerifyAsync(Signed(HmacKey), Encoding.UTF8.GetBytes("{\"tenants\":[\"a\",\"b\",\"c\"]}"));

        Assert.Equal(SignatureFailure.DigestMismatch, verdict.Failure);
    }

    [Fact]
    public async Task A_changed_query_fails_the_signature()
    {
        var request = Signed(HmacKey) with { Target = new Uri("https://member.example.com/api/v1/federation/summaries?since=2020-01-01") };

        var verdict = await VerifyAsync(request);

        Assert.Equal(SignatureFailure.BadSignature, verdict.Failure);
    }

    [Fact]
    public async Task A_signature_made_with_another_secret_under_a_known_key_id_fails()
    {
        var impostor = HmacKey with { Material = SignatureAlgorithms.NewHmacSecret() };

        var verdict = await VerifyAsync(Signed(impostor));

        Assert.Equal(SignatureFailure.BadSignature, verdict.Failure);
    }

    [Fact]
    public async Task An_unknown_key_id_is_refused_by_name()
    {
        var verdict = await VerifyAsync(Signed(HmacKey with { KeyId = "stranger" }));

        Assert.Equal(SignatureFailure.UnknownKey, verdict.Failure);
        Assert.Equal("stranger", verdict.KeyId);
    }

    [Fact]
    public async Task During_a_rotation_both_keys_verify_and_after_it_only_the_new_one()
    {
        var newSecret = SignatureAlgorithms.NewHmacSecret();
        _keys.Add(new FederationVerificationKey("hub-hmac-1", SignatureAlgorithms.HmacSha256, HmacSecret, Now.AddDays(-1), Now.AddHours(1)));
        _keys.Add(new FederationVerificationKey("hub-hmac-2", SignatureAlgorithms.HmacSha256, newSecret, Now, null));
        var newKey = new FederationSigningKey("hub-hmac-2", SignatureAlgorithms.HmacSha256, newSecret);

        Assert.True((await VerifyAsync(Signed(HmacKey))).Verified);
        Assert.True((await VerifyAsync(Signed(newKey))).Verified);

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(SignatureFailure.KeyNotValidNow, (await VerifyAsync(Signed(HmacKey, _time.GetUtcNow()))).Failure);
        Assert.True((await VerifyAsync(Signed(newKey, _time.GetUtcNow()))).Verified);
    }

    [Fact]
    public async Task A_key_presented_with_another_algorithm_is_refused()
    {
        var request = Signed(HmacKey);
        var relabelled = Replace(request, "signature-input", request.Headers["signature-input"].Replace("alg=\"hmac-sha256\"", "alg=\"ed25519\"", StringComparison.Ordinal));

        var verdict = await VerifyAsync(relabelled);

        Assert.Equal(SignatureFailure.AlgorithmMismatch, verdict.Failure);
    }

    [Fact]
    public async Task A_signature_that_leaves_out_the_body_digest_is_refused()
    {
        var parts = new SignedRequestParts("POST", Target, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        var input = new SfInnerList([new SfItem("@method", []), new SfItem("@target-uri", [])],
        [
            new("created", Now.ToUnixTimeSeconds()), new("expires", Now.AddMinutes(1).ToUnixTimeSeconds()),
            new("nonce", "n-1"), new("keyid", "hub-hmac-1"),
        ]);
        var signature = SignatureAlgorithms.Sign(HmacKey, Encoding.ASCII.GetBytes(SignatureBase.Build(parts, input, out _)!));
        var request = parts with
        {
            Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["signature-input"] = "sf=" + StructuredFields.Serialize(input),
                ["signature"] = "sf=" + StructuredFields.SerializeByteSequence(signature),
            },
        };

        var verdict = await VerifyAsync(request);

        Assert.Equal(SignatureFailure.ComponentNotCovered, verdict.Failure);
        Assert.Contains("content-digest", verdict.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, nameof(SignatureFailure.Missing))]
    [InlineData("sf=(\"@method\";created=1", "sf=:AAAA:", nameof(SignatureFailure.Malformed))]
    [InlineData("sf=(\"@method\");created=1", "sf=notbytes", nameof(SignatureFailure.Malformed))]
    [InlineData("other=(\"@method\");created=1;keyid=\"k\"", "other=:AAAA:", nameof(SignatureFailure.Missing))]
    [InlineData("sf=(\"@method\" \"@target-uri\" \"content-digest\");created=1;expires=2;keyid=\"hub-hmac-1\"", "sf=:AAAA:", nameof(SignatureFailure.Malformed))]
    public async Task Missing_or_malformed_signature_fields_are_named(string? input, string? signature, string expected)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (input is not null)
        {
            headers["signature-input"] = input;
            headers["signature"] = signature!;
        }

        var verdict = await VerifyAsync(new SignedRequestParts("POST", Target, headers));

        Assert.Equal(expected, verdict.Failure?.ToString());
    }

    [Fact]
    public async Task A_signature_valid_for_longer_than_five_minutes_is_refused()
    {
        var request = SignedFor(HmacKey, Now, TimeSpan.FromHours(1));

        var verdict = await VerifyAsync(request);

        Assert.Equal(SignatureFailure.Malformed, verdict.Failure);
    }

    private Task<SignatureVerdict> VerifyAsync(SignedRequestParts request, byte[]? body = null) =>
        new HttpMessageVerifier(_keys, _nonces, _time).VerifyAsync(request, body ?? Body, SignaturePolicy.Federation, CancellationToken.None);

    private static SignedRequestParts Signed(FederationSigningKey key, DateTimeOffset? at = null) =>
        SignedFor(key, at ?? Now, TimeSpan.FromMinutes(1));

    private static SignedRequestParts SignedFor(FederationSigningKey key, DateTimeOffset at, TimeSpan validity)
    {
        var fields = HttpMessageSigner.Sign("POST", Target, Body, key, at, validity);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" };
        foreach (var (name, value) in fields)
        {
            headers[name] = value;
        }

        return new SignedRequestParts("POST", Target, headers);
    }

    private static SignedRequestParts Replace(SignedRequestParts request, string name, string value) =>
        request with { Headers = new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase) { [name] = value } };

    private sealed class KeyRing : IFederationKeyRing
    {
        private readonly Dictionary<string, FederationVerificationKey> _keys = [];

        public void Add(FederationVerificationKey key) => _keys[key.KeyId] = key;

        public Task<FederationVerificationKey?> FindAsync(string keyId, CancellationToken cancellationToken) =>
            Task.FromResult(_keys.GetValueOrDefault(keyId));
    }
}
