using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace StreamFlow.IntegrationTests.Connectors;

/// <summary>
/// ADP Workforce Now as its API Central documentation describes it, behind mutual TLS: the HTTPS server requires a client
/// certificate on every connection and answers 401 unless it is the tenant's (by thumbprint). POST
/// /auth/oauth/v2/token (client_credentials, client id and secret as form fields); GET /hr/v2/workers paged by $top and
/// $skip, 204 past the end; POST /events/payroll/v1/pay-data-input.modify answering a confirmMessage with a requestID.
/// </summary>
internal sealed class AdpFake : IDisposable
{
    public const string ClientId = "adp-test-client";
    public const string ClientSecret = "adp-test-secret";
    private readonly ConcurrentDictionary<string, bool> _tokens = new();
    private readonly ConcurrentDictionary<string, JsonObject> _workers = new();
    private int _refuseNextPayData;

    public AdpFake(X509Certificate2 clientCertificate, IEnumerable<JsonObject> workers)
    {
        ClientThumbprint = clientCertificate.Thumbprint;
        ServerCertificate = SelfSigned("CN=127.0.0.1", server: true);
        foreach (var worker in workers)
        {
            _workers[worker["associateOID"]!.GetValue<string>()] = worker;
        }

        Server = WireMockServer.Start(new WireMockServerSettings
        {
            UseSSL = true,
            CertificateSettings = new WireMockCertificateSettings { X509Certificate = ServerCertificate },
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            AcceptAnyClientCertificate = true,
        });
        Server.Given(Request.Create().WithPath("/auth/oauth/v2/token").UsingPost()).RespondWith(Response.Create().WithCallback(Token));
        Server.Given(Request.Create().WithPath("/hr/v2/workers").UsingGet()).RespondWith(Response.Create().WithCallback(Workers));
        Server.Given(Request.Create().WithPath("/events/payroll/v1/pay-data-input.modify").UsingPost()).RespondWith(Response.Create().WithCallback(PayData));
    }

    public WireMockServer Server { get; }

    public string Url => Server.Url!;

    public string ClientThumbprint { get; }

    public X509Certificate2 ServerCertificate { get; }

    public string ServerSha256 => Convert.ToHexString(SHA256.HashData(ServerCertificate.RawData));

    public ConcurrentQueue<JsonObject> PayDataReceived { get; } = new();

    public int RequestsWithoutTheCertificate { get; private set; }

    public void Put(JsonObject worker) => _workers[worker["associateOID"]!.GetValue<string>()] = worker;

    /// <summary>The next pay data event is refused with a 400 and ADP's validation message.</summary>
    public void RefuseNextPayData() => Interlocked.Exchange(ref _refuseNextPayData, 1);

    public static JsonObject Worker(string oid, string given, string family, string status = "Active", string title = "Service Technician") => new()
    {
        ["associateOID"] = oid,
        ["workerID"] = new JsonObject { ["idValue"] = $"E{oid}" },
        ["person"] = new JsonObject { ["legalName"] = new JsonObject { ["givenName"] = given, ["familyName1"] = family, ["formattedName"] = $"{given} {family}" } },
        ["businessCommunication"] = new JsonObject { ["emails"] = new JsonArray(new JsonObject { ["emailUri"] = $"{given.ToLowerInvariant()}@work.example.com" }) },
        ["workerDates"] = status == "Terminated"
            ? new JsonObject { ["originalHireDate"] = "2021-03-01", ["terminationDate"] = "2026-11-30" }
            : new JsonObject { ["originalHireDate"] = "2021-03-01" },
        ["workerStatus"] = new JsonObject { ["statusCode"] = new JsonObject { ["codeValue"] = status } },
        ["workAssignments"] = new JsonArray(new JsonObject
        {
            ["primaryIndicator"] = true, ["jobTitle"] = title, ["payrollGroupCode"] = "94N", ["payrollFileNumber"] = $"1{oid[^3..]}",
            ["assignmentStatus"] = new JsonObject { ["statusCode"] = new JsonObject { ["codeValue"] = status == "Terminated" ? "T" : "A" } },
        }),
    };

    public static X509Certificate2 SelfSigned(string subject, bool server = false)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    public static (string Certificate, string PrivateKey) Pem(X509Certificate2 certificate) =>
        (certificate.ExportCertificatePem(), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

    public void Dispose()
    {
        Server.Stop();
        ServerCertificate.Dispose();
    }

    private bool ClientCertified(IRequestMessage request)
    {
        var ok = request.ClientCertificate is { } presented && presented.Thumbprint == ClientThumbprint;
        if (!ok)
        {
            RequestsWithoutTheCertificate++;
        }

        return ok;
    }

    private bool Authorized(IRequestMessage request) =>
        request.Headers is { } headers && headers.TryGetValue("Authorization", out var values) && values.FirstOrDefault() is { } value
            && value.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.ContainsKey(value["Bearer ".Length..]);

    private ResponseMessage Token(IRequestMessage request)
    {
        if (!ClientCertified(request))
        {
            return Json(401, """{"error":"invalid_client","error_description":"proper client ssl certificate was not presented"}""");
        }

        var form = (request.Body ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => Uri.UnescapeDataString(pair.ElementAtOrDefault(1)?.Replace('+', ' ') ?? ""));
        if (form.GetValueOrDefault("grant_type") != "client_credentials" || form.GetValueOrDefault("client_id") != ClientId || form.GetValueOrDefault("client_secret") != ClientSecret)
        {
            return Json(401, """{"error":"invalid_client","error_description":"The given client credentials were not valid"}""");
        }

        var token = Guid.NewGuid().ToString();
        _tokens[token] = true;
        return Json(200, new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = 3600, ["scope"] = "api" }.ToJsonString());
    }

    private ResponseMessage Workers(IRequestMessage request)
    {
        if (!ClientCertified(request) || !Authorized(request))
        {
            return Json(401, """{"confirmMessage":{"processMessages":[{"userMessage":{"messageTxt":"Invalid or missing access token"}}]}}""");
        }

        int Query(string name, int fallback) =>
            request.Query is { } query && query.TryGetValue(name, out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;
        var (top, skip) = (Query("$top", 25), Query("$skip", 0));
        var page = _workers.OrderBy(w => w.Key, StringComparer.Ordinal).Skip(skip).Take(top).Select(w => (JsonNode)w.Value.DeepClone()).ToArray();
        return page.Length == 0
            ? new ResponseMessage { StatusCode = 204 }
            : Json(200, new JsonObject { ["workers"] = new JsonArray(page), ["meta"] = new JsonObject { ["totalNumber"] = _workers.Count } }.ToJsonString());
    }

    private ResponseMessage PayData(IRequestMessage request)
    {
        if (!ClientCertified(request) || !Authorized(request))
        {
            return Json(401, """{"confirmMessage":{"processMessages":[{"userMessage":{"messageTxt":"Invalid or missing access token"}}]}}""");
        }

        if (Interlocked.Exchange(ref _refuseNextPayData, 0) == 1)
        {
            return Json(400, """{"confirmMessage":{"requestStatusCode":{"codeValue":"failed"},"processMessages":[{"userMessage":{"messageTxt":"Payroll Group Code 94N is not open for input"}}]}}""");
        }

        PayDataReceived.Enqueue(JsonNode.Parse(request.Body!)!.AsObject());
        var id = Guid.NewGuid().ToString("N");
        return Json(200, new JsonObject
        {
            ["confirmMessage"] = new JsonObject
            {
                ["confirmMessageID"] = new JsonObject { ["idValue"] = $"cm-{id}" },
                ["requestID"] = $"req-{id}",
                ["requestStatusCode"] = new JsonObject { ["codeValue"] = "succeeded" },
            },
        }.ToJsonString());
    }

    private static ResponseMessage Json(int status, string body) => new()
    {
        StatusCode = status,
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
    };
}
