using Microsoft.ML.Tokenizers;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Counts tokens before the upstream does, to reserve budget. o200k_base is exact for the GPT-4o/4.1/o-series
/// families; the safety factor covers models whose tokenizers split text more finely.
/// </summary>
internal sealed class AiTokenEstimator(decimal safetyFactor)
{
    // The chat format wraps every message in a few tokens of its own (role, separators) and primes the reply.
    private const int TokensPerMessage = 4;
    private const int TokensPerReply = 3;

    private static readonly Lazy<Tokenizer> Encoding = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int EstimatePromptTokens(IReadOnlyList<AiMessage> messages)
    {
        var tokens = TokensPerReply;
        foreach (var message in messages)
        {
            tokens += TokensPerMessage + Count(message.Content);
        }

        return Scale(tokens);
    }

    /// <summary>Output tokens of a stream that ended without a usage report: the larger of the scaled text count and the chunks seen.</summary>
    public int EstimateGeneratedTokens(string text, int contentChunks) =>
        Math.Max(contentChunks, text.Length == 0 ? 0 : Scale(Count(text)));

    private static int Count(string text) => Encoding.Value.CountTokens(text);

    private int Scale(int tokens) => (int)Math.Ceiling(tokens * safetyFactor);
}
