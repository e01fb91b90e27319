using System.Text.Json;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Leads;
using static StreamFlow.Core.LeadSources.SourceText;

namespace StreamFlow.Core.LeadSources.GoogleLsa;

/// <summary>
/// A Local Services lead as a StreamFlow lead: the consumer's name, email and phone; its category, service, type (phone,
/// message, booking), status, charge and credit state as <c>googleLsa*</c> attributes; its cost the price of its category
/// when Google charged it and did not credit it back, 0.00 when not charged or credited (when the tenant gave prices).
/// </summary>
internal static class GoogleLsaLead
{
    public static SourceRecord ToRecord(LocalServicesLead lead, GoogleLsaSettings settings)
    {
        var contact = lead.ContactDetails;
        var (first, last) = SplitName(contact?.ConsumerName);
        var email = Clip(contact?.Email, 320)?.ToLowerInvariant();
        var phone = Clip(contact?.PhoneNumber, 20);
        var company = first is null && last is null && email is null && phone is null ? $"Local Services lead {lead.Id}" : null;
        var type = TypeOf(lead.LeadType);
        var summary = $"Google Local Services {type ?? "lead"}" + (lead.CategoryId is { } category ? $" ({Category(category)}{(lead.ServiceId is { } service ? $", {service}" : "")})" : "");
        var notes = lead.Note?.Description is { Length: > 0 } note ? $"{summary}: {Clip(note, 9_000)}" : summary;
        var attributes = Attributes(lead, type);
        var create = new LeadInput(first, last, company, email, phone, settings.Source, null, null, null, null, null, notes, attributes, null, null);
        // A later sighting refreshes what Google may change (status, charge, credit, feedback); contact details wiped by
        // Google (WIPED_OUT) are absent, so they leave the lead's as they are.
        var refresh = create with { Source = null, Notes = null, Company = null };
        return new SourceRecord(lead.ResourceName!, create, refresh, lead.LeadStatus?.ToLowerInvariant(), null, Cost(lead, settings));
    }

    /// <summary>PHONE_CALL → phone, MESSAGE → message, BOOKING → booking.</summary>
    public static string? TypeOf(string? leadType) => leadType switch
    {
        "PHONE_CALL" => "phone",
        "MESSAGE" => "message",
        "BOOKING" => "booking",
        null or "" or "UNSPECIFIED" or "UNKNOWN" => null,
        _ => leadType.ToLowerInvariant(),
    };

    public static Money? Cost(LocalServicesLead lead, GoogleLsaSettings settings)
    {
        if (settings.PriceOf(lead.CategoryId) is not { } price)
        {
            return null;
        }

        var charged = lead.LeadCharged == true && lead.CreditDetails?.CreditState != "CREDITED";
        return charged ? price : Money.Of(0, price.Currency);
    }

    private static Dictionary<string, JsonElement> Attributes(LocalServicesLead lead, string? type)
    {
        var values = new Dictionary<string, object?>
        {
            ["googleLsaLeadId"] = lead.Id,
            ["googleLsaResourceName"] = lead.ResourceName,
            ["googleLsaCategory"] = lead.CategoryId,
            ["googleLsaService"] = lead.ServiceId,
            ["googleLsaLeadType"] = type,
            ["googleLsaLeadStatus"] = lead.LeadStatus?.ToLowerInvariant(),
            ["googleLsaCreatedAt"] = lead.CreationDateTime,
            ["googleLsaLocale"] = lead.Locale,
            ["googleLsaCharged"] = lead.LeadCharged ?? false,
            ["googleLsaCreditState"] = lead.CreditDetails?.CreditState?.ToLowerInvariant(),
            ["googleLsaFeedbackSubmitted"] = lead.LeadFeedbackSubmitted ?? false,
        };
        return values
            .Where(pair => pair.Value is not null && (pair.Value is not string text || text.Length > 0))
            .ToDictionary(pair => pair.Key, pair => JsonSerializer.SerializeToElement(pair.Value is string text ? Clip(text, 1000) : pair.Value), StringComparer.Ordinal);
    }

    // xcat:service_area_business_hvac → hvac
    private static string Category(string category) =>
        category.StartsWith("xcat:service_area_business_", StringComparison.Ordinal) ? category["xcat:service_area_business_".Length..].Replace('_', ' ') : category;
}
