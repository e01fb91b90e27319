namespace StreamFlow.Functions.Http;

public sealed record HttpLimits(long MaxJsonBodyBytes)
{
    public const long DefaultMaxJsonBodyBytes = 1024 * 1024;
}
