using System.Globalization;
using System.Text.Json;
using StreamFlow.Core.Leads;
using static StreamFlow.Core.LeadSources.SourceText;

namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>
/// A notice as a lead: the agency as company, the primary point of contact's name, the place of performance as the
/// lead's location, and the rest as <c>sam*</c> attributes (solicitation number, agency path, response deadline in its
/// own time zone and in UTC, set-aside, NAICS, contact, links, status). The contact's email and phone stay attributes:
/// one contracting officer posts many notices, and on the lead they would merge unrelated notices.
/// </summary>
internal static class SamGovNoticeLead
{
    public static SourceRecord ToRecord(SamGovNotice notice, string source)
    {
        var attributes = Attributes(notice);
        var contact = notice.PointOfContact?.FirstOrDefault(c => c.Type == "primary") ?? notice.PointOfContact?.FirstOrDefault();
        var (first, last) = SplitName(contact?.FullName);
        var place = notice.PlaceOfPerformance;
        var agency = Clip(notice.FullParentPathName?.Split('.')[0].Trim(), 200);
        var company = agency ?? Clip(notice.Title, 200) ?? notice.NoticeId;
        var create = new LeadInput(first, last, company, null, null, source, null, Clip(place?.Zip, 20), Clip(place?.State?.Code, 100),
            Clip(place?.City?.Name, 100), Clip(place?.Country?.Code, 100), Clip(notice.Title, 10_000), attributes, null, null);
        var refresh = create with { Source = null, Notes = null };
        var status = Status(notice);
        return new SourceRecord(notice.NoticeId!, create, refresh, status, status == "cancelled" ? "The notice was cancelled on SAM.gov." : null);
    }

    /// <summary>active, archived (Active = No) or the API's status member when it sends one (cancelled, inactive, deleted).</summary>
    public static string Status(SamGovNotice notice) =>
        notice.Status?.Trim().ToLowerInvariant() is { Length: > 0 } status ? status
        : notice.Type?.Contains("cancel", StringComparison.OrdinalIgnoreCase) == true ? "cancelled"
        : string.Equals(notice.Active, "No", StringComparison.OrdinalIgnoreCase) ? "archived"
        : "active";

    private static Dictionary<string, JsonElement> Attributes(SamGovNotice notice)
    {
        var values = new Dictionary<string, object?>
        {
            ["samNoticeId"] = notice.NoticeId,
            ["samTitle"] = notice.Title,
            ["samSolicitationNumber"] = notice.SolicitationNumber?.Trim(),
            ["samAgencyPath"] = notice.FullParentPathName,
            ["samAgencyPathCode"] = notice.FullParentPathCode,
            ["samNoticeType"] = notice.Type,
            ["samBaseType"] = notice.BaseType,
            ["samPostedDate"] = notice.PostedDate,
            ["samSetAside"] = notice.TypeOfSetAsideDescription,
            ["samSetAsideCode"] = notice.TypeOfSetAside,
            ["samNaics"] = notice.NaicsCodes is { Count: > 0 } codes ? string.Join(",", codes) : notice.NaicsCode,
            ["samClassificationCode"] = notice.ClassificationCode,
            ["samPlaceOfPerformance"] = Place(notice.PlaceOfPerformance),
            ["samStatus"] = Status(notice),
            ["samArchiveDate"] = notice.ArchiveDate,
            ["samUiLink"] = notice.UiLink,
            ["samAdditionalInfoLink"] = notice.AdditionalInfoLink,
            ["samDescriptionLink"] = notice.Description?.Trim(),
            ["samAttachmentCount"] = notice.ResourceLinks?.Count ?? 0,
        };

        if (DateTimeOffset.TryParse(notice.ResponseDeadLine, CultureInfo.InvariantCulture, DateTimeStyles.None, out var deadline))
        {
            values["samResponseDeadline"] = notice.ResponseDeadLine!.Trim();
            values["samResponseDeadlineUtc"] = deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            values["samResponseDeadlineOffset"] = deadline.ToString("zzz", CultureInfo.InvariantCulture);
        }

        var contact = notice.PointOfContact?.FirstOrDefault(c => c.Type == "primary") ?? notice.PointOfContact?.FirstOrDefault();
        values["samContactName"] = contact?.FullName?.Trim();
        values["samContactTitle"] = contact?.Title?.Trim();
        values["samContactEmail"] = contact?.Email?.Trim();
        values["samContactPhone"] = contact?.Phone?.Trim();

        return values
            .Where(pair => pair.Value is not null && (pair.Value is not string text || text.Length > 0))
            .ToDictionary(pair => pair.Key, pair => JsonSerializer.SerializeToElement(pair.Value is string text ? Clip(text, 1000) : pair.Value), StringComparer.Ordinal);
    }

    private static string? Place(SamGovPlace? place)
    {
        if (place is null)
        {
            return null;
        }

        var parts = new[] { place.StreetAddress?.ReplaceLineEndings(", "), place.City?.Name, place.State?.Code, place.Zip, place.Country?.Code }
            .Where(part => !string.IsNullOrWhiteSpace(part)).Select(part => part!.Trim());
        return string.Join(", ", parts) is { Length: > 0 } joined ? joined : null;
    }
}
