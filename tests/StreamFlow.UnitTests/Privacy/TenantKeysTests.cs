using System.Security.Cryptography;
using StreamFlow.Core.Privacy;

namespace StreamFlow.UnitTests.Privacy;

public sealed class TenantKeysTests
{
    private static readonly Guid TenantA = Guid.NewGuid();
    private static readonly Guid TenantB = Guid.NewGuid();

    [Fact]
    public void A_sealed_value_opens_for_its_own_row_and_column_and_hides_the_plaintext()
    {
        var keys = Keys(TenantA);
        var row = Guid.NewGuid();

        var sealedValue = keys.Seal("leads", "email", row, "dana@example.com")!;

        Assert.Equal("dana@example.com", keys.Open("leads", "email", row, sealedValue));
        Assert.DoesNotContain("dana@example.com", System.Text.Encoding.UTF8.GetString(sealedValue), StringComparison.Ordinal);
        Assert.Equal(keys.CurrentVersion, TenantKeys.VersionOf(sealedValue));
    }

    [Fact]
    public void A_value_moved_to_another_row_or_column_fails_authentication()
    {
        var keys = Keys(TenantA);
        var row = Guid.NewGuid();
        var sealedValue = keys.Seal("leads", "email", row, "dana@example.com")!;

        var moved = Assert.Throws<PersonalDataUnavailableException>(() => keys.Open("leads", "email", Guid.NewGuid(), sealedValue));
        Assert.Contains("does not authenticate", moved.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dana", moved.Message, StringComparison.Ordinal);
        Assert.Throws<PersonalDataUnavailableException>(() => keys.Open("leads", "phone", row, sealedValue));
    }

    [Fact]
    public void Another_tenants_keys_never_open_a_value_even_with_the_same_data_key()
    {
        var shared = RandomNumberGenerator.GetBytes(32);
        var row = Guid.NewGuid();
        var sealedValue = Keys(TenantA, shared).Seal("leads", "email", row, "dana@example.com")!;

        Assert.Throws<PersonalDataUnavailableException>(() => Keys(TenantB, shared).Open("leads", "email", row, sealedValue));
        Assert.Throws<PersonalDataUnavailableException>(() => Keys(TenantA).Open("leads", "email", row, sealedValue));
    }

    [Fact]
    public void A_value_sealed_with_a_version_whose_key_is_unavailable_answers_a_clear_error()
    {
        var row = Guid.NewGuid();
        var old = new TenantKeys(TenantA, 1, new Dictionary<int, byte[]> { [1] = RandomNumberGenerator.GetBytes(32) }, new Dictionary<int, string>(), new byte[32]);
        var sealedValue = old.Seal("leads", "phone", row, "+15125550142")!;
        var withoutIt = new TenantKeys(TenantA, 2, new Dictionary<int, byte[]> { [2] = RandomNumberGenerator.GetBytes(32) },
            new Dictionary<int, string> { [1] = "the key-encryption key 'local:old' is not in the local key ring." }, new byte[32]);

        var error = Assert.Throws<PersonalDataUnavailableException>(() => withoutIt.Open("leads", "phone", row, sealedValue));

        Assert.Contains("data key 1, which is unavailable", error.Message, StringComparison.Ordinal);
        Assert.Contains("leads.phone", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blind_indexes_are_deterministic_per_tenant_and_separate_emails_from_phones()
    {
        var a = Keys(TenantA);

        Assert.Equal(a.Index("email", "dana@example.com"), a.Index("email", "dana@example.com"));
        Assert.NotEqual(a.Index("email", "dana@example.com"), Keys(TenantB).Index("email", "dana@example.com"));
        Assert.NotEqual(a.Index("email", "15125550142"), a.Index("phone", "15125550142"));
        Assert.Null(a.Index("email", null));
    }

    [Fact]
    public async Task The_local_key_ring_unwraps_what_it_wrapped_and_refuses_an_unknown_or_altered_wrap()
    {
        var ring = LocalKeyRing.InMemory(("k1", RandomNumberGenerator.GetBytes(32)));
        var dataKey = RandomNumberGenerator.GetBytes(32);

        var wrapped = await ring.WrapAsync(dataKey, default);

        Assert.Equal("local:k1", wrapped.KekId);
        Assert.Equal(dataKey, await ring.UnwrapAsync(wrapped, default));
        await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => ring.UnwrapAsync(wrapped with { KekId = "local:k0" }, default));
        var altered = (byte[])wrapped.Value.Clone();
        altered[^1] ^= 1;
        await Assert.ThrowsAsync<PersonalDataUnavailableException>(() => ring.UnwrapAsync(wrapped with { Value = altered }, default));
    }

    [Fact]
    public void A_missing_key_ring_file_is_a_configuration_error_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalKeyRing.Load(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.ring")));

        Assert.Contains("Privacy:LocalKeyRingPath", error.Message, StringComparison.Ordinal);
    }

    private static TenantKeys Keys(Guid tenant, byte[]? dataKey = null) =>
        new(tenant, 1, new Dictionary<int, byte[]> { [1] = dataKey ?? RandomNumberGenerator.GetBytes(32) }, new Dictionary<int, string>(), RandomNumberGenerator.GetBytes(32));
}
