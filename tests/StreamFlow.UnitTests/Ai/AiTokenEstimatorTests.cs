using StreamFlow.Core.Ai;

namespace StreamFlow.UnitTests.Ai;

public sealed class AiTokenEstimatorTests
{
    [Fact]
    public void The_prompt_estimate_covers_the_tokens_and_the_chat_format_with_the_safety_factor()
    {
        var exact = new AiTokenEstimator(1m).EstimatePromptTokens([new AiMessage(AiMessageRole.User, "Hello there, how are you doing today?")]);
        var padded = new AiTokenEstimator(1.5m).EstimatePromptTokens([new AiMessage(AiMessageRole.User, "Hello there, how are you doing today?")]);

        // 9 tokens in o200k_base, 4 for the message, 3 to prime the reply.
        Assert.Equal(16, exact);
        Assert.Equal(24, padded);
    }

    [Fact]
    public void Generated_text_counts_at_least_one_token_per_chunk_received()
    {
        var estimator = new AiTokenEstimator(1m);

        Assert.Equal(12, estimator.EstimateGeneratedTokens("Hi", contentChunks: 12));
        Assert.Equal(0, estimator.EstimateGeneratedTokens("", contentChunks: 0));
    }
}
