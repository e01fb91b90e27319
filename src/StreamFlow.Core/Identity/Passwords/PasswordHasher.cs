using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace StreamFlow.Core.Identity.Passwords;

/// <summary>
/// Argon2id at the OWASP baseline (19 MiB, 2 iterations, parallelism 1), stored as a PHC string so that the
/// parameters travel with the hash and can be raised later without invalidating old hashes.
/// </summary>
public sealed class PasswordHasher
{
    private const int MemoryKib = 19 * 1024;
    private const int Iterations = 2;
    private const int Parallelism = 1;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>A valid hash of a random password: checked when the user does not exist, so both paths cost the same.</summary>
    private readonly Lazy<string> _decoy;

    public PasswordHasher() => _decoy = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, MemoryKib, Iterations, Parallelism, HashBytes);
        return $"$argon2id$v=19$m={MemoryKib},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}";
    }

    public bool Verify(string password, string? encoded)
    {
        if (encoded is null || !TryParse(encoded, out var memory, out var iterations, out var parallelism, out var salt, out var expected))
        {
            Verify(password, _decoy.Value);
            return false;
        }

        var actual = Derive(password, salt, memory, iterations, parallelism, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the same time as a real verification; used when there is no user to check.</summary>
    public void VerifyDecoy(string password) => Verify(password, _decoy.Value);

    private static byte[] Derive(string password, byte[] salt, int memoryKib, int iterations, int parallelism, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memoryKib,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }

    private static bool TryParse(string encoded, out int memory, out int iterations, out int parallelism, out byte[] salt, out byte[] hash)
    {
        memory = iterations = parallelism = 0;
        salt = hash = [];
        var parts = encoded.Split('$');
        if (parts is not ["", "argon2id", "v=19", var parameters, var saltPart, var hashPart])
        {
            return false;
        }

        foreach (var pair in parameters.Split(','))
        {
            var (key, value) = (pair.Split('=')[0], int.TryParse(pair.Split('=').ElementAtOrDefault(1), out var number) ? number : 0);
            switch (key)
            {
                case "m": memory = value; break;
                case "t": iterations = value; break;
                case "p": parallelism = value; break;
            }
        }

        try
        {
            salt = Convert.FromBase64String(Pad(saltPart));
            hash = Convert.FromBase64String(Pad(hashPart));
        }
        catch (FormatException)
        {
            return false;
        }

        return memory is >= 8 * 1024 and <= 1024 * 1024 && iterations is >= 1 and <= 20 && parallelism is >= 1 and <= 16 && hash.Length >= 16;
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static string Pad(string text) => text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
}
