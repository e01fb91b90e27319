namespace StreamFlow.Core.Federation.Signatures;

/// <summary>The signature parameters of RFC 9421 §2.3 read off a <c>Signature-Input</c> member.</summary>
internal sealed record SignatureParameters(
    DateTimeOffset? Created, DateTimeOffset? Expires, string? Nonce, string? KeyId, string? Algorithm, string? Problem)
{
    public static SignatureParameters From(SfInnerList signatureParams)
    {
        DateTimeOffset? created = null, expires = null;
        string? nonce = null, keyId = null, algorithm = null;
        foreach (var (name, value) in signatureParams.Parameters)
        {
            switch (name, value)
            {
                case ("created", long seconds):
                    created = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    break;
                case ("expires", long seconds):
                    expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    break;
                case ("nonce", string text):
                    nonce = text;
                    break;
                case ("keyid", string text):
                    keyId = text;
                    break;
                case ("alg", string text):
                    algorithm = text;
                    break;
                case ("tag", string):
                    break;
                case ("created" or "expires" or "nonce" or "keyid" or "alg" or "tag", _):
                    return Invalid($"parameter {name} has the wrong type");
            }
        }

        if (string.IsNullOrEmpty(keyId))
        {
            return Invalid("keyid is required");
        }

        if (algorithm is not null && !SignatureAlgorithms.IsSupported(algorithm))
        {
            return Invalid($"alg \"{algorithm}\" is not supported");
        }

        return new SignatureParameters(created, expires, nonce, keyId, algorithm, null);

        SignatureParameters Invalid(string problem) => new(null, null, null, keyId, null, problem);
    }
}
