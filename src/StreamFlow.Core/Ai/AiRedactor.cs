using StreamFlow.Core.Privacy.Detection;

namespace StreamFlow.Core.Ai;

/// <summary>
/// Replaces personal data in prompts with placeholders before they leave StreamFlow. The detection is Privacy's
/// <see cref="PersonalDataDetector"/>, the one implementation that also flags personal data in free text.
/// </summary>
internal static class AiRedactor
{
    public const string EmailPlaceholder = PersonalDataDetector.EmailPlaceholder;
    public const string CardPlaceholder = PersonalDataDetector.CardPlaceholder;
    public const string SsnPlaceholder = PersonalDataDetector.SsnPlaceholder;
    public const string PhonePlaceholder = PersonalDataDetector.PhonePlaceholder;

    public static string Redact(string text) => PersonalDataDetector.Mask(text);

    public static IReadOnlyList<AiMessage> Redact(IReadOnlyList<AiMessage> messages) =>
        messages.Select(message => message with { Content = Redact(message.Content) }).ToList();

    internal static bool PassesLuhn(string candidate) => PersonalDataDetector.PassesLuhn(candidate);
}
