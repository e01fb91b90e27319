using System.Security.Cryptography;
using StreamFlow.Core.Backups;

namespace StreamFlow.UnitTests.Backups;

public sealed class BackupKeyRingTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void The_encryption_key_setting_is_the_default_key()
    {
        var ring = BackupKeyRing.From(new BackupOptions { EncryptionKey = KeyA });

        Assert.Equal("default", ring.CurrentKeyId);
    }

    [Fact]
    public void A_rotation_keeps_the_old_key_and_encrypts_with_the_new_one()
    {
        var ring = BackupKeyRing.From(new BackupOptions
        {
            EncryptionKey = KeyA,
            Keys = new() { ["2027-01"] = KeyB },
            CurrentKeyId = "2027-01",
        });

        Assert.Equal("2027-01", ring.CurrentKeyId);
        Assert.True(ring.Contains("default"));
    }

    [Fact]
    public void A_missing_key_names_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackupKeyRing.From(new BackupOptions()));

        Assert.Equal("No backup key is configured: set Backups:EncryptionKey (base64 of 32 random bytes).", error.Message);
    }

    [Fact]
    public void A_current_key_id_without_a_key_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackupKeyRing.From(new BackupOptions { EncryptionKey = KeyA, CurrentKeyId = "k9" }));

        Assert.Equal("Backups:CurrentKeyId is 'k9' but Backups:Keys:k9 is not set.", error.Message);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_malformed_key_is_refused_without_echoing_it(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackupKeyRing.From(new BackupOptions { EncryptionKey = value }));

        Assert.StartsWith("Backups:EncryptionKey ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_values_for_one_key_id_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackupKeyRing.From(new BackupOptions
        {
            EncryptionKey = KeyA,
            Keys = new() { ["default"] = KeyB },
        }));

        Assert.Contains("different values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_ids_carry_their_time_and_sort_in_time_order()
    {
        var earlier = BackupId.Create(DateTimeOffset.Parse("2026-11-26T02:30:00Z"), Guid.NewGuid());
        var later = BackupId.Create(DateTimeOffset.Parse("2026-11-27T02:30:00Z"), Guid.NewGuid());

        Assert.Matches("^20261126T023000Z-[0-9a-f]{8}$", earlier);
        Assert.Equal(DateTimeOffset.Parse("2026-11-26T02:30:00Z"), BackupId.TakenAt(earlier));
        Assert.True(string.CompareOrdinal(earlier, later) < 0);
    }
}
