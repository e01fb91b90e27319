using System.Globalization;
using System.Text.Json.Nodes;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// A Local Services conversation as a line of its lead's timeline: who called or wrote, how long a call lasted and
/// whether Google holds a recording (its address is not kept: it is Google's, behind the advertiser's sign-in), a
/// message's text and how many attachments it had. The conversation's resource name makes it appear once.
/// </summary>
internal sealed record LsaConversationEntry(string ResourceName, string LeadResourceName, string Body, string Data)
{
    public const int MaxText = 4000;

    public static LsaConversationEntry? From(LocalServicesLeadConversation conversation)
    {
        if (conversation.ResourceName is not { Length: > 0 and <= 200 } name || !name.Contains("/localServicesLeadConversations/", StringComparison.Ordinal)
            || conversation.Lead is not { Length: > 0 and <= 200 } lead || !lead.Contains("/localServicesLeads/", StringComparison.Ordinal))
        {
            return null;
        }

        var channel = conversation.ConversationChannel?.ToUpperInvariant() ?? "UNKNOWN";
        var fromConsumer = conversation.ParticipantType?.ToUpperInvariant() != "ADVERTISER";
        var at = conversation.EventDateTime is { Length: > 0 } when ? $" on {when} (account time)" : "";
        var data = new JsonObject
        {
            ["googleLsaConversation"] = name,
            ["channel"] = channel.ToLowerInvariant(),
            ["participant"] = fromConsumer ? "consumer" : "advertiser",
            ["eventDateTime"] = conversation.EventDateTime,
        };

        string body;
        if (channel == "PHONE_CALL")
        {
            var seconds = conversation.PhoneCallDetails?.CallDurationMillis is { } millis ? (long?)Math.Max(0, millis / 1000) : null;
            var recorded = !string.IsNullOrEmpty(conversation.PhoneCallDetails?.CallRecordingUrl);
            data["callDurationSeconds"] = seconds;
            data["callRecorded"] = recorded;
            var length = seconds is { } s ? $", {Duration(s)}" : "";
            body = $"Phone call {(fromConsumer ? "from the consumer" : "to the consumer")}{at}{length}; {(recorded ? "a recording is in Google Local Services" : "no recording")}.";
        }
        else
        {
            var text = conversation.MessageDetails?.Text?.Trim();
            var attachments = conversation.MessageDetails?.AttachmentUrls?.Count ?? 0;
            data["attachmentCount"] = attachments;
            var what = channel switch { "BOOKING" => "Booking", "EMAIL" => "Email", "SMS" => "Text message", _ => "Message" };
            body = $"{what} {(fromConsumer ? "from the consumer" : "to the consumer")}{at}"
                + (text is { Length: > 0 } ? $": {(text.Length > MaxText ? text[..MaxText] + "…" : text)}" : "")
                + (attachments > 0 ? $" ({attachments} attachment{(attachments == 1 ? "" : "s")} in Google Local Services)" : "");
        }

        return new LsaConversationEntry(name, lead, body, data.ToJsonString());
    }

    private static string Duration(long seconds) =>
        seconds >= 60 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60} min {seconds % 60} s") : string.Create(CultureInfo.InvariantCulture, $"{seconds} s");
}
