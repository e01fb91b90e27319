using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;

namespace StreamFlow.IntegrationTests.LeadSources;

/// <summary>
/// SAM.gov's Get Opportunities v2 search as open.gsa.gov documents it (get-opportunities-public-api): GET
/// /opportunities/v2/search with api_key, postedFrom/postedTo (MM/dd/yyyy, at most a year apart), limit (≤ 1000) and
/// offset; 200 with totalRecords, limit, offset and opportunitiesData; 404 when nothing is found; the gateway's
/// API_KEY_INVALID; the documented error messages for a bad date range and limit. Notices are generated from an index.
/// </summary>
internal sealed class SamGovFake : IDisposable
{
    public const string ApiKey = "SAM-test-key-0123456789";
    private readonly List<JsonObject> _notices = [];

    public SamGovFake(int? port = null) => Server = port is { } fixedPort ? WireMockServer.Start(fixedPort) : WireMockServer.Start();

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public IReadOnlyList<JsonObject> Notices => _notices;

    /// <summary>Adds <paramref name="count"/> generated notices; every seventh has no response deadline.</summary>
    public SamGovFake WithNotices(int count, string prefix = "n")
    {
        var start = _notices.Count;
        for (var i = start; i < start + count; i++)
        {
            _notices.Add(Notice($"{prefix}{i:D7}", i));
        }

        return this;
    }

    public SamGovFake With(JsonObject notice)
    {
        _notices.Add(notice);
        return this;
    }

    /// <summary>Answers searches from the notices like the API, paging by offset; a key other than <see cref="ApiKey"/> is the gateway's 403.</summary>
    public SamGovFake Serving()
    {
        Server.Given(Request.Create().WithPath("/opportunities/v2/search").UsingGet()).AtPriority(100).RespondWith(Response.Create().WithCallback(request =>
        {
            string? Query(string name) => request.Query is { } query && query.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
            if (Query("api_key") != ApiKey)
            {
                return Json(403, """{"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied. Get one at https://api.sam.gov:443"}}""");
            }

            if (!DateOnly.TryParseExact(Query("postedFrom"), "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !DateOnly.TryParseExact(Query("postedTo"), "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
            {
                return Json(400, """{"errorCode":"400","errorMessage":"Invalid Date Entered. Expected date format is MM/dd/yyyy"}""");
            }

            if (to.DayNumber - from.DayNumber > 365)
            {
                return Json(400, """{"errorCode":"400","errorMessage":"Date range must be 1 year(s) apart"}""");
            }

            if (!int.TryParse(Query("limit"), out var limit) || !int.TryParse(Query("offset") ?? "0", out var offset) || limit < 0 || offset < 0)
            {
                return Json(400, """{"errorCode":"400","errorMessage":"limit/offset must be a positive number."}""");
            }

            if (limit > 1000)
            {
                return Json(400, """{"errorCode":"400","errorMessage":"Limit valid range is 0-1000. Please provide valid input."}""");
            }

            if (_notices.Count == 0)
            {
                return Json(404, """{"errorCode":"404","errorMessage":"No Data found"}""");
            }

            var page = new JsonArray(_notices.Skip(offset).Take(limit).Select(n => (JsonNode)n.DeepClone()).ToArray());
            return Json(200, new JsonObject
            {
                ["totalRecords"] = _notices.Count, ["limit"] = limit, ["offset"] = offset, ["opportunitiesData"] = page,
                ["links"] = new JsonArray(new JsonObject { ["rel"] = "self", ["href"] = $"{Url}/opportunities/v2/search" }),
            }.ToJsonString());
        }));
        return this;
    }

    public static JsonObject Notice(string noticeId, int index)
    {
        var notice = new JsonObject
        {
            ["noticeId"] = noticeId,
            ["title"] = $"HVAC replacement, building {index}",
            ["solicitationNumber"] = $"W912DY-27-R-{index:D4}",
            ["fullParentPathName"] = "DEPT OF DEFENSE.DEPT OF THE ARMY.USACE.ENGINEERING AND SUPPORT CENTER",
            ["fullParentPathCode"] = "021.2100.USACE.W912DY",
            ["postedDate"] = "2026-12-01",
            ["type"] = "Solicitation",
            ["baseType"] = "Solicitation",
            ["archiveType"] = "auto15",
            ["archiveDate"] = "2027-02-04",
            ["typeOfSetAsideDescription"] = "Total Small Business Set-Aside (FAR 19.5)",
            ["typeOfSetAside"] = "SBA",
            ["responseDeadLine"] = index % 7 == 3 ? null : "2027-01-20T14:00:00-05:00",
            ["naicsCode"] = "238220",
            ["naicsCodes"] = new JsonArray("238220"),
            ["classificationCode"] = "J041",
            ["active"] = "Yes",
            ["award"] = null,
            ["pointOfContact"] = new JsonArray(
                new JsonObject { ["fax"] = null, ["type"] = "primary", ["email"] = "jordan.lee@usace.army.mil", ["phone"] = "256-895-1234", ["title"] = "Contract Specialist", ["fullName"] = "Jordan Lee" },
                new JsonObject { ["fax"] = null, ["type"] = "secondary", ["email"] = "sam.ortiz@usace.army.mil", ["phone"] = null, ["title"] = "Contracting Officer", ["fullName"] = "Sam Ortiz" }),
            ["description"] = $"https://api.sam.gov/prod/opportunities/v1/noticedesc?noticeid={noticeId}",
            ["organizationType"] = "OFFICE",
            ["officeAddress"] = new JsonObject { ["zipcode"] = "35807", ["city"] = "HUNTSVILLE", ["countryCode"] = "USA", ["state"] = "AL" },
            ["placeOfPerformance"] = new JsonObject
            {
                ["streetAddress"] = "4820 University Square", ["city"] = new JsonObject { ["code"] = "37000", ["name"] = "Huntsville" },
                ["state"] = new JsonObject { ["code"] = "AL", ["name"] = "Alabama" }, ["zip"] = "35816", ["country"] = new JsonObject { ["code"] = "USA", ["name"] = "UNITED STATES" },
            },
            ["additionalInfoLink"] = null,
            ["uiLink"] = $"https://sam.gov/opp/{noticeId}/view",
            ["links"] = new JsonArray(new JsonObject { ["rel"] = "self", ["href"] = $"https://api.sam.gov/prod/opportunities/v2/search?noticeid={noticeId}&limit=1" }),
            ["resourceLinks"] = null,
        };
        return notice;
    }

    public static ResponseMessage Json(int status, string body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new WireMock.Util.BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
    };

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
    }
}
