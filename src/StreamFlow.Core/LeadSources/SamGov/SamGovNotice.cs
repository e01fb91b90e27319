using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamFlow.Core.LeadSources.SamGov;

/// <summary>One page of Get Opportunities v2, as documented at open.gsa.gov (get-opportunities-public-api).</summary>
public sealed record SamGovSearchPage(
    [property: JsonPropertyName("totalRecords")] int TotalRecords,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("offset")] int Offset,
    [property: JsonPropertyName("opportunitiesData")] IReadOnlyList<SamGovNotice>? OpportunitiesData);

/// <summary>A notice (opportunity) with the members the connector uses; the API sends more.</summary>
public sealed record SamGovNotice(
    [property: JsonPropertyName("noticeId")] string? NoticeId,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("solicitationNumber")] string? SolicitationNumber,
    [property: JsonPropertyName("fullParentPathName")] string? FullParentPathName,
    [property: JsonPropertyName("fullParentPathCode")] string? FullParentPathCode,
    [property: JsonPropertyName("postedDate")] string? PostedDate,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("baseType")] string? BaseType,
    [property: JsonPropertyName("archiveType")] string? ArchiveType,
    [property: JsonPropertyName("archiveDate")] string? ArchiveDate,
    [property: JsonPropertyName("typeOfSetAsideDescription")] string? TypeOfSetAsideDescription,
    [property: JsonPropertyName("typeOfSetAside")] string? TypeOfSetAside,
    [property: JsonPropertyName("responseDeadLine")] string? ResponseDeadLine,
    [property: JsonPropertyName("naicsCode")] string? NaicsCode,
    [property: JsonPropertyName("naicsCodes")] IReadOnlyList<string>? NaicsCodes,
    [property: JsonPropertyName("classificationCode")] string? ClassificationCode,
    [property: JsonPropertyName("active")] string? Active,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("pointOfContact")] IReadOnlyList<SamGovContact>? PointOfContact,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("placeOfPerformance")] SamGovPlace? PlaceOfPerformance,
    [property: JsonPropertyName("additionalInfoLink")] string? AdditionalInfoLink,
    [property: JsonPropertyName("uiLink")] string? UiLink,
    [property: JsonPropertyName("resourceLinks")] IReadOnlyList<string>? ResourceLinks);

public sealed record SamGovContact(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("fullName")] string? FullName,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("phone")] string? Phone);

public sealed record SamGovPlace(
    [property: JsonPropertyName("streetAddress")] string? StreetAddress,
    [property: JsonPropertyName("city")] SamGovCoded? City,
    [property: JsonPropertyName("state")] SamGovCoded? State,
    [property: JsonPropertyName("zip")] string? Zip,
    [property: JsonPropertyName("country")] SamGovCoded? Country);

public sealed record SamGovCoded(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>The api.data.gov gateway's error body (<c>{"error":{"code":"API_KEY_INVALID","message":"…"}}</c>) and SAM.gov's own (<c>errorMessage</c>).</summary>
internal sealed record SamGovError(
    [property: JsonPropertyName("error")] SamGovGatewayError? Error,
    [property: JsonPropertyName("errorMessage")] JsonElement? ErrorMessage,
    [property: JsonPropertyName("message")] string? Message)
{
    public string? Text =>
        Error?.Message ?? Message ?? (ErrorMessage is { ValueKind: JsonValueKind.String } text ? text.GetString() : ErrorMessage?.ToString());
}

internal sealed record SamGovGatewayError(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);
